"""A finding on a line of a file: what every job that checks something reports, in one shape.

``review``, and next ``iac check`` and ``docs check``, report ``Finding`` objects in
a result that satisfies ``FindingsReport``, so each of them gets every output
format (``core.formats``), suppressions and baselines (``core.suppressions``)
without writing them again.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

Severity = Literal["error", "warning", "info"]
Category = Literal["bug", "security", "performance", "maintainability", "documentation", "configuration"]
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


def fingerprint(finding: Finding) -> str:
    """The rule, the path and the code (whitespace folded), not the line: moving code keeps its alerts."""
    code = " ".join((finding.code or "").split())
    return hashlib.sha256(f"{finding.rule}\0{finding.path}\0{code}".encode()).hexdigest()


class SuppressionCounts(BaseModel):
    """What was left out of a report, and why; shown in every format so nothing disappears silently."""

    suppressed: int = 0
    """By an inline ``devcopilot: ignore[rule] reason`` comment the base commit already had."""
    baselined: int = 0
    """By the baseline file as the base commit has it."""
    not_applied: int = 0
    """Inline suppressions the change itself adds: they take effect once the change is merged."""

    def line(self) -> str | None:
        """The report line saying what was left out, when anything was."""
        if not (self.suppressed or self.baselined):
            return None
        return f"left out: {self.suppressed} suppressed, {self.baselined} baselined"


def severity_counts(findings: list[Finding]) -> str:
    """``2 error, 1 warning``, or ``no findings``: how every findings job's headline counts."""
    counts = Counter(f.severity for f in findings)
    return ", ".join(f"{counts[s]} {s}" for s in ("error", "warning", "info") if counts[s]) or "no findings"


class FindingsReport(Protocol):
    """A job result that formats can render: findings plus a headline and coverage lines."""

    @property
    def findings(self) -> list[Finding]: ...

    @property
    def job(self) -> str: ...

    def headline(self) -> str:
        """One sentence: what was checked and what was found."""
        ...

    def coverage_lines(self) -> list[str]:
        """What was and was not checked (tools skipped, files left out), one item each."""
        ...
