"""The jobs. Each is a package here; ``registry`` is the one table that registers them."""
