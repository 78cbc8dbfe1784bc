"""What ``docs refresh`` returns: each marked section's state, the patch, and what was written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from devcopilot.core.verdicts import ModelPass

SectionState = Literal["current", "outdated", "new", "hand-edited", "error"]


class SectionStatus(BaseModel):
    path: str
    line: int
    name: str
    state: SectionState
    """``new``: never generated (no checksum yet); ``hand-edited``: its checksum no longer matches."""
    reason: str | None = None
    written: bool = False


class RewriteStatus(BaseModel):
    """A stale paragraph's rewrite: by the engine (a rename ``--since`` makes plain) or a model."""

    path: str
    line: int
    name: str
    """The removed name the paragraph cited."""
    replacement: str | None = None
    """The name the engine put in its place (a rename); ``None`` for a model's rewrite."""
    source: str
    """``engine`` or ``model:<name>``."""
    kept: bool
    reason: str | None = None
    """Why it was dropped (``lost-reference``, ``unresolved``, ``generated-section``, ...)."""


class RefreshResult(BaseModel):
    sections: list[SectionStatus]
    rewrites: list[RewriteStatus] = Field(default_factory=list)
    model: ModelPass | None = None
    patch: str = ""
    """A unified diff of every change (written or not)."""
    check: bool = False
    force: bool = False
    documents: int = 0

    @property
    def stale(self) -> list[SectionStatus]:
        return [s for s in self.sections if s.state != "current" and not s.written]

    def headline(self) -> str:
        counts = Counter(s.state for s in self.sections)
        shown = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        written = sum(s.written for s in self.sections)
        tail = f"; {written} written" if written else ""
        where = f"{len(self.sections)} section(s) in {self.documents} document(s)"
        return f"devcopilot docs refresh: {where}: {shown or 'nothing marked'}{tail}"

    def reaches(self, level: str) -> bool:
        """``--check`` fails on anything not current; otherwise only what needs a person (edits, errors)."""
        if level == "never":
            return False
        if self.check:
            return bool(self.stale)
        return any(s.state in ("hand-edited", "error") and not s.written for s in self.sections)

    def model_summary(self) -> ModelPass | None:
        return self.model

    def job_run_fields(self) -> Mapping[str, Any]:
        counts = Counter(s.state for s in self.sections)
        return {f"docs.sections.{state}": n for state, n in counts.items()} | {
            "docs.sections.written": sum(s.written for s in self.sections),
            "docs.rewrites.kept": sum(r.kept for r in self.rewrites),
            "docs.rewrites.dropped": sum(not r.kept for r in self.rewrites),
        }
