"""devcopilot: a command-line DevOps copilot whose every model claim is verified before it is shown."""

__version__ = "0.1.0"
