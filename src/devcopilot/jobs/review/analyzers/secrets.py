"""Secrets a change adds, found with the same patterns the router redacts with."""

from __future__ import annotations

from devcopilot.core.redaction import find_secrets
from devcopilot.jobs.review.analyzers.base import ReviewInput, line_of
from devcopilot.jobs.review.findings import Finding

# A literal password or secret assigned in a test is a fixture; a token in a real format never is.
FIXTURE_KINDS = frozenset({"password", "secret"})


class SecretsAnalyzer:
    name = "secrets"

    def unavailable_reason(self) -> str | None:
        return None

    def analyze(self, review: ReviewInput) -> list[Finding]:
        findings = []
        for file in review.files:
            for kind, start, _end in find_secrets(file.text):
                if file.kind == "test" and kind in FIXTURE_KINDS:
                    continue
                line = line_of(file.text, start)
                findings.append(
                    Finding(
                        path=file.path,
                        line=line,
                        end_line=line,
                        severity="error",
                        category="security",
                        rule=f"secret/{kind}",
                        source=self.name,
                        message=f"secret committed ({kind}): move it to a secret store and rotate it; "
                        "it stays in the git history",
                    )
                )
        return findings
