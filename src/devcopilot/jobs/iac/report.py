"""The iac job's results: what ``detect`` found, what ``generate`` made, what ``check`` reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from devcopilot.core.findings import Finding, SuppressionCounts, severity_counts
from devcopilot.core.verdicts import ModelPass
from devcopilot.jobs.iac.detect.model import Detection


class DetectResult(Detection):
    def reaches(self, level: str) -> bool:
        return False

    def model_summary(self) -> ModelPass | None:
        return None

    def job_run_fields(self) -> Mapping[str, Any]:
        return {"iac.apps": len(self.apps), "iac.ecosystems": sorted({a.ecosystem for a in self.apps})}


class GeneratedFile(BaseModel):
    path: str
    template: str
    template_version: str
    template_sha256: str
    overridden: bool
    source: str = "template"
    """``template``, or ``model`` when a model's version passed every check and replaced it."""
    status: str
    """``new``, ``unchanged``, ``differs`` (an existing file, left alone without --write), ``written``."""
    content: str
    diff: str = ""


class GenerateResult(BaseModel):
    apps: list[str]
    files: list[GeneratedFile]
    notes: list[str] = Field(default_factory=list)
    """Apps left without a file, and why."""
    model: ModelPass | None = None
    unmet: list[str] = Field(default_factory=list)
    """Files where the change asked for with --describe passed no check: then nothing was written."""

    def reaches(self, level: str) -> bool:
        return bool(self.unmet)

    def model_summary(self) -> ModelPass | None:
        return self.model

    def job_run_fields(self) -> Mapping[str, Any]:
        return {
            "iac.generated": [f.path for f in self.files],
            "iac.templates": {f.template: f.template_sha256 for f in self.files},
        }


class ToolStatus(BaseModel):
    name: str
    status: str
    """``ran``, ``skipped`` or ``failed``."""
    reason: str | None = None


class CheckResult(BaseModel):
    findings: list[Finding]
    files: list[str]
    tools: list[ToolStatus]
    left_out: SuppressionCounts = Field(default_factory=SuppressionCounts)

    @property
    def job(self) -> str:
        return "iac"

    def headline(self) -> str:
        shown = severity_counts(self.findings)
        return f"devcopilot iac check: {len(self.files)} file(s) checked, {shown}"

    def coverage_lines(self) -> list[str]:
        lines = [f"{t.name}: {t.status}" + (f" ({t.reason})" if t.reason else "") for t in self.tools]
        if left_out := self.left_out.line():
            lines.append(left_out)
        return lines

    def reaches(self, level: str) -> bool:
        return any(f.at_least(level) for f in self.findings)

    def model_summary(self) -> ModelPass | None:
        return None

    def job_run_fields(self) -> Mapping[str, Any]:
        return {"iac.files": len(self.files), "iac.findings": len(self.findings)}
