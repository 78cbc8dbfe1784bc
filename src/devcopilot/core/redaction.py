"""Redact secrets before any text leaves the machine or reaches the provenance log.

Each secret is replaced by a placeholder that keeps its kind
(``[REDACTED:aws-access-key]``), so a model can still reason about what was
there ("a hard-coded AWS key") without ever seeing it. The detectors are
``secret_detectors``: the same ones the review uses to report a secret a change
adds, so what is reported is redacted and the other way round.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from devcopilot.core import secret_detectors


@dataclass
class Redaction:
    text: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def placeholder(kind: str) -> str:
    return f"[REDACTED:{kind}]"


PERSONAL = re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b")
"""Personal data (e-mail addresses): redacted where a job asks for it (logs), not reported as a secret."""


def redact(text: str, *, personal: bool = False) -> Redaction:
    """Replace every secret (with ``personal``, personal data too) by a placeholder naming its kind."""
    redacted, counts = _redacted(text, personal)
    return Redaction(redacted, Counter(dict(counts)))


@lru_cache(maxsize=64)
def _redacted(text: str, personal: bool) -> tuple[str, tuple[tuple[str, int], ...]]:
    """Cached: a run sends the same system prompt and instructions with every request."""
    counts: Counter[str] = Counter()
    pieces: list[str] = []
    done = 0
    for hit in secret_detectors.find(text, unlabelled=True):
        pieces += [text[done : hit.start], placeholder(hit.kind)]
        counts[hit.kind] += 1
        done = hit.end
    pieces.append(text[done:])
    redacted = "".join(pieces)
    if personal:
        redacted, emails = PERSONAL.subn(placeholder("email"), redacted)
        if emails:
            counts["email"] += emails
    return redacted, tuple(counts.items())


def find_secrets(text: str) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of each secret in ``text``, for analyzers that report rather than redact."""
    return [(hit.kind, hit.start, hit.end) for hit in secret_detectors.find(text)]
