"""The changed files an analyzer sees: their new text, their kind, and why others are skipped.

The kind decides which rules are worth a developer's attention: an ``assert``
in a test is the point of the test, a ``print`` in a script is its output, and
both are worth a look in library code.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from devcopilot.core.change.diff import BlobReader, ChangedFile, ParsedDiff, new_content, old_content

FileKind = Literal["library", "test", "script", "data", "other"]
MAX_FILE_BYTES = 1024 * 1024

_GENERATED_MARKERS = re.compile(
    rb"@generated|Code generated .* DO NOT EDIT|DO NOT EDIT[.!]? *(?:this file|$)", re.I
)
_SKIP_GLOBS = (
    "*.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "go.sum",
    "*.min.js",
    "*.min.css",
    "*_pb2.py",
    "*_pb2_grpc.py",
    "*.pb.go",
)
_VENDORED_DIRS = frozenset({"vendor", "third_party", "node_modules", "_vendor", "site-packages"})
_SCRIPT_DIRS = frozenset({"scripts", "bin", "tools", "benchmarks", "examples", "docs"})
_DATA_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".toml"})


@dataclass(frozen=True)
class ReviewFile:
    changed: ChangedFile
    text: str
    kind: FileKind
    old_text: str | None = None
    """The content before the change, loaded for data files (to tell "broke" from "was broken")."""

    @property
    def path(self) -> str:
        return self.changed.path

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix.lower()


def file_kind(path: str) -> FileKind:
    pure = PurePosixPath(path)
    if pure.suffix.lower() in _DATA_SUFFIXES:
        return "data"
    if pure.suffix != ".py":
        return "other"
    name = pure.name
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return "test"
    if any(part in {"tests", "test", "testing"} for part in pure.parts[:-1]):
        return "test"
    if pure.parts[0] in _SCRIPT_DIRS or name in {"setup.py", "noxfile.py", "fabfile.py", "manage.py"}:
        return "script"
    return "library"


def skip_reason(changed: ChangedFile, patterns: tuple[str, ...], exclude: tuple[str, ...] = ()) -> str | None:
    """Why a changed file is not analyzed, or ``None`` when it is. The first rule that applies wins."""
    pure = PurePosixPath(changed.path)
    rules = (
        (changed.status == "deleted", "deleted"),
        (changed.submodule, "submodule"),
        (changed.binary, "binary"),
        (bool(patterns) and not any(fnmatch.fnmatch(changed.path, p) for p in patterns), "outside --paths"),
        (any(fnmatch.fnmatch(changed.path, p) for p in exclude), "excluded by review.exclude"),
        (any(part in _VENDORED_DIRS for part in pure.parts[:-1]), "vendored"),
        (any(fnmatch.fnmatch(pure.name, glob) for glob in _SKIP_GLOBS), "lock or generated file"),
        (not changed.added_lines and changed.mode_change is not None, "mode change only"),
        (not changed.added_lines, "no added lines"),
    )
    return next((reason for applies, reason in rules if applies), None)


def gather_files(
    blobs: BlobReader, diff: ParsedDiff, patterns: tuple[str, ...], exclude: tuple[str, ...] = ()
) -> tuple[list[ReviewFile], list[tuple[str, str]]]:
    reviewed: list[ReviewFile] = []
    skipped: list[tuple[str, str]] = []
    for changed in diff.files:
        reason = skip_reason(changed, patterns, exclude)
        raw = None if reason else new_content(blobs, diff, changed, MAX_FILE_BYTES)
        if reason is None and raw is None:
            reason = f"larger than {MAX_FILE_BYTES // 1024} KiB or unreadable"
        if reason is None and raw is not None and _GENERATED_MARKERS.search(raw[:2048]):
            reason = "generated (marked in its header)"
        if reason is not None or raw is None:
            skipped.append((changed.path, reason or "unreadable"))
            continue
        # CRLF and non-UTF-8 bytes survive: lines keep their numbers, odd bytes become escapes.
        text = raw.decode("utf-8", "surrogateescape")
        kind = file_kind(changed.path)
        old = old_content(blobs, diff, changed, MAX_FILE_BYTES) if kind == "data" else None
        old_text = old.decode("utf-8", "surrogateescape") if old is not None else None
        reviewed.append(ReviewFile(changed, text, kind, old_text))
    return reviewed, skipped
