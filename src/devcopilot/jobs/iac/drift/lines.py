"""The line of a field in a manifest, found only for the objects that have a finding.

Parsing keeps no positions (that would double the memory of a large rendering);
a file with a finding is composed again and walked to the field, or as near
to it as the manifest goes (a field only the live object has is reported on
its nearest declared parent).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

import yaml

from devcopilot.jobs.iac.drift.paths import Item, Path


@lru_cache(maxsize=64)
def _nodes(file: str) -> tuple[Any, ...]:
    try:
        with FilePath(file).open(encoding="utf-8", errors="replace") as handle:
            return tuple(yaml.compose_all(handle, Loader=yaml.CSafeLoader))
    except (OSError, yaml.YAMLError):
        return ()


def line_of(file: str, document: int, path: Path, fallback: int) -> int:
    nodes = _nodes(file)
    if document >= len(nodes) or nodes[document] is None:
        return fallback
    node = nodes[document]
    if isinstance(node, yaml.SequenceNode):  # a List's items or a bare list: not walked
        return fallback
    line: int = node.start_mark.line + 1
    for segment in path:
        child = _child(node, segment)
        if child is None:
            break
        line, node = child
    return line


def _child(node: Any, segment: str | Item) -> tuple[int, Any] | None:
    if isinstance(segment, Item) and isinstance(node, yaml.SequenceNode):
        for position, entry in enumerate(node.value):
            if not segment.key and position == segment.index:
                return entry.start_mark.line + 1, entry
            if segment.key and isinstance(entry, yaml.MappingNode):
                fields = {k.value: v.value for k, v in entry.value if isinstance(v, yaml.ScalarNode)}
                if all(
                    str(fields.get(f, "TCP" if f == "protocol" else None)) == str(v) for f, v in segment.key
                ):
                    return entry.start_mark.line + 1, entry
    if isinstance(segment, str) and isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == segment:
                return key.start_mark.line + 1, value
    return None


def file_lines(file: str) -> list[str] | None:
    try:
        return FilePath(file).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
