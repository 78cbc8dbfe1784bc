"""What a review reports: findings on lines, and how much of the change was reviewed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devcopilot.core.verdicts import ModelPass

Severity = Literal["error", "warning", "info"]
Category = Literal["bug", "security", "performance", "maintainability"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    severity: Severity
    category: Category
    rule: str
    source: str
    """The analyzer that found it (``ruff``, ``bandit``, ``secrets``, ``builtin``) or ``model:<name>``."""
    message: str
    suggestion: str | None = None
    code: str | None = None
    """The reviewed code at ``line..end_line`` (from the change itself, not the working tree)."""
    scope: Literal["line", "file"] = "line"
    """``file``: about the file as a whole (a binary added, a symbol removed), shown under every filter."""
    confirmed_by: list[str] = Field(default_factory=list)
    """Models whose own finding on these lines was merged into this one: the engine's, and confirmed."""

    @field_validator("message", "suggestion", "code")
    @classmethod
    def _printable(cls, text: str | None) -> str | None:
        """Bytes that were not UTF-8 travel as surrogate escapes; every report shows them as U+FFFD."""
        if text is None:
            return None
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    @property
    def shown_message(self) -> str:
        """The message as every format shows it: with the models that confirmed it, if any."""
        if not self.confirmed_by:
            return self.message
        return f"{self.message} (confirmed by {', '.join(self.confirmed_by)})"

    def at_least(self, level: str) -> bool:
        return SEVERITY_RANK[self.severity] >= SEVERITY_RANK[level]


def visible(finding: Finding, added_lines: frozenset[int], hunk_lines: frozenset[int], how: str) -> bool:
    """Whether ``--filter`` shows a finding: reviewdog's added, context, file and all."""
    if finding.scope == "file" or how in {"file", "all"}:
        return True
    lines = set(range(finding.line, finding.end_line + 1))
    return bool(lines & (added_lines if how == "added" else hunk_lines))


class ChunkCoverage(BaseModel):
    path: str
    seen: Literal["full", "clipped", "skipped"]
    reason: str | None = None


class SkippedFile(BaseModel):
    path: str
    reason: str


class AnalyzerStatus(BaseModel):
    name: str
    status: Literal["ran", "skipped", "failed"]
    reason: str | None = None
    findings: int = 0


class Coverage(BaseModel):
    source: str
    reviewed: list[str]
    skipped: list[SkippedFile]
    analyzers: list[AnalyzerStatus]
    notes: list[str]
    model: list[ChunkCoverage] | None = None
    """What the model saw of each file: fully, clipped to the token budget, or not at all."""


class Summary(BaseModel):
    files_changed: int
    files_reviewed: int
    added_lines: int
    findings: int
    by_severity: dict[str, int]
    by_source: dict[str, int]
    filtered_out: int
    """Findings the analyzers reported outside what ``--filter`` shows."""
    model: ModelPass | None = None


class ReviewResult(BaseModel):
    findings: list[Finding]
    coverage: Coverage
    summary: Summary
    patch: str = Field(default="", exclude=True)
    """The verified suggestions as a unified diff (written only with ``--patch``)."""

    def reaches(self, level: str) -> bool:
        return any(finding.at_least(level) for finding in self.findings)

    def model_summary(self) -> ModelPass | None:
        return self.summary.model

    def job_run_fields(self) -> Mapping[str, Any]:
        return {
            "review.source": self.coverage.source,
            "review.files_reviewed": self.summary.files_reviewed,
            "review.findings": self.summary.findings,
            "review.by_source": self.summary.by_source,
        }
