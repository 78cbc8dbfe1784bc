"""Secrets a change adds, found with the same patterns the router redacts with."""

from __future__ import annotations

from devcopilot.core.findings import Finding
from devcopilot.core.redaction import find_secrets
from devcopilot.core.secret_detectors import CREDENTIAL_KINDS, SHAPE_KIND, looks_real
from devcopilot.jobs.review.analyzers.base import ReviewInput, line_finding, line_of

COMMITTED_MESSAGE = (
    "secret committed ({kind}): move it to a secret store and rotate it; it stays in the git history"
)
FIXTURE_KINDS = CREDENTIAL_KINDS | {SHAPE_KIND}
"""In a test, a literal password, secret, URL password, Authorization header or random value of no
known format (a nonce, a cookie) is a fixture; a token in a provider's own format never is."""


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
