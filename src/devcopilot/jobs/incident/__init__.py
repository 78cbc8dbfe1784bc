"""The incident job: logs, stack traces and recent commits into a timeline and ranked hypotheses."""
