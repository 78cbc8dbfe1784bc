"""Documentation freshness: whether each document changed when the code it references last changed.

A document is fresh when git last changed it no more than a day before the
last change to any code file it references (a name it cites, resolved to the
file that defines it). The share of fresh documents is the docs job's metric;
it travels in the ``job_run`` record for the insights layer to read. Outside
git, or for files never committed, there is nothing to compare.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from devcopilot.core.git import git
from devcopilot.jobs.docs.api import Api
from devcopilot.jobs.docs.model import Document
from devcopilot.jobs.docs.report import DocumentFreshness, Freshness
from devcopilot.jobs.docs.resolve import clean

DAY_S = 86400


def measure(root: Path, api: Api, documents: list[Document], extra: dict[str, list[str]]) -> Freshness:
    """``extra``: more names each document references (those in its code blocks), by path."""
    cited: dict[str, set[str]] = {}
    for document in documents:
        if document.kind == "docstring":
            continue
        files = cited.setdefault(document.path, set())
        for target in [r.target for r in document.references] + extra.get(document.path, []):
            name = clean(target)
            if name and api.owns(name) and name in api.files:
                files.add(api.files[name])
    wanted = set(cited) | {f for files in cited.values() for f in files}
    changed = _last_changes(root, wanted)
    entries = []
    for path, files in sorted(cited.items()):
        if not files:
            continue
        updated = changed.get(path)
        code = max((changed[f] for f in files if f in changed), default=None)
        fresh = updated is not None and code is not None and updated >= code - DAY_S
        entries.append(
            DocumentFreshness(path=path, updated=_iso(updated), code_updated=_iso(code), fresh=fresh)
        )
    return Freshness(documents=entries)


def _last_changes(root: Path, wanted: set[str]) -> dict[str, int]:
    """When each wanted path last changed in git, from one walk of the log (newest first)."""
    if not wanted:
        return {}
    done = git(root, "log", "--format=%x00%ct", "--name-only", "--no-renames", "HEAD", check=False)
    if done.returncode != 0:
        return {}
    found: dict[str, int] = {}
    when = 0
    for line in done.stdout.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("\0"):
            when = int(line[1:] or 0)
        elif line and line in wanted and line not in found:
            found[line] = when
            if len(found) == len(wanted):
                break
    return found


def _iso(timestamp: int | None) -> str | None:
    return datetime.fromtimestamp(timestamp, UTC).isoformat() if timestamp is not None else None
