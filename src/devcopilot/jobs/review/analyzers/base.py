"""The shape every analyzer has; the engine knows nothing else about them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from devcopilot.jobs.review.files import ReviewFile
from devcopilot.jobs.review.findings import Finding


class Analyzer(Protocol):
    name: str

    def unavailable_reason(self) -> str | None:
        """Why this analyzer cannot run here (a tool not installed), or ``None``."""
        ...

    def analyze(self, files: Sequence[ReviewFile], workdir: Path) -> list[Finding]:
        """Findings on the new content of ``files``, which are also written under ``workdir``."""
        ...


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
