"""Learn a text log's header layout from a sample of the log itself.

No list of formats: the timestamp is found with the grammar in ``stamps``
(every form at a steady token position; the header reaches at least past the
last of them), then each column after it is typed by how it varies across
lines: a level word, a number (a process id), a bracketed field (a thread, a
request id), a lone ``-``, a ``component:`` ending in a colon, an identifier
(a host, a node, a logger), or text. The header ends at the last terminator
(``component:`` or ``-``) that only header-like columns precede; without one,
after a level column and what belongs to it (brackets, numbers, a logger
before a bracket or a wide gap); without a level, after leading numbers and
brackets. Logs that separate fields with ``|``, tabs or ``;`` are read by
field. Everything before the timestamp is header. No rule names a system.

The result is a ``Layout`` like the hand-written ones: a regex with named
groups (``ts``, ``level``, ``component``, ``host``, ``pid``, ``msg``), so the
rest of the job reads an inferred log exactly as it reads a known one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

from devcopilot.jobs.incident.grok import TYPES, compile_pattern
from devcopilot.jobs.incident.layouts import LEVELS, SAMPLE_LINES, Layout, detect_layout
from devcopilot.jobs.incident.stamps import Found, find_stamps, token_spans

MIN_LINES = 5
STEADY = 0.9
"""Share of lines on which a column must have its type."""
COLON_STEADY = 0.6
"""A ``component:`` column may be missing on some lines (the regex makes it optional)."""
MAX_COLUMNS = 8
"""Columns after the timestamp looked at: a header is short."""
MIN_MATCH_SHARE = 0.5
MAX_IDENTS = 2
"""Identifiers (a host, a logger) a header may have between its structural columns."""
MAX_PREFIX_FIELDS = 3
"""Delimited fields that may come before the timestamp."""
INDEPENDENCE = 0.8
"""A column is independent of the next when knowing it removes less than a fifth of the next's entropy."""
DELIMITERS = ("|", "\t", ";")

_LEVEL_WORD = re.compile(rf"[\[(<]?\s*{LEVELS}\s*[\])>]?[:,]?")
_LETTER_LEVEL = re.compile(r"[VDIWEFA]")
_NUMBER = re.compile(r"\d+[:,]?")
_BRACKET = re.compile(r"(?:\[.*\]|\(.*\)|<.*>)[:,]?", re.DOTALL)
_COLON = re.compile(r"[\w.$@/\-<>~*#]+(?:\[[^\]\s]*\]|\([^()\s]*\))*:|\([^()]*\):")
_IDENT = re.compile(r"[\w.$@/\-:#~]+")
_MARK = re.compile(TYPES["DASH"])
"""A separator or a one-character level: ``-``, ``--``, ``:``, ``|``, redis's ``*`` and ``#``."""


@dataclass(frozen=True)
class Column:
    kind: str
    """``level``, ``letter-level``, ``number``, ``bracket``, ``dash``, ``colon``, ``ident`` or ``text``."""
    wide_gap: bool = False
    """Followed by two or more spaces on most lines: a fixed-width column."""
    distinct: int = 0
    has_digits: bool = False
    has_letters: bool = False
    independent: bool = False
    """Its value says nothing of the next column's: a header field, not a message's first word."""


def infer_layout(sample: list[str], default_year: int = 2000) -> Layout | None:
    """The header layout the sample's lines share, or ``None`` when they share none."""
    lines = [line.rstrip("\r\n") for line in sample if line.strip() and not line[:1].isspace()]
    if len(lines) < MIN_LINES:
        return None
    delimited = _delimited(lines, default_year)
    layout = delimited if delimited is not None else _spaced(lines, default_year)
    if layout is None:
        return None
    matched = sum(1 for line in lines if layout.pattern.match(line))
    return layout if matched >= MIN_MATCH_SHARE * len(lines) else None


def _delimited(lines: list[str], default_year: int) -> Layout | None:
    """A header whose fields a ``|``, a tab or a ``;`` separates, the timestamp one of the first fields."""
    for delimiter in DELIMITERS:
        if sum(1 for line in lines if line.count(delimiter) >= 2) < STEADY * len(lines):
            continue
        split = [line.split(delimiter) for line in lines]
        for position in range(MAX_PREFIX_FIELDS + 1):
            heads = [fields[position] for fields in split if len(fields) > position + 1]
            stamps = find_stamps(heads, default_year)
            if stamps and stamps[0].lines >= STEADY * len(lines):
                return _delimited_layout(split, delimiter, position, stamps[0])
    return None


def _delimited_layout(split: list[list[str]], delimiter: str, position: int, stamp: Found) -> Layout | None:
    columns = []
    for index in range(position + 1, position + 1 + MAX_COLUMNS):
        values = [fields[index].strip() for fields in split if len(fields) > index + 1]
        if len(values) < STEADY * len(split):
            break
        column = _classify(
            [value.replace(" ", "") if value.replace(" ", "").isdigit() else value for value in values], []
        )
        if column.kind in ("text", "colon", "dash"):
            break
        columns.append(column)
    sep = re.escape(delimiter)
    grok = ["%{FIELD}"] * position + [f"\\s*%{{TIMESTAMP:ts:{stamp.form.name}}}%{{FIELD}}"]
    grok += [f"%{{FIELD:{name}}}" if name else "%{FIELD}" for name in _names(columns)]
    messages = [delimiter.join(fields[position + 1 + len(columns) :]).lstrip() for fields in split]
    heads = [message.split(None, 1)[0] for message in messages if message.strip()]
    named = "component" not in _names(columns)
    if named and heads and _share(_COLON, heads) >= COLON_STEADY and len(heads) >= STEADY * len(messages):
        grok.append(r"\s*(?:%{COMPONENT:component}:\s+)?%{GREEDYDATA:msg}")  # "logger: message" last
    else:
        grok.append("%{GREEDYDATA:msg}")
    return _layout(sep.join(grok), stamp)


def _share(test: re.Pattern[str], values: list[str]) -> float:
    return sum(1 for value in values if test.fullmatch(value)) / len(values)


def _spaced(lines: list[str], default_year: int) -> Layout | None:
    stamps = find_stamps(lines, default_year)
    primary = stamps[0] if stamps else None
    header_end = max((s.end_position for s in stamps), default=0)
    tokenized = [(line, token_spans(line)) for line in lines]
    steady = [(line, spans) for line, spans in tokenized if _stamps_in_place(line, spans, stamps)]
    if primary is not None and len(steady) < MIN_MATCH_SHARE * len(lines):
        return None
    rests = [_after(line, spans, header_end) for line, spans in (steady or tokenized)]
    columns = _columns(rests)
    kept = _header_columns(columns)
    if primary is None and not kept:
        return None
    pieces = [*_prefix(stamps, header_end, steady), *_body(columns[:kept]), "%{GREEDYDATA:msg}"]
    return _layout(" ".join(pieces), primary)


def _stamps_in_place(line: str, spans: list[tuple[int, int]], stamps: list[Found]) -> bool:
    for found in stamps:
        if len(spans) < found.end_position:
            return False
        window = line[spans[found.position][0] : spans[found.end_position - 1][1]]
        if not found.form.pattern.search(window):
            return False
    return True


def _after(line: str, spans: list[tuple[int, int]], header_end: int) -> list[tuple[str, bool]]:
    """The tokens after the header's first ``header_end``, each with whether a wide gap follows it."""
    return [
        (line[start:end], line[end : end + 2] == "  ") for start, end in spans[header_end:][: MAX_COLUMNS + 2]
    ]


def _columns(rests: list[list[tuple[str, bool]]]) -> list[Column]:
    columns = []
    for index in range(MAX_COLUMNS):
        cells = [rest[index] for rest in rests if len(rest) > index + 1]  # a message follows a header column
        if len(cells) < STEADY * len(rests):
            break
        column = _classify([text for text, _ in cells], [gap for _, gap in cells])
        pairs = [(rest[index][0], rest[index + 1][0]) for rest in rests if len(rest) > index + 1]
        columns.append(replace(column, independent=_independent(pairs)))
    return columns


def _entropy(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _independent(pairs: list[tuple[str, str]]) -> bool:
    """Whether a column of few values (or one) tells nothing of the next column: a header field."""
    values = Counter(x for x, _ in pairs)
    if len(values) == 1:
        return True
    if len(values) > max(10, len(pairs) // 10):
        return False  # too many values for the estimate to mean anything
    following: dict[str, Counter[str]] = {}
    for x, y in pairs:
        following.setdefault(x, Counter())[y] += 1
    whole = _entropy(Counter(y for _, y in pairs))
    if whole == 0:
        return True  # the next column never changes: nothing to predict
    conditional = sum(values[x] / len(pairs) * _entropy(ys) for x, ys in following.items())
    return conditional >= INDEPENDENCE * whole


def _classify(values: list[str], gaps: list[bool]) -> Column:
    total = len(values)
    distinct = len(set(values))
    has_digits = sum(1 for v in values if any(c.isdigit() for c in v)) >= STEADY * total
    has_letters = sum(1 for v in values if any(c.isalpha() for c in v)) >= STEADY * total
    wide = bool(gaps) and sum(gaps) >= STEADY * len(gaps)

    def share(test: re.Pattern[str]) -> float:
        return _share(test, values)

    kind = "text"
    if share(_LEVEL_WORD) >= STEADY:
        kind = "level"
    elif share(_LETTER_LEVEL) >= STEADY and distinct >= 2:
        kind = "letter-level"
    elif share(_NUMBER) >= STEADY:
        kind = "number"
    elif share(_MARK) >= STEADY:
        kind = "dash"
    elif share(_BRACKET) >= STEADY:
        kind = "bracket"
    elif share(_COLON) >= COLON_STEADY:
        kind = "colon"
    elif share(_IDENT) >= STEADY and (distinct <= max(8, total // 10) or has_digits):
        kind = "ident"
    return Column(kind, wide, distinct, has_digits, has_letters)


STRUCTURAL = frozenset({"level", "letter-level", "number", "bracket", "dash"})


def _header_columns(columns: list[Column]) -> int:
    """How many of the columns after the timestamp are header."""
    end = _terminated(columns)
    if end:
        return end
    dependent = 0
    for index, column in enumerate(columns):
        if column.kind == "ident":
            dependent += not column.independent  # a word that predicts the next may be the message's
            if dependent > MAX_IDENTS:
                break
        elif column.kind in STRUCTURAL:
            end = index + 1  # the last level, number or bracket that only header-like columns precede
        else:
            break
    while end < len(columns) and columns[end].kind == "ident":
        column = columns[end]
        followed_by_bracket = end + 1 < len(columns) and columns[end + 1].kind == "bracket"
        after_bracket = end > 0 and columns[end - 1].kind == "bracket"
        # A bracketed field (a thread, a request id) usually closes a header: what follows it
        # belongs to the message unless it is set apart like a column.
        named = column.independent and (not after_bracket or column.has_letters)  # a name, not a value
        if not (column.wide_gap or followed_by_bracket or named):
            break
        end += 1
    return end


def _terminated(columns: list[Column]) -> int:
    """The header's end at its last terminator (``component:`` or a mark), or 0 when it has none.

    Only header-like columns may come before a terminator: structural ones, and
    at most one identifier (a host), or a few that tell nothing of what follows.
    """
    end = idents = dependent = 0
    for index, column in enumerate(columns):
        if column.kind in ("colon", "dash") and idents <= MAX_IDENTS and (idents <= 1 or not dependent):
            end = index + 1
            idents = dependent = 0
        elif column.kind == "ident":
            idents += 1
            dependent += not column.independent
        elif column.kind in STRUCTURAL:
            idents = dependent = 0
        else:
            break  # text, or a colon after words: the message has begun
    return end


def _names(columns: list[Column]) -> list[str | None]:
    """Group names for the columns: the first level, number (a process id), component and host."""
    names: list[str | None] = []
    taken: set[str] = set()
    for index, column in enumerate(columns):
        name = {
            "level": "level",
            "letter-level": "level",
            "number": "pid",
            "colon": "component",
        }.get(column.kind)
        if column.kind == "ident":
            # Before a ``component:`` or a level, an identifier names where the line came from.
            later = {c.kind for c in columns[index + 1 :]}
            name = "host" if later & {"colon", "level", "letter-level"} else "component"
        if name in taken:
            name = None
        if name:
            taken.add(name)
        names.append(name)
    return names


def _prefix(
    stamps: list[Found], header_end: int, steady: list[tuple[str, list[tuple[int, int]]]]
) -> list[str]:
    """The pattern of everything up to the last timestamp: header, token by token."""
    by_start = {found.position: found for found in stamps}
    pieces: list[str] = []
    index = 0
    while index < header_end:
        found = by_start.get(index)
        if found is None:
            pieces.append("%{TOKEN}")
            index += 1
            continue
        stamp = f"%{{TIMESTAMP:{'ts' if found is stamps[0] else ''}:{found.form.name}}}"
        bracketed = sum(1 for line, spans in steady if line[spans[index][0]] in "[(<") > len(steady) / 2
        if bracketed:  # the rest of the bracket is header too: "[2024-... #4012]"
            pieces.append(rf"[\[(<][^\[\]()<>]*?{stamp}[^\[\]()<>]*[\])>][,;:]?")
        else:
            pieces.append(f"{stamp}[,;:]?")
        index = found.end_position
    return pieces


_KIND_TYPES = {
    "level": "LEVEL",
    "letter-level": "LETTER_LEVEL",
    "number": "INT",
    "bracket": "BRACKET",
    "dash": "DASH",
    "ident": "TOKEN",
}


def _body(columns: list[Column]) -> list[str]:
    pieces = []
    for column, name in zip(columns, _names(columns), strict=True):
        if column.kind == "colon":  # optional: a line may lack it, as "kernel: ..." among "sshd[12]: ..."
            field = "component" if name == "component" else ""
            pieces.append(rf"(?:%{{COMPONENT:{field}}}:\s+)?")
            continue
        suffix = "[:,]?" if column.kind in ("number", "bracket") else ""
        pieces.append(f"%{{{_KIND_TYPES[column.kind]}{':' + name if name else ''}}}{suffix}")
    # The optional component carries its own trailing space; the other pieces are joined by a gap.
    return pieces


def _layout(grok: str, primary: Found | None) -> Layout | None:
    try:
        layout = compile_pattern("inferred", grok.replace(":\\s+)? ", ":\\s+)?"), label=grok)
    except ValueError:
        return None
    formats = (f"form:{primary.form.name}",) if primary is not None else ()
    return replace(layout, name=f"inferred: {layout.grok}", timestamp_formats=formats)


HINTS = True
"""Whether the hand-written layouts are tried as hints; off only to measure inference alone."""


def choose_layout(
    sample: list[str], default_year: int = 2000, user: tuple[Layout, ...] = ()
) -> Layout | None:
    """The user's layout that reads most of the sample, if one reads half; else known against inferred.

    A known layout is kept when it reads as many sample lines, as far, as inference does.
    """
    sample = spread(sample)
    lines = [line for line in sample if line.strip()]
    if user and lines:
        best = max(user, key=lambda layout: _reach(layout, lines))
        if _reach(best, lines)[0] >= MIN_MATCH_SHARE * len(lines):
            return best
    known = detect_layout(sample) if HINTS else None
    inferred = infer_layout(sample, default_year)
    if known is None or inferred is None:
        return known or inferred
    return known if _reach(known, sample) >= _reach(inferred, sample) else inferred


def spread(lines: list[str], size: int = SAMPLE_LINES) -> list[str]:
    """At most ``size`` lines: the first half of them, then the rest taken evenly from the whole block."""
    if len(lines) <= size:
        return lines
    half = size // 2
    step = (len(lines) - half) / (size - half)
    return lines[:half] + [lines[half + int(i * step)] for i in range(size - half)]


def _reach(layout: Layout, sample: list[str]) -> tuple[int, int]:
    """Lines a layout reads, then how much of them it reads as header."""
    matched = claimed = 0
    for line in sample:
        found = layout.pattern.match(line)
        if found:
            matched += 1
            claimed += found.start("msg")
    return matched, claimed
