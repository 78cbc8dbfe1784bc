"""Secrets a change adds, found with the same patterns the router redacts with."""

from __future__ import annotations

import math
import re
from collections import Counter

from devcopilot.core.findings import Finding
from devcopilot.core.redaction import find_secrets
from devcopilot.jobs.review.analyzers.base import ReviewInput, line_finding, line_of

COMMITTED_MESSAGE = (
    "secret committed ({kind}): move it to a secret store and rotate it; it stays in the git history"
)
# A literal password or secret assigned in a test is a fixture; a token in a real format never is.
FIXTURE_KINDS = frozenset({"password", "secret"})
# Provider documentation's own example values (AWS's ...EXAMPLE keys) and obvious placeholders.
_PLACEHOLDER = re.compile(r"EXAMPLE|example|placeholder|dummy|changeme|your[_-]?(?:key|token|secret)", re.I)
MIN_ENTROPY_BITS = 3.0
"""Per character. Real keys are random; ``aaaa...`` or ``a1B2a1B2...`` only look like keys."""
_STRUCTURED_KINDS = frozenset({"private-key", "jwt", "slack-webhook"})


def looks_real(kind: str, value: str) -> bool:
    """Whether a matched secret is plausibly real rather than an example or a placeholder."""
    if _PLACEHOLDER.search(value):
        return False
    if kind in _STRUCTURED_KINDS or kind in FIXTURE_KINDS:
        return True
    body = value.split("_", 1)[-1] if "_" in value[:12] else value
    return shannon_entropy(body) >= MIN_ENTROPY_BITS


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


class SecretsAnalyzer:
    name = "secrets"

    def unavailable_reason(self) -> str | None:
        return None

    def analyze(self, review: ReviewInput) -> list[Finding]:
        findings = []
        for file in review.files:
            for kind, start, end in find_secrets(file.text):
                if file.kind == "test" and kind in FIXTURE_KINDS:
                    continue
                if not looks_real(kind, file.text[start:end]):
                    continue
                message = COMMITTED_MESSAGE.format(kind=kind)
                line = line_of(file.text, start)
                findings.append(
                    line_finding(
                        self.name,
                        file,
                        line,
                        f"secret/{kind}",
                        message,
                        severity="error",
                        category="security",
                    )
                )
        return findings
