"""The shape every analyzer has; the engine knows nothing else about them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from devcopilot.core.change.diff import BlobReader, ParsedDiff
from devcopilot.core.findings import Category, Finding, Severity
from devcopilot.jobs.review.files import ReviewFile
from devcopilot.jobs.review.settings import ReviewSettings


@dataclass(frozen=True)
class ReviewInput:
    """Everything an analyzer may look at."""

    files: Sequence[ReviewFile]
    """The changed files with their new text (skipped files are not here)."""
    workdir: Path
    """A temporary folder holding those files at their repository paths, for tools that read files."""
    repo: Path
    diff: ParsedDiff
    """The whole change, skipped files included (binary files, deletions)."""
    blobs: BlobReader
    """Reads any version of a file from git, for analyzers that compare before and after."""
    settings: ReviewSettings = field(default_factory=ReviewSettings)
    """``[review]`` as the change's base commit has it."""


class Analyzer(Protocol):
    name: str

    def unavailable_reason(self) -> str | None:
        """Why this analyzer cannot run here (a tool not installed), or ``None``."""
        ...

    def analyze(self, review: ReviewInput) -> list[Finding]: ...


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def line_finding(
    analyzer: str,
    file: ReviewFile,
    line: int,
    rule: str,
    message: str,
    *,
    severity: Severity,
    category: Category,
) -> Finding:
    """A finding on one line of ``file``; ``rule`` is the full rule id (``secret/github-token``)."""
    return Finding(
        path=file.path,
        line=line,
        end_line=line,
        severity=severity,
        category=category,
        rule=rule,
        source=analyzer,
        message=message,
    )
