"""``--since REF``: what the change since REF removed or broke, and the commit that did it.

Names come from two comparisons of the API at REF and now: public paths that
no longer resolve (re-exports included, which griffe's comparison does not
walk), and griffe's own breaking changes (removed objects, removed or renamed
parameters, changed kinds). Options, settings and link targets are the
strings a finding is about: one is the change's when the change reduced how
often the project's source says it. The commit is the oldest in the range
whose diff adds or removes the string (git's pickaxe); none means the
working tree's uncommitted change.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import griffe

from devcopilot.core.git import git
from devcopilot.jobs.docs.api import Api, load_api

MAX_BREAKAGES = 2000
RENAME_SIMILARITY = 0.6


@dataclass
class Change:
    ref: str
    removed: dict[str, str] = field(default_factory=dict)
    """Removed names, full and short forms, to the full path."""
    kinds: dict[str, str] = field(default_factory=dict)
    """Full path of each broken object to what broke (``removed``, ``parameter removed: x``, ...)."""
    renames: dict[str, str] = field(default_factory=dict)
    """Removed path to the path that replaced it, when the change makes that plain: the one new public
    name of the same kind next to it (or the clearly closest of several)."""
    parameters: dict[str, set[str]] = field(default_factory=dict)
    """Short function name to the parameters the change removed from it."""
    _commits: dict[str, tuple[str, str] | None] = field(default_factory=dict)

    def commit_of(self, root: Path, sources: list[str], needle: str) -> tuple[str, str] | None:
        """The oldest commit in REF..HEAD whose diff of ``source`` changes how often ``needle`` occurs."""
        if needle not in self._commits:
            done = git(
                root,
                "log",
                "--reverse",
                "--format=%H%x09%s",
                f"-S{needle}",
                f"{self.ref}..HEAD",
                "--",
                *sources,
                check=False,
            )
            first = done.stdout.decode("utf-8", "replace").splitlines()[:1]
            self._commits[needle] = tuple(first[0].split("\t", 1)) if first and "\t" in first[0] else None  # type: ignore[assignment]
        return self._commits[needle]

    def counts(self, root: Path, sources: list[str], needle: str) -> tuple[int, int]:
        """How many times the project's source says ``needle`` at REF, and now."""
        before = _count(
            git(root, "grep", "-c", "-F", "-e", needle, self.ref, "--", *sources, check=False).stdout
        )
        after = _count(
            git(root, "grep", "-c", "--untracked", "-F", "-e", needle, "--", *sources, check=False).stdout
        )
        return before, after

    def owns_name(self, name: str) -> str | None:
        """The removed path a stale name stands under, if the change removed it."""
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in self.kinds:
                return prefix
        return self.removed.get(name)


def find_change(root: Path, ref: str, now: Api) -> Change:
    change = Change(ref=ref)
    before = load_api(root, ref=ref)
    for path in sorted(before.public_paths()):
        if now.lookup(path) == "missing" and not _under_removed(path, change):
            change.kinds[path] = "removed"
    for package, old in before.loaded.items():
        new = now.loaded.get(package)
        if new is None:
            continue
        for count, breakage in enumerate(griffe.find_breaking_changes(old, new)):
            if count >= MAX_BREAKAGES:
                break
            _note(change, breakage)
    for path in [p for p, kind in change.kinds.items() if kind == "removed" and now.lookup(p) != "missing"]:
        del change.kinds[path]  # still served (a module __getattr__ keeps a deprecated name alive)
    for path in change.kinds:
        if change.kinds[path] == "removed":
            change.removed[path] = path
            change.removed.setdefault(path.rsplit(".", 1)[-1], path)
            parent = path.rsplit(".", 2)
            if len(parent) == 3:  # Class.member, as prose writes it
                change.removed.setdefault(f"{parent[1]}.{parent[2]}", path)
    change.renames = _renames(change, before, now)
    return change


def _renames(change: Change, before: Api, now: Api) -> dict[str, str]:
    """Removed path to its replacement, where the change makes it plain.

    A name moved to another module keeps its short name: the one new public
    path with that name is it. A name renamed in place: the one new public name
    of its kind next to it, when no other removed name could claim it; else the
    new names are paired with the removed ones, most alike first (case set
    aside: ``HttpError`` became ``HTTPError``), none under 0.6.
    """
    added = now.public_paths() - before.paths
    removed = [p for p, kind in change.kinds.items() if kind == "removed"]
    renames: dict[str, str] = {}
    for path in removed:
        short = path.rpartition(".")[2]
        moved = [p for p in added if p.rpartition(".")[2] == short and _kind(now, p) == _kind(before, path)]
        if len(moved) == 1:
            renames[path] = moved[0]
    candidates: dict[str, list[str]] = {}
    for path in removed:
        if path not in renames:
            parent = path.rpartition(".")[0]
            candidates[path] = [
                new
                for new in added
                if new.rpartition(".")[0] == parent and _kind(now, new) == _kind(before, path)
            ]
    claims = Counter(new for news in candidates.values() for new in news)
    for path, news in candidates.items():
        if len(news) == 1 and claims[news[0]] == 1:
            renames[path] = news[0]  # the one new name of its kind next to the one it replaces
    pairs = [
        (
            difflib.SequenceMatcher(
                None, path.rpartition(".")[2].lower(), new.rpartition(".")[2].lower()
            ).ratio(),
            path,
            new,
        )
        for path, news in candidates.items()
        if path not in renames
        for new in news
    ]
    taken: set[str] = set(renames.values())
    for score, path, new in sorted(pairs, reverse=True):
        if score >= RENAME_SIMILARITY and path not in renames and new not in taken:
            renames[path] = new
            taken.add(new)
    return renames


def _kind(api: Api, path: str) -> str | None:
    package, _, rest = path.partition(".")
    loaded = api.loaded.get(package)
    try:
        found: Any = loaded[rest] if loaded is not None and rest else loaded
    except (KeyError, ValueError, AttributeError):
        return None
    if found is None:
        return None
    try:
        return str(found.final_target.kind.value) if found.is_alias else str(found.kind.value)
    except Exception:  # noqa: BLE001 - an alias griffe cannot follow has no kind to compare
        return None


def _note(change: Change, breakage: object) -> None:
    kind = getattr(breakage, "kind", None)
    obj = getattr(breakage, "obj", None)
    path = getattr(obj, "path", None)
    if not isinstance(path, str):
        return
    if kind == griffe.BreakageKind.OBJECT_REMOVED:
        change.kinds.setdefault(path, "removed")
    elif kind == griffe.BreakageKind.OBJECT_CHANGED_KIND:
        change.kinds.setdefault(path, "changed kind")
    elif kind in (griffe.BreakageKind.PARAMETER_REMOVED, griffe.BreakageKind.PARAMETER_CHANGED_KIND):
        old = getattr(breakage, "old_value", None)
        name = getattr(old, "name", None)
        if isinstance(name, str):
            change.kinds.setdefault(path, f"parameter {name} removed")
            change.parameters.setdefault(path.rsplit(".", 1)[-1], set()).add(name)
            if path.endswith(".__init__"):
                change.parameters.setdefault(path.rsplit(".", 2)[-2], set()).add(name)


def _under_removed(path: str, change: Change) -> bool:
    """A member of something already removed is reported once, as its owner."""
    parts = path.split(".")
    return any(".".join(parts[:end]) in change.kinds for end in range(1, len(parts)))


def _count(output: bytes) -> int:
    total = 0
    for line in output.decode("utf-8", "replace").splitlines():
        _, _, number = line.rpartition(":")
        total += int(number) if number.isdigit() else 0
    return total
