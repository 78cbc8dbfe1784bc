"""Text in a change that tries to steer an AI reviewer, or hides what a human reviewer sees.

Hidden and bidirectional Unicode makes code read differently from how it runs
(the "Trojan Source" attack); text aimed at an AI reviewer (``core.injection``:
chat-template tokens, role claims, instructions to drop rules, lower findings,
answer a fixed word or stay silent) tries to talk a model into silence. Both are
reported as findings the model cannot lower: model output can only ever add findings.
A line only the learned steering score flags is reported apart, as information: a
score is less certain than a named move.
"""

from __future__ import annotations

import re
import unicodedata

from devcopilot.core.findings import Finding, Severity
from devcopilot.core.injection import LEARNED, find_injection
from devcopilot.jobs.review.analyzers.base import ReviewInput, line_finding
from devcopilot.jobs.review.files import ReviewFile

# Bidirectional overrides and isolates, zero-width characters, the word joiner, the invisible
# operators, and the Unicode tag block (invisible ASCII look-alikes).
_HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060-\u2064\ufeff\U000e0000-\U000e007f]")
HIDDEN_MESSAGE = "hidden or bidirectional Unicode ({names}): the code may not read as it runs"
ADDRESSED_MESSAGE = (
    "text aimed at an AI reviewer ({family}): it cannot change this review, but ask why it is here"
)
RESEMBLES_MESSAGE = (
    "reads like text aimed at an AI reviewer (a learned score; no rule names the phrasing): it cannot"
    " change this review, but ask why it is here"
)


class InjectionAnalyzer:
    name = "injection"

    def unavailable_reason(self) -> str | None:
        return None

    def analyze(self, review: ReviewInput) -> list[Finding]:
        findings = []
        for file in review.files:
            for number, line in enumerate(file.text.splitlines(), start=1):
                if number not in file.changed.added_lines:
                    continue
                hidden = _HIDDEN.findall(line)
                if number == 1 and line.startswith("\ufeff"):
                    hidden = hidden[1:]  # a byte-order mark opening the file is only that
                if hidden:
                    names = ", ".join(sorted({unicodedata.name(ch, f"U+{ord(ch):04X}") for ch in hidden}))
                    message = HIDDEN_MESSAGE.format(names=names)
                    findings.append(self._finding(file, number, "error", "hidden-unicode", message))
                aimed = find_injection(line)
                if aimed is not None and aimed.family == LEARNED:
                    # a score, not a named move: it is told apart so it can be filtered on its own
                    finding = self._finding(file, number, "info", "resembles-steering", RESEMBLES_MESSAGE)
                    findings.append(finding)
                elif aimed is not None:
                    message = ADDRESSED_MESSAGE.format(family=aimed.family)
                    findings.append(self._finding(file, number, "warning", "addressed-to-ai", message))
        return findings

    def _finding(self, file: ReviewFile, line: int, severity: Severity, rule: str, message: str) -> Finding:
        return line_finding(
            self.name, file, line, f"injection/{rule}", message, severity=severity, category="security"
        )
