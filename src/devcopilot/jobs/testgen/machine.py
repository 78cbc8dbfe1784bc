"""Leave open what in an observed value names the machine it was seen on, and pin the rest.

A characterization test written on a laptop runs next on CI. A value that
spells out the interpreter's version, the platform, the host or the versions
of other installed packages holds only where it was seen, so a test pinning it
verbatim fails on the next machine for no fault of the code. The sandbox's
driver lists those strings (``driver.machine_strings``); the spans of a value
that match them become ``.*`` in a pattern the test checks with
``re.fullmatch``, and every other character stays pinned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SEPARATORS = frozenset(" \t,;|+")
"""What may stand between two machine strings that are masked as one (a list of package versions)."""


def normalized(name: str) -> str:
    """A package name as its users spell it anywhere: case and ``-``/``_``/``.`` do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def machine_spans(text: str, strings: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    """Where ``text`` names the machine: each string as a whole token, a bare version only on a line
    that names the package it goes with. Spans that touch or are only separators apart merge,
    so a list whose length differs between machines is left open as one."""
    spans: list[tuple[int, int]] = []
    plain = normalized(text)
    for value, beside in strings:
        if value not in text or (beside and normalized(beside) not in plain):
            continue
        token = rf"(?<![\w.]){re.escape(value)}(?!\w|\.\d)"
        for found in re.finditer(token, text):
            start, end = found.span()
            line_end = text.find("\n", end)
            line = text[text.rfind("\n", 0, start) + 1 : None if line_end < 0 else line_end]
            if not beside or normalized(beside) in normalized(line):
                spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or set(text[merged[-1][1] : start]) <= SEPARATORS):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def machine_pattern(text: str, strings: Sequence[tuple[str, str]]) -> str | None:
    """A ``re.fullmatch`` pattern for ``text`` that leaves the machine's strings open, or None when
    ``text`` names nothing of the machine. ``.*`` stops at a line's end, so lines stay pinned."""
    spans = machine_spans(text, strings)
    if not spans:
        return None
    pieces, at = [], 0
    for start, end in spans:
        pieces += [escaped(text[at:start]), ".*"]
        at = end
    pieces.append(escaped(text[at:]))
    return "".join(pieces)


def escaped(text: str) -> str:
    """``re.escape`` without the escapes a pattern outside a character class and verbose mode does
    not need, so the test reads close to the value it pins."""
    return re.escape(text).replace("\\ ", " ").replace("\\-", "-").replace("\\\n", "\\n")
