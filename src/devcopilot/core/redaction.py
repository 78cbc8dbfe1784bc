"""Redact secrets before any text leaves the machine or reaches the provenance log.

Each pattern names a kind, and the placeholder keeps it
(``[REDACTED:aws-access-key]``) so that a model can still reason about what was
there ("a hard-coded AWS key") without ever seeing it. Patterns are ordered
from most to least specific: the first that claims a span wins.

The review job reuses ``SECRET_PATTERNS`` to flag secrets a change adds, so a
new pattern here is both redacted and reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial


@dataclass(frozen=True)
class SecretPattern:
    kind: str
    regex: re.Pattern[str]
    group: int = 0
    """The group holding the secret itself; the rest of the match (a key name, ``user:``) is kept."""


def _p(kind: str, pattern: str, group: int = 0, flags: int = 0) -> SecretPattern:
    return SecretPattern(kind, re.compile(pattern, flags), group)


# An assignment operator (never a comparison), then the value: a quoted literal, or a bare token
# that is not code (a call, an index, an attribute chain, a parameter's type in a signature) nor a
# reference (``$VAR``, ``{{ x }}``, ``<x>``). The bare token is possessive so that the check after it
# cannot be dodged by giving back characters.
_ASSIGNED_VALUE = (
    r"""\s*(?::=|=>|[:=])(?!=)\s*"""
    r"""(?:"([^"\n]{1,512})"|'([^'\n]{1,512})'"""
    r"""|(?![\w.]*[(\[])(?![A-Za-z_]\w*\.[A-Za-z_])(?!\$|\{\{|<)([^\s"',;#=()\[\]{}]{1,512}+)(?![)\],]))"""
)

SECRET_PATTERNS: tuple[SecretPattern, ...] = (
    _p(
        "private-key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
    ),
    _p("aws-access-key", r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b"),
    _p(
        "aws-secret-key",
        r"(?i)\baws_?secret_?(?:access_?)?key\b[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
        1,
    ),
    _p("gcp-api-key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    _p("gcp-oauth-token", r"\bya29\.[0-9A-Za-z_\-]{20,}"),
    _p("azure-storage-key", r"(?i)\bAccountKey=([A-Za-z0-9+/]{86,88}={0,2})", 1),
    _p(
        "azure-client-secret",
        r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.-])",
    ),
    _p("azure-sas-token", r"(?i)[?&]sig=([A-Za-z0-9%+/=]{40,})", 1),
    _p("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b"),
    _p("gitlab-token", r"\bgl(?:pat|dt|ptt|rt|soat|ft|imt|agent|cbt)-[A-Za-z0-9_\-]{20,}\b"),
    _p("slack-webhook", r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/_\-]{20,}"),
    _p("slack-token", r"\bxox[abposre]-(?:\d+-)?[A-Za-z0-9\-]{10,}\b"),
    _p("stripe-key", r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b"),
    _p("anthropic-key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{20,}"),
    _p(
        "openai-key",
        r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}(?:T3BlbkFJ[A-Za-z0-9_\-]{20,})?",
    ),
    _p("jwt", r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
    _p("url-password", r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/?#\s@\"']+:([^@/?#\s\"']+)@", 1),
    _p(
        "password",
        r"(?i)\b[\w.\-]*(?:password|passwd|passphrase|pwd)[\w\-]*[\"']?" + _ASSIGNED_VALUE,
    ),
    _p(
        "secret",
        r"(?i)\b[\w.\-]*(?:secret|api_?key|access_?token|auth_?token|private_?key|client_?secret)[\w\-]*[\"']?"
        + _ASSIGNED_VALUE,
    ),
)

_VALUE_GROUPS = (1, 2, 3)
_ASSIGNMENT_KINDS = frozenset({"password", "secret"})
# Assignments whose "value" is a placeholder or a language constant hold no secret.
_HARMLESS_VALUES = frozenset(
    {"", "none", "null", "nil", "true", "false", "changeme", "xxx", "***", "redacted"}
)


@dataclass
class Redaction:
    text: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def placeholder(kind: str) -> str:
    return f"[REDACTED:{kind}]"


PERSONAL_PATTERNS: tuple[SecretPattern, ...] = (
    _p("email", r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b"),
)
"""Personal data: redacted where a job asks for it (logs), not reported as a secret by the review."""


def redact(text: str, *, personal: bool = False) -> Redaction:
    """Replace every secret (with ``personal``, personal data too) by a placeholder naming its kind."""
    counts: Counter[str] = Counter()
    for pattern in (*SECRET_PATTERNS, *PERSONAL_PATTERNS) if personal else SECRET_PATTERNS:
        text = pattern.regex.sub(partial(_replace, pattern=pattern, counts=counts), text)
    return Redaction(text, counts)


def find_secrets(text: str) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of each secret in ``text``, for analyzers that report rather than redact."""
    found: list[tuple[str, int, int]] = []
    for pattern in SECRET_PATTERNS:
        for match in pattern.regex.finditer(text):
            span = _secret_span(match, pattern)
            if span is not None and not any(s < span[1] and span[0] < e for _, s, e in found):
                found.append((pattern.kind, *span))
    return sorted(found, key=lambda item: item[1])


def _secret_span(match: re.Match[str], pattern: SecretPattern) -> tuple[int, int] | None:
    """Where the secret itself lies in the match, or ``None`` when the match holds no real secret."""
    if pattern.kind in _ASSIGNMENT_KINDS:
        group = next((g for g in _VALUE_GROUPS if match.group(g) is not None), None)
        if group is None:
            return None
        span = match.span(group)
    else:
        span = match.span(pattern.group)
    value = match.string[span[0] : span[1]]
    if value.strip().lower() in _HARMLESS_VALUES or value.startswith("[REDACTED:"):
        return None
    return span


def _replace(match: re.Match[str], *, pattern: SecretPattern, counts: Counter[str]) -> str:
    span = _secret_span(match, pattern)
    if span is None:
        return match.group(0)
    counts[pattern.kind] += 1
    offset = match.start()
    whole = match.group(0)
    return whole[: span[0] - offset] + placeholder(pattern.kind) + whole[span[1] - offset :]
