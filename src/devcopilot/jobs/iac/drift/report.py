"""``iac drift``'s result: findings in the shared shape, the differences behind them, and the audit record."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import BaseModel, Field

from devcopilot.core.findings import Finding, SuppressionCounts
from devcopilot.core.verdicts import ModelPass
from devcopilot.jobs.iac.drift import severity
from devcopilot.jobs.iac.drift.engine import ObjectDrift, Outcome, secret_key_paths
from devcopilot.jobs.iac.drift.lines import line_of
from devcopilot.jobs.iac.drift.paths import show

HIDDEN = "(hidden)"


class DiffEntry(BaseModel):
    object: str
    path: str
    change: str
    """Fields: ``changed``, ``added`` (live only), ``removed`` (declared only).

    Objects: ``missing`` (declared only), ``undeclared`` (live only).
    """
    declared: Any = None
    live: Any = None
    written_by: list[str] = Field(default_factory=list)
    rule: str
    severity: str
    explanation: str | None = None
    """The model's explanation, shown only when it passed its check (it names this difference)."""


class DriftResult(BaseModel):
    findings: list[Finding]
    differences: list[DiffEntry]
    declared: int
    live: int
    matched: int
    left_out_by_reason: dict[str, int]
    inputs: dict[str, str]
    """sha256 of the declared and the live input, for the audit trail."""
    left_out: SuppressionCounts = Field(default_factory=SuppressionCounts)
    notes: list[str] = Field(default_factory=list)
    model: ModelPass | None = None
    proposed_ignore: list[dict[str, Any]] = Field(default_factory=list)
    """Ignore rules a model proposed that silence exactly what they name and no injected real change.

    Shown for a person to add to an ``--ignore`` file; they never silence anything in this run.
    """

    def model_lines(self) -> list[str]:
        """The model's checked explanations and proposed ignore rules, for the text report."""
        lines = [
            f"explained: {d.object} {d.path}: {d.explanation}" for d in self.differences if d.explanation
        ]
        if self.proposed_ignore:
            lines.append("proposed ignore rules (checked; add them to an --ignore file to use them):")
            text = yaml.safe_dump(self.proposed_ignore, sort_keys=False)
            lines += [f"  {line}" for line in text.splitlines()]
        return lines

    @property
    def job(self) -> str:
        return "iac"

    def headline(self) -> str:
        changes = Counter(d.change for d in self.differences)
        shown = ", ".join(f"{n} {c}" for c, n in sorted(changes.items())) or "no drift"
        counted = f"{self.declared} declared, {self.live} live, {self.matched} matched"
        return f"devcopilot iac drift: {counted}; {shown}"

    def coverage_lines(self) -> list[str]:
        lines = []
        if self.left_out_by_reason:
            reasons = ", ".join(f"{n} {r}" for r, n in sorted(self.left_out_by_reason.items()))
            lines.append(f"not drift: {reasons}")
        if left_out := self.left_out.line():
            lines.append(left_out)
        return lines + self.notes

    def reaches(self, level: str) -> bool:
        return any(f.at_least(level) for f in self.findings)

    def model_summary(self) -> ModelPass | None:
        return self.model

    def job_run_fields(self) -> Mapping[str, Any]:
        return {
            "iac.drift.inputs": self.inputs,
            "iac.drift.changes": dict(Counter(d.change for d in self.differences)),
            "iac.drift.objects": sorted({d.object for d in self.differences}),
            "iac.drift.not_drift": self.left_out_by_reason,
        }


def _value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def entries_and_findings(outcome: Outcome, live_source: str) -> tuple[list[DiffEntry], list[Finding]]:
    entries: list[DiffEntry] = []
    findings: list[Finding] = []
    for drift in outcome.objects:
        if drift.status in ("missing", "undeclared"):
            entry, finding = _object_level(drift, live_source)
            entries.append(entry)
            findings.append(finding)
            continue
        for position, difference in enumerate(drift.differences):
            rule = severity.rule_for(drift.ref.kind, difference.path)
            hidden = secret_key_paths(drift.ref.kind, difference.path)
            writers = [str(w) for w in drift.owners.get(position, [])]
            where = show(difference.path)
            entries.append(
                DiffEntry(
                    object=str(drift.ref),
                    path=where,
                    change=difference.change,
                    declared=HIDDEN if hidden and difference.desired is not None else difference.desired,
                    live=HIDDEN if hidden and difference.live is not None else difference.live,
                    written_by=writers,
                    rule=rule.rule,
                    severity=rule.severity,
                )
            )
            message = _message(str(drift.ref), where, difference.change, difference, hidden)
            if writers:
                message += f" (written by {', '.join(writers)})"
            declared = drift.declared
            if declared is None:
                continue
            line = line_of(declared.file, declared.document, difference.path, declared.line)
            findings.append(
                Finding(
                    path=declared.file,
                    line=line,
                    end_line=line,
                    severity=rule.severity,
                    category=rule.category,
                    rule=rule.rule,
                    source="builtin",
                    message=message,
                    code=f"{drift.ref} {where}",
                )
            )
    return entries, findings


def _message(ref: str, where: str, change: str, difference: Any, hidden: bool) -> str:
    if hidden:
        key = where.split("[", 1)[-1].rstrip("]").strip('"') if "[" in where else where.rsplit(".", 1)[-1]
        said = {"changed": "changed live", "added": "added live", "removed": "missing live"}[change]
        return f"{ref}: Secret key {key} {said} (values are never shown)"
    if change == "changed":
        return f"{ref}: {where} is {_value(difference.live)} live, {_value(difference.desired)} declared"
    if change == "added":
        return f"{ref}: {where} is set live ({_value(difference.live)}) and not declared"
    return f"{ref}: {where} is declared ({_value(difference.desired)}) and not set live"


def _object_level(drift: ObjectDrift, live_source: str) -> tuple[DiffEntry, Finding]:
    missing = drift.status == "missing"
    rule, level = severity.MISSING if missing else severity.UNDECLARED
    entry = DiffEntry(object=str(drift.ref), path="", change=drift.status, rule=rule, severity=level)
    if drift.declared is not None:
        path, line, message = (
            drift.declared.file,
            drift.declared.line,
            f"{drift.ref} is declared and not in the cluster",
        )
    else:
        path, line, message = live_source, 1, f"{drift.ref} is in the cluster and not declared"
    finding = Finding(
        path=path,
        line=line,
        end_line=line,
        severity=level,
        category="configuration",
        rule=rule,
        source="builtin",
        message=message,
        code=str(drift.ref),
        scope="file" if not missing else "line",
    )
    return entry, finding
