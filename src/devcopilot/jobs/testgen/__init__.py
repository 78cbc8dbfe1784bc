"""``devcopilot tests``: generate pytest and Hypothesis tests, kept only when proven in a sandbox."""
