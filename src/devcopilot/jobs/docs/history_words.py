"""Whether a sentence talks about the past of the code, where an old name is the point, not a mistake.

"``BaseCommand`` was removed in 8.2", "deprecated since 2.0: use ``X``",
"renamed from ``old``": a reference in such a sentence is not stale. Files that
are histories by nature (changelogs, release notes, upgrade and migration
guides) are left out whole, and counted.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

_PAST = re.compile(
    r"\b(deprecat\w*|remov(?:ed|al)|renamed|rename|no longer|formerly|previously|"
    r"instead of|replaced|replaces|superseded|obsolete|legacy|dropped|"
    r"version(?:added|changed|removed)|changed in|added in|before \d|until \d|prior to)\b",
    re.IGNORECASE,
)
_HISTORY_FILES = re.compile(
    r"^(changes|changelog|history|news|release[-_ ]?notes?|releases|upgrad\w*|migrat\w*|whats?[-_]?new)"
    r"([-_.].*)?$",
    re.IGNORECASE,
)


def talks_about_the_past(text: str) -> bool:
    return _PAST.search(text) is not None


def is_history_file(path: str) -> bool:
    return _HISTORY_FILES.match(PurePosixPath(path).stem) is not None


_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=\S)")


def past_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of the sentences in ``text`` that talk about the past."""
    spans = []
    start = 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        if talks_about_the_past(text[start:end]):
            spans.append((start, end))
        start = match.end() if match else len(text)
    return spans


def within(spans: list[tuple[int, int]], position: int) -> bool:
    return any(start <= position <= end for start, end in spans)
