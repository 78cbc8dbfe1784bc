"""What a review reports: findings on lines, and how much of the change was reviewed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from devcopilot.core.findings import Finding, SuppressionCounts
from devcopilot.core.verdicts import ModelPass


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
    left_out: SuppressionCounts = Field(default_factory=SuppressionCounts)


class ReviewResult(BaseModel):
    findings: list[Finding]
    coverage: Coverage
    summary: Summary
    patch: str = Field(default="", exclude=True)
    """The verified suggestions as a unified diff (written only with ``--patch``)."""

    @property
    def job(self) -> str:
        return "review"

    def headline(self) -> str:
        summary = self.summary
        counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.by_severity.items())) or "no findings"
        left_out = summary.left_out
        extra = "".join(
            f"; {count} {what}"
            for what, count in (("suppressed", left_out.suppressed), ("baselined", left_out.baselined))
            if count
        )
        return (
            f"Reviewed {summary.files_reviewed} of {summary.files_changed} changed files "
            f"({summary.added_lines} added lines): {counts}{extra}"
        )

    def coverage_lines(self) -> list[str]:
        lines = [
            f"analyzer `{a.name}`: {a.status}" + (f" ({a.reason})" if a.reason else "")
            for a in self.coverage.analyzers
        ]
        lines += [f"skipped `{s.path}`: {s.reason}" for s in self.coverage.skipped]
        if self.summary.left_out.not_applied:
            lines.append(
                f"{self.summary.left_out.not_applied} suppression comment(s) added by this change "
                "take effect once it is merged"
            )
        if self.summary.model is not None:
            lines.append(self.summary.model.describe())
        return lines

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
