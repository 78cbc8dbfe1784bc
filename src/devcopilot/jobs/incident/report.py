"""The incident report: its schema (the JSON output) and its text and markdown renderings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from devcopilot.core.verdicts import ModelPass


class Evidence(BaseModel):
    ref: str
    """``file:line`` of the log."""
    template_id: str
    template: str
    count: int
    hosts: list[str] = Field(default_factory=list)
    """The first few hosts or nodes its lines came from, when the log's header names them."""


class CommitRef(BaseModel):
    sha: str
    subject: str
    author: str
    date: str
    files: list[str]
    score: float
    reasons: list[str]


class Hypothesis(BaseModel):
    title: str
    confidence: str
    source: str = "engine"
    explanation: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    commits: list[CommitRef] = Field(default_factory=list)


class TimelineEntry(BaseModel):
    time: str | None
    ref: str
    what: str


class SimilarIncident(BaseModel):
    id: str
    similarity: float
    summary: str
    resolution: str | None


class IncidentReport(BaseModel):
    id: str
    summary: str
    impact_start: str | None
    impact_end: str | None
    detection: str
    errors: int
    warnings: int
    timeline: list[TimelineEntry]
    hypotheses: list[Hypothesis]
    next_checks: list[str]
    mitigations: list[str] = Field(default_factory=list)
    open_questions: list[str]
    similar: list[SimilarIncident]
    sources: dict[str, str]
    lines: int
    events: int
    templates: int
    model: ModelPass | None = None

    def reaches(self, level: str) -> bool:
        """An explanation is not a check: it never fails a pipeline."""
        return False

    def model_summary(self) -> ModelPass | None:
        return self.model

    def job_run_fields(self) -> Mapping[str, Any]:
        return {
            "incident.id": self.id,
            "incident.lines": self.lines,
            "incident.events": self.events,
            "incident.templates": self.templates,
            "incident.hypotheses": len(self.hypotheses),
        }


class Example(BaseModel):
    ref: str
    text: str


class TemplateRow(BaseModel):
    template_id: str
    template: str
    count: int
    first_seen: str | None
    last_seen: str | None
    example: Example


class LineEntry(BaseModel):
    source: str
    line: int
    template_id: str | None
    template: str | None


class TemplatesResult(BaseModel):
    """``incident templates --format json``: written as a stream, ``lines`` last (one per input line)."""

    templates: list[TemplateRow]
    notes: list[str]
    lines: list[LineEntry]


class FileLayout(BaseModel):
    """How ``incident formats`` read one log: the layout, its pattern, and how much of the log it fits."""

    file: str
    kind: str
    """``configured`` (``[incident] formats``), ``known``, ``inferred``, ``json``, ``logfmt``,
    ``k8s-events``, or ``none`` (read one event per line)."""
    layout: str | None = None
    pattern: str | None = None
    """The pattern to keep in ``[incident] formats``, or the hand-written regex of a known layout."""
    fields: list[str] = Field(default_factory=list)
    timestamp: str | None = None
    """The timestamp's form in the grammar (``Y-m-d``, ``b-d``, ``epoch``...) or its ``strptime`` format."""
    lines: int = 0
    """Non-blank lines read."""
    matched: int = 0
    """Of those, lines the layout reads as a header line (the rest are traces or stray lines)."""
    example_line: int | None = None
    example: dict[str, str] = Field(default_factory=dict)
    """The first matching line's fields, redacted."""


class FormatsResult(BaseModel):
    files: list[FileLayout]

    def reaches(self, level: str) -> bool:
        return False

    def model_summary(self) -> ModelPass | None:
        return None

    def job_run_fields(self) -> Mapping[str, Any]:
        return {
            "incident.layouts": [f.kind for f in self.files],
            "incident.lines": sum(f.lines for f in self.files),
            "incident.matched": sum(f.matched for f in self.files),
        }


class IncidentList(BaseModel):
    incidents: list[dict[str, Any]]
    """The remembered incidents, newest first: id, created, summary, impact_start, resolution..."""


def render_text(report: IncidentReport) -> str:
    out = [f"incident {report.id}: {report.summary}", ""]
    out.append(f"impact window: {report.impact_start or '?'} .. {report.impact_end or '?'}")
    out.append(f"detected by: {report.detection}")
    out.append(f"read: {report.lines} lines, {report.events} events, {report.templates} templates")
    out.append("")
    out.append("hypotheses:")
    if not report.hypotheses:
        out.append("  none: nothing in the logs stands out")
    for number, hypothesis in enumerate(report.hypotheses, start=1):
        out.append(f"  {number}. [{hypothesis.confidence}] {hypothesis.title} ({hypothesis.source})")
        if hypothesis.explanation:
            out.append(f"     {hypothesis.explanation}")
        for evidence in hypothesis.evidence:
            out.append(
                f"     evidence {evidence.ref} {evidence.template_id} x{evidence.count}: {evidence.template}"
                + (f" (on {', '.join(evidence.hosts)})" if evidence.hosts else "")
            )
        for commit in hypothesis.commits:
            out.append(f"     commit {commit.sha[:12]} {commit.subject} ({'; '.join(commit.reasons)})")
    out.extend(_section("timeline", [f"{e.time or '?'} {e.ref} {e.what}" for e in report.timeline]))
    out.extend(_section("next checks", report.next_checks))
    out.extend(_section("mitigations", report.mitigations))
    out.extend(_section("open questions", report.open_questions))
    similar = [
        f"{s.id} ({s.similarity:.0%} alike): {s.summary}"
        + (f"; resolved: {s.resolution}" if s.resolution else "")
        for s in report.similar
    ]
    out.extend(_section("similar past incidents", similar))
    if report.model is not None:
        out.append("")
        out.append(report.model.describe() + (f"; {report.model.warning}" if report.model.warning else ""))
    return "\n".join(out) + "\n"


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return ["", f"{title}:", *(f"  - {item}" for item in items)]


def render_markdown(report: IncidentReport) -> str:
    """A postmortem draft: the usual sections, with what the engine knows filled in and the rest marked."""
    hypotheses = report.hypotheses
    root = [
        f"- **{h.title}** ({h.confidence} confidence, {h.source})"
        + "".join(f"\n  - evidence `{e.ref}` {e.template_id} x{e.count}: `{e.template}`" for e in h.evidence)
        for h in hypotheses
    ] or ["- Not yet known: nothing in the logs stands out."]
    trigger = [
        f"- `{c.sha[:12]}` {c.subject} ({c.author}, {c.date}): {'; '.join(c.reasons)}"
        for h in hypotheses
        for c in h.commits
    ] or ["- No recent change correlates with the anomaly."]
    similar = [
        f"- {s.id} ({s.similarity:.0%} alike): {s.resolution or 'not resolved'}" for s in report.similar
    ]
    sections = [
        f"# Incident {report.id}",
        "## Summary",
        report.summary,
        "## Impact",
        f"From {report.impact_start or 'unknown'} to {report.impact_end or 'unknown'}: "
        f"{report.errors} errors and {report.warnings} warnings in {report.events} events.",
        "## Root causes",
        "\n".join(root),
        "## Trigger",
        "\n".join(trigger),
        "## Resolution",
        "\n".join(f"- {m}" for m in report.mitigations) or "_To be written._",
        "## Detection",
        report.detection,
        "## Action items",
        "\n".join(f"- [ ] `{check}`" for check in report.next_checks) or "_None yet._",
        "## Timeline",
        "\n".join(f"- {e.time or '?'} `{e.ref}` {e.what}" for e in report.timeline) or "_Empty._",
        "## Lessons learned",
        "\n".join(f"- Open question: {q}" for q in report.open_questions) or "_To be written._",
    ]
    if similar:
        sections += ["## Similar past incidents", "\n".join(similar)]
    return "\n\n".join(sections) + "\n"
