"""The iac job: what a repository is, container files made for it, and checks of what exists."""
