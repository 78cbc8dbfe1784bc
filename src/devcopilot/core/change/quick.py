"""Answer "is there anything to review?" with one git call, before anything heavy is imported.

A pre-commit hook runs on every commit, most of which a developer wants to get
on with; when the index is clean this is the whole run. Only ``git`` and the
standard library are used here.
"""

from __future__ import annotations

from pathlib import Path

from devcopilot.core.git import git, has_head

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def has_staged_changes(repo: Path, *, head: bool) -> bool:
    against = "HEAD" if head else EMPTY_TREE
    return git(repo, "diff", "--cached", "--quiet", against, "--", check=False).returncode != 0


def nothing_to_review(repo: Path, *, staged_only: bool) -> str | None:
    """A message saying why there is nothing to review, or ``None`` when there is something."""
    head = has_head(repo)
    if has_staged_changes(repo, head=head):
        return None
    if staged_only:
        return "Nothing staged to review."
    if head and git(repo, "diff", "--quiet", "HEAD", "--", check=False).returncode != 0:
        return None
    return "Nothing to review: no staged changes and a clean working tree."
