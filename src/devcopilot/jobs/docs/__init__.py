"""The docs job: documentation checked against the code it describes (``docs check``)."""
