"""The defaults table (``defaults.yaml``): which live-only fields the server set, not a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from devcopilot.jobs.iac.drift import paths
from devcopilot.jobs.iac.drift.paths import Item
from devcopilot.jobs.iac.drift.paths import Path as FieldPath

ASSIGNED = "<assigned>"
_PULL_POLICY = "<image-pull-policy>"
_SAME_AS = "<same-as:"


@dataclass
class Table:
    """Patterns by kind (``*`` for every kind), indexed by the key they end on for speed."""

    by_kind: dict[str, dict[str | None, list[tuple[str, Any]]]] = field(default_factory=dict)

    def add(self, kind: str, pattern: str, value: Any) -> None:
        paths.compile_pattern(pattern)  # a pattern that cannot be read fails when the table loads
        index = self.by_kind.setdefault(kind, {})
        index.setdefault(paths.last_key(pattern), []).append((pattern, value))

    def is_default(self, kind: str, path: FieldPath, value: Any, parent: Any) -> bool:
        """Whether ``value`` at ``path`` (only on the live object) is what the server puts there."""
        last = path[-1] if path and not isinstance(path[-1], Item) else None
        for table_kind in (kind, "*"):
            index = self.by_kind.get(table_kind)
            if not index:
                continue
            candidates = [*index.get(last, []), *index.get(None, [])] if last else index.get(None, [])
            for pattern, default in candidates:
                if paths.matches(pattern, path) and _fits(default, value, parent):
                    return True
        return False

    @classmethod
    def parse(cls, source: str, text: str) -> Table:
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{source}: expected a mapping of kinds to paths")
        table = cls()
        for kind, entries in data.items():
            if not isinstance(entries, dict):
                raise ValueError(f"{source}: {kind}: expected a mapping of paths to defaults")
            for pattern, value in entries.items():
                table.add(str(kind), str(pattern), value)
        return table


def _fits(default: Any, value: Any, parent: Any) -> bool:
    if default == ASSIGNED:
        return True
    if default == _PULL_POLICY:
        image = parent.get("image", "") if isinstance(parent, dict) else ""
        return bool(value == _pull_policy(str(image)))
    if isinstance(default, str) and default.startswith(_SAME_AS):
        sibling = default[len(_SAME_AS) : -1]
        return isinstance(parent, dict) and bool(parent.get(sibling) == value)
    if isinstance(default, list):
        return any(_same(choice, value) for choice in default)
    return _same(default, value)


def _same(default: Any, value: Any) -> bool:
    return (default == value and type(default) is type(value)) or str(default) == str(value)


def _pull_policy(image: str) -> str:
    name = image.rsplit("/", 1)[-1]
    if "@" in name:
        return "IfNotPresent"
    tag = name.split(":", 1)[1] if ":" in name else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


@cache
def builtin() -> Table:
    text = files("devcopilot.jobs.iac.drift").joinpath("defaults.yaml").read_text("utf-8")
    return Table.parse("defaults.yaml", text)
