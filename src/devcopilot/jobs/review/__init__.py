"""``devcopilot review``: findings on the lines a change adds, from deterministic analyzers."""
