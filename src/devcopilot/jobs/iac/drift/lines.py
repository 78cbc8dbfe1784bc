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

from devcopilot.jobs.iac.drift.paths import Item, Path, key_field


def line_of(file: str, document: int, path: Path, fallback: int) -> int:
    """The line of ``path`` in the document that starts at line ``fallback`` (that line if not found)."""
    node = _document_node(file, fallback)
    if node is None or isinstance(node, yaml.SequenceNode):  # a List's items or a bare list: not walked
        return fallback
    line: int = node.start_mark.line + fallback
    for segment in path:
        child = _child(node, segment)
        if child is None:
            break
        found, node = child
        line = found + fallback - 1
    return line


@lru_cache(maxsize=256)
def _document_node(file: str, start: int) -> Any:
    """One document, composed alone: a large rendering is never composed whole for a few findings."""
    lines = _lines(file)
    if lines is None:
        return None
    chunk: list[str] = []
    for text in lines[start - 1 :]:
        if chunk and text.startswith("---"):
            break
        chunk.append(text)
    try:
        return yaml.compose("\n".join(chunk), Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def _child(node: Any, segment: str | Item) -> tuple[int, Any] | None:
    if isinstance(segment, Item) and isinstance(node, yaml.SequenceNode):
        for position, entry in enumerate(node.value):
            if not segment.key and position == segment.index:
                return entry.start_mark.line + 1, entry
            if segment.key and isinstance(entry, yaml.MappingNode):
                fields = {k.value: v.value for k, v in entry.value if isinstance(v, yaml.ScalarNode)}
                if all(str(key_field(fields, f)) == str(v) for f, v in segment.key):
                    return entry.start_mark.line + 1, entry
    if isinstance(segment, str) and isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == segment:
                return key.start_mark.line + 1, value
    return None


def file_lines(file: str) -> list[str] | None:
    lines = _lines(file)
    return None if lines is None else list(lines)


@lru_cache(maxsize=64)
def _lines(file: str) -> tuple[str, ...] | None:
    try:
        return tuple(FilePath(file).read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return None


def shown_path(root: FilePath, file: str) -> str:
    """A manifest's path from the repository's root (as SARIF, baselines and patches want), if inside it."""
    try:
        return FilePath(file).resolve().relative_to(root).as_posix()
    except ValueError:
        return file
