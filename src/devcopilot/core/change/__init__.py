"""Reading a change, once for every job: staged, working tree, a range, a base branch, a diff file.

``review`` reviews what a change adds and ``tests --changed`` tests the functions it
touches; both read the change here, including the new contents from where they
live (the index for a staged change), so both see exactly what is being committed.

Import from the modules: ``quick`` (one git call, for the pre-commit fast path,
which must not load ``diff`` and its parser) and ``diff``.
"""
