"""One declared object against its live counterpart: the fields that differ, each with its path.

Every field the manifest sets must hold the same value live (quantities by
value, empty the same as absent). A field only the live object has is drift
unless the defaults table says the server put it there: a person's ``kubectl
edit`` adds fields too, and that is the drift users most want to see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from devcopilot.jobs.iac.drift import quantity
from devcopilot.jobs.iac.drift.defaults import Table
from devcopilot.jobs.iac.drift.paths import Item, Path, key_field

Change = Literal["changed", "added", "removed"]
"""``added``: only live has it; ``removed``: the manifest has it and live does not."""

SERVER_METADATA = frozenset(
    {
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "selfLink",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "ownerReferences",
        "namespace",
        "name",
        "generateName",
    }
)
"""Set by the server, or the object's identity (matched before comparing), never compared."""

_KEYS: tuple[tuple[str, ...], ...] = (
    ("name",),
    ("containerPort", "protocol"),
    ("port", "protocol"),
    ("mountPath",),
    ("devicePath",),
    ("ip",),
)
"""Fields that name a list entry (Kubernetes' merge keys), tried in turn; the first every entry has wins."""


@dataclass(frozen=True)
class Difference:
    path: Path
    change: Change
    desired: Any = None
    live: Any = None


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)
    defaults: int = 0
    """Live-only fields left out because the server sets them."""


def empty(value: Any) -> bool:
    return value is None or value in ({}, [], "")


def compare(kind: str, desired: dict[str, Any], live: dict[str, Any], table: Table) -> Comparison:
    result = Comparison()
    _Walk(kind, table, result).dicts(desired, live, ())
    return result


class _Walk:
    def __init__(self, kind: str, table: Table, result: Comparison) -> None:
        self.kind = kind
        self.table = table
        self.result = result

    def value(self, desired: Any, live: Any, path: Path, parent: Any) -> None:
        if empty(desired):
            if not empty(live):
                self.live_only(live, path, parent)
            return
        if empty(live):
            self.result.differences.append(Difference(path, "removed", desired=desired))
            return
        if isinstance(desired, dict) and isinstance(live, dict):
            self.dicts(desired, live, path)
        elif isinstance(desired, list) and isinstance(live, list):
            self.lists(desired, live, path)
        elif not _same(desired, live, path):
            self.result.differences.append(Difference(path, "changed", desired=desired, live=live))

    def dicts(self, desired: dict[str, Any], live: dict[str, Any], path: Path) -> None:
        top = path == ("metadata",)
        for key, value in desired.items():
            if (top and key in SERVER_METADATA) or (not path and key == "status"):
                continue
            self.value(value, live.get(key), (*path, key), live)
        for key, value in live.items():
            if key in desired or (top and key in SERVER_METADATA) or (not path and key == "status"):
                continue
            if not empty(value):
                self.live_only(value, (*path, key), live)

    def lists(self, desired: list[Any], live: list[Any], path: Path) -> None:
        fields = _key_fields(desired, live)
        if fields is None:
            if len(desired) == len(live) and all(isinstance(d, dict | list) for d in desired):
                for index, (d, v) in enumerate(zip(desired, live, strict=True)):
                    self.value(d, v, (*path, Item((), index)), live)
            elif desired != live:
                self.result.differences.append(Difference(path, "changed", desired=desired, live=live))
            return
        live_by_key = {_key(entry, fields): entry for entry in live}
        desired_keys = set()
        for index, entry in enumerate(desired):
            key = _key(entry, fields)
            desired_keys.add(key)
            self.value(entry, live_by_key.get(key), (*path, Item(key, index)), live)
        for index, entry in enumerate(live):
            key = _key(entry, fields)
            if key not in desired_keys:
                self.live_only(entry, (*path, Item(key, index)), live)

    def live_only(self, live: Any, path: Path, parent: Any) -> None:
        """A live-only value: drift, apart from what the defaults table explains, part by part."""
        if empty(live):
            return
        if self.table.is_default(self.kind, path, live, parent):
            self.result.defaults += 1
            return
        if isinstance(path[-1], Item):
            # A whole new entry (a container, an env variable, a port): one difference, not many,
            # shown without the fields the server filled in.
            shown = residue(self.kind, path, live, self.table)
            self.result.differences.append(Difference(path, "added", live=live if shown is None else shown))
        elif isinstance(live, dict):
            for key, value in live.items():
                self.live_only(value, (*path, key), live)
        elif isinstance(live, list) and (fields := _key_fields([], live)) is not None:
            for index, entry in enumerate(live):
                self.live_only(entry, (*path, Item(_key(entry, fields), index)), live)
        else:
            self.result.differences.append(Difference(path, "added", live=live))


def residue(kind: str, path: Path, value: Any, table: Table) -> Any:
    """``value`` without the parts the defaults table explains: what a manifest would need to say."""
    if isinstance(value, dict):
        kept = {}
        for key, child in value.items():
            sub = (*path, key)
            if empty(child) or table.is_default(kind, sub, child, value):
                continue
            left = residue(kind, sub, child, table)
            if not empty(left):
                kept[key] = left
        return kept
    if isinstance(value, list) and (fields := _key_fields([], value)) is not None:
        return [residue(kind, (*path, Item(_key(e, fields), i)), e, table) for i, e in enumerate(value)]
    return value


def _key(entry: dict[str, Any], fields: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    return tuple((name, key_field(entry, name)) for name in fields)


def _key_fields(desired: list[Any], live: list[Any]) -> tuple[str, ...] | None:
    entries = [*desired, *live]
    if not entries or not all(isinstance(e, dict) for e in entries):
        return None
    for fields in _KEYS:
        if all(isinstance(e.get(fields[0]), str | int) for e in entries):
            for side in (desired, live):
                keys = [_key(e, fields) for e in side]
                if len(set(map(repr, keys))) != len(keys):
                    break
            else:
                return fields
    return None


def _same(desired: Any, live: Any, path: Path) -> bool:
    if desired == live and (type(desired) is type(live) or not isinstance(desired, bool | str)):
        return True
    if any(isinstance(step, str) and step in quantity.QUANTITY_KEYS for step in path):
        return quantity.same(desired, live)
    if isinstance(desired, int | str) and isinstance(live, int | str) and not isinstance(desired, bool):
        return str(desired) == str(live)
    return False


def counts(differences: list[Difference]) -> Counter[str]:
    return Counter(d.change for d in differences)
