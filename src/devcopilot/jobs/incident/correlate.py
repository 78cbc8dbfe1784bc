"""Rank the commits made shortly before an incident by how much they touch what the logs point at.

Deterministic scoring, each point with a reason the report shows:
a file a stack frame is in (3), a path part named like a component or
logger of the anomalous lines (1 each), a config key seen in those lines and
changed by the commit (2), plus a little for recency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from devcopilot.core.git import git

LOOKBACK = timedelta(days=7)
MAX_COMMITS = 200
_CONFIG_KEY = re.compile(r"\b([a-z][\w\-]*(?:\.[a-z][\w\-]*)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")
_WORD = re.compile(r"[A-Za-z][a-z0-9]{2,}|[A-Z]{2,}(?![a-z])")
_STOP = frozenset(
    {"the", "and", "for", "with", "from", "main", "src", "lib", "app", "test", "tests", "java", "com", "org"}
)


@dataclass
class Commit:
    sha: str
    when: datetime
    author: str
    subject: str
    files: list[str]
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def commits_before(repo: Path, onset: datetime | None, lookback: timedelta = LOOKBACK) -> list[Commit]:
    """Commits in ``lookback`` before ``onset`` (the latest ones when the onset is unknown)."""
    args = [
        "log",
        f"--max-count={MAX_COMMITS}",
        "--no-merges",
        "--name-only",
        "--format=%x1e%H%x1f%ct%x1f%an%x1f%s",
    ]
    if onset is not None:
        args += [f"--until={int(onset.timestamp())}", f"--since={int((onset - lookback).timestamp())}"]
    done = git(repo, *args, check=False)
    if done.returncode != 0:
        return []
    commits = []
    for record in done.stdout.decode("utf-8", "replace").split("\x1e")[1:]:
        head, _, body = record.partition("\n")
        sha, stamp, author, subject = [*head.split("\x1f"), "", "", ""][:4]
        files = [line for line in body.splitlines() if line.strip()]
        commits.append(Commit(sha, datetime.fromtimestamp(int(stamp), UTC), author, subject, files))
    return commits


def words_of(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP}


def rank(
    repo: Path,
    commits: list[Commit],
    *,
    frame_files: set[str],
    components: set[str],
    anomalous_text: str,
    onset: datetime | None,
) -> list[Commit]:
    component_words = set().union(*(words_of(c) for c in components)) if components else set()
    config_keys = set(_CONFIG_KEY.findall(anomalous_text))
    for commit in commits:
        touched = set(commit.files)
        for path in sorted(touched & frame_files):
            commit.score += 3
            commit.reasons.append(f"changes {path}, which is in a stack trace")
        path_words: set[str] = set()
        for path in touched:
            path_words |= words_of(" ".join(PurePosixPath(path).parts))
        shared = sorted(component_words & path_words)
        if shared:
            commit.score += len(shared)
            commit.reasons.append(f"touches paths named like the failing component ({', '.join(shared[:5])})")
        if config_keys:
            diff = git(repo, "show", "--format=", "--unified=0", commit.sha, check=False).stdout.decode(
                "utf-8", "replace"
            )
            keys = sorted(key for key in config_keys if key in diff)
            if keys:
                commit.score += 2 * len(keys)
                commit.reasons.append(f"changes config keys seen in the errors ({', '.join(keys[:5])})")
        if commit.score and onset is not None:
            hours = max((onset - commit.when).total_seconds() / 3600, 0)
            commit.score += round(1 / (1 + hours), 3)
    return sorted((c for c in commits if c.score > 0), key=lambda c: (-c.score, -c.when.timestamp()))


def repo_files(repo: Path) -> list[str]:
    done = git(repo, "ls-files", "-z", check=False)
    return (
        [p for p in done.stdout.decode("utf-8", "replace").split("\0") if p] if done.returncode == 0 else []
    )


def sha_exists(repo: Path, sha: str) -> str | None:
    """The full sha of a commit the model cited, or ``None`` when the repository has no such commit."""
    if not re.fullmatch(r"[0-9a-fA-F]{7,40}", sha):
        return None
    done = git(repo, "rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}", check=False)
    return done.stdout.decode().strip() if done.returncode == 0 else None
