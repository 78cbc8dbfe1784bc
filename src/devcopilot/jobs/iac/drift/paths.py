"""Where a difference is: a path through an object, shown as people write it and matched by patterns.

A path is a tuple of map keys (``str``) and list items (``Item``). Items of lists
whose entries have a name (containers, env, ports, volumes) are named by it, so
``spec.template.spec.containers[web].image`` stays the same when the list is
reordered; other items are named by their position. Patterns are the same
notation with ``*`` for any key or item and ``**`` for any number of steps;
quoted keys (``metadata.annotations["meta.helm.sh/*"]``) may hold dots and globs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_TOKEN = re.compile(r'\*\*|\["((?:[^"\\]|\\.)*)"\]|\[([^\]]*)\]|([^.\[\]]+)|\.')


@dataclass(frozen=True, slots=True, eq=False)
class Item:
    """A list entry: its key fields and values (``(("name", "web"),)``) or, with none, its position.

    Two items are the same entry when their keys are equal: the position of a
    named entry is where it happens to be in one list, not what it is.
    """

    key: tuple[tuple[str, Any], ...]
    index: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item) and (self.key, self.key or self.index) == (
            other.key,
            other.key or other.index,
        )

    def __hash__(self) -> int:
        return hash(repr(self.key or self.index))

    @property
    def label(self) -> str:
        if not self.key:
            return str(self.index)
        return "/".join(str(value) for _, value in self.key)

    def matches(self, entry: Any) -> bool:
        return isinstance(entry, dict) and all(key_field(entry, f) == value for f, value in self.key)


def key_field(entry: dict[str, Any], name: str) -> Any:
    """A field that names a list entry; a port's protocol, left out, is TCP (the server's default)."""
    return entry.get(name, "TCP") if name == "protocol" else entry.get(name)


Segment = str | Item
Path = tuple[Segment, ...]


def show(path: Path) -> str:
    out: list[str] = []
    for segment in path:
        if isinstance(segment, Item):
            out.append(f"[{segment.label}]")
        elif _PLAIN_KEY.match(segment):
            out.append(f".{segment}" if out else segment)
        else:
            out.append('["' + segment.replace("\\", "\\\\").replace('"', '\\"') + '"]')
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str
    """``key`` (a glob on a map key), ``item`` (a glob on an item label) or ``any`` (``**``)."""
    glob: str

    def fits(self, text: str) -> bool:
        if self.glob == "*":
            return True
        if not any(c in self.glob for c in "*?["):
            return text == self.glob
        return fnmatchcase(text, self.glob)


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> tuple[_Step, ...]:
    steps: list[_Step] = []
    position = 0
    while position < len(pattern):
        match = _TOKEN.match(pattern, position)
        if match is None:
            raise ValueError(f"{pattern!r}: cannot read a path at column {position + 1}")
        position = match.end()
        piece = match.group(0)
        if piece == ".":
            continue
        if piece == "**":
            steps.append(_Step("any", ""))
        elif match.group(1) is not None:
            steps.append(_Step("key", match.group(1).replace('\\"', '"')))
        elif match.group(2) is not None:
            steps.append(_Step("item", match.group(2)))
        else:
            steps.append(_Step("key", piece))
    return tuple(steps)


def last_key(pattern: str) -> str | None:
    """The map key a pattern ends on when it is literal: patterns are indexed by it."""
    steps = compile_pattern(pattern)
    if steps and steps[-1].kind == "key" and not any(c in steps[-1].glob for c in "*?["):
        return steps[-1].glob
    return None


def matches(pattern: str, path: Path) -> bool:
    return _match(compile_pattern(pattern), 0, path, 0)


def _match(steps: tuple[_Step, ...], s: int, path: Path, p: int) -> bool:
    while s < len(steps):
        step = steps[s]
        if step.kind == "any":
            return any(_match(steps, s + 1, path, q) for q in range(p, len(path) + 1))
        if p >= len(path):
            return False
        segment = path[p]
        if step.kind == "item":
            if not isinstance(segment, Item) or not step.fits(segment.label):
                return False
        elif isinstance(segment, Item) or not step.fits(segment):
            return False
        s += 1
        p += 1
    return p == len(path)


def walk(root: Any, path: Path) -> list[tuple[str | int, Any]] | None:
    """Each step of ``path`` through ``root``: the key or position taken, and the node reached.

    None when a step is absent.
    """
    steps: list[tuple[str | int, Any]] = []
    node = root
    for segment in path:
        if isinstance(segment, Item):
            position = find_item(node, segment) if isinstance(node, list) else None
            if position is None:
                return None
            node = node[position]
            steps.append((position, node))
        elif isinstance(node, dict) and segment in node:
            node = node[segment]
            steps.append((segment, node))
        else:
            return None
    return steps


def escape(key: str) -> str:
    """A key as one JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def pointer(path: Path, root: Any) -> str | None:
    """The JSON pointer of ``path`` in ``root``, list entries found by key; None when one is absent."""
    steps = walk(root, path)
    return None if steps is None else "".join(f"/{escape(str(taken))}" for taken, _ in steps)


def find_item(entries: list[Any], item: Item) -> int | None:
    if not item.key:
        return item.index if item.index < len(entries) else None
    for position, entry in enumerate(entries):
        if item.matches(entry):
            return position
    return None


def get(root: Any, path: Path) -> tuple[bool, Any]:
    steps = walk(root, path)
    if steps is None:
        return False, None
    return True, steps[-1][1] if steps else root
