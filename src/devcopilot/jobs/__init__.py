"""The jobs: each gathers, analyzes, verifies and reports on its own. A job never imports another."""
