"""What a review reports: findings on lines, and how much of the change was reviewed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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

    @field_validator("message", "suggestion", "code")
    @classmethod
    def _printable(cls, text: str | None) -> str | None:
        """Bytes that were not UTF-8 travel as surrogate escapes; every report shows them as U+FFFD."""
        if text is None:
            return None
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    def at_least(self, level: str) -> bool:
        return SEVERITY_RANK[self.severity] >= SEVERITY_RANK[level]


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


class Summary(BaseModel):
    files_changed: int
    files_reviewed: int
    added_lines: int
    findings: int
    by_severity: dict[str, int]
    by_source: dict[str, int]
    filtered_out: int
    """Findings the analyzers reported outside what ``--filter`` shows."""


class ReviewResult(BaseModel):
    findings: list[Finding]
    coverage: Coverage
    summary: Summary
