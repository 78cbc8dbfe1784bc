"""Run git as the user would, and turn its failures into messages the user can act on.

devcopilot asks the ``git`` on PATH (the user's own, with their configuration)
rather than importing GitPython on hot paths: a pre-commit run with nothing to
review must stay instant.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from devcopilot.core.errors import InputError

GIT_TIMEOUT_S = 120


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C repo args``; with ``check``, a failure becomes an InputError quoting git."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "-c", "core.quotepath=off", *args],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise InputError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"git {' '.join(args[:2])} did not finish in {GIT_TIMEOUT_S} s") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {' '.join(args[:3])} failed: {message[-1] if message else done.returncode}")
    return done


def git_text(repo: Path, *args: str) -> str:
    return git(repo, *args).stdout.decode("utf-8", "surrogateescape")


def has_head(repo: Path) -> bool:
    return git(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0


def resolve_commit(repo: Path, ref: str) -> str:
    done = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if done.returncode != 0:
        raise InputError(f"{ref!r} is not a commit in {repo}")
    return done.stdout.decode().strip()
