"""What ``docs check`` returns: findings on documentation lines, and what was and was not checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from devcopilot.core.findings import Finding, SuppressionCounts, severity_counts
from devcopilot.core.verdicts import ModelPass


class DocumentFreshness(BaseModel):
    path: str
    updated: str | None
    """When git last changed the document (ISO 8601), ``None`` when it is not committed."""
    code_updated: str | None
    """When git last changed any code the document references."""
    fresh: bool
    """Changed no more than a day before the code it references last changed, or after."""


class Freshness(BaseModel):
    documents: list[DocumentFreshness] = Field(default_factory=list)

    @property
    def share(self) -> float | None:
        """The docs job's metric: the share of documents updated within a day of the code they reference."""
        judged = [d for d in self.documents if d.code_updated and d.updated]
        return sum(d.fresh for d in judged) / len(judged) if judged else None


class Breakage(BaseModel):
    """A public name, option or key the change since ``--since`` removed or changed incompatibly."""

    name: str
    kind: str
    commit: str | None
    """The commit that broke it (``None``: the working tree's uncommitted change)."""
    subject: str | None = None
    documents: list[str] = Field(default_factory=list)


class DocsCheckResult(BaseModel):
    findings: list[Finding]
    documents: list[str]
    skipped: dict[str, str] = Field(default_factory=dict)
    """Documentation files not read, and why."""
    checked: dict[str, int] = Field(default_factory=dict)
    """What was checked, by kind (references, links, commands, settings, blocks)."""
    not_run: dict[str, int] = Field(default_factory=dict)
    """Code blocks and external links not judged, counted by reason."""
    since: str | None = None
    breakages: list[Breakage] = Field(default_factory=list)
    freshness: Freshness = Field(default_factory=Freshness)
    left_out: SuppressionCounts = Field(default_factory=SuppressionCounts)

    @property
    def job(self) -> str:
        return "docs"

    def headline(self) -> str:
        shown = severity_counts(self.findings)
        scope = f" broken since {self.since}" if self.since else ""
        return f"devcopilot docs check: {len(self.documents)} document(s) checked, {shown}{scope}"

    def coverage_lines(self) -> list[str]:
        lines = []
        if self.checked:
            lines.append("checked: " + ", ".join(f"{n} {kind}" for kind, n in self.checked.items()))
        for reason, count in sorted(self.not_run.items()):
            lines.append(f"not run: {count} {reason}")
        for path, reason in sorted(self.skipped.items()):
            lines.append(f"skipped {path}: {reason}")
        share = self.freshness.share
        if share is not None:
            judged = sum(1 for d in self.freshness.documents if d.code_updated and d.updated)
            lines.append(f"freshness: {share:.0%} of {judged} document(s) updated within a day of their code")
        if left_out := self.left_out.line():
            lines.append(left_out)
        return lines

    def reaches(self, level: str) -> bool:
        return any(f.at_least(level) for f in self.findings)

    def model_summary(self) -> ModelPass | None:
        return None

    def job_run_fields(self) -> Mapping[str, Any]:
        return {
            "docs.documents": len(self.documents),
            "docs.findings": len(self.findings),
            "docs.freshness": self.freshness.share,
            "docs.since": self.since,
            "docs.breakages": len(self.breakages),
        }
