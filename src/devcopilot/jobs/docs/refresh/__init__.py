"""``docs refresh``: the sections of documentation that are derived from the code, regenerated."""
