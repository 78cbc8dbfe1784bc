"""A grammar of date and time pieces: finds a timestamp in a log line whatever order and separators it uses.

Instead of a list of known layouts, each *form* is built from pieces: a year
(four or two digits), a month (a number or a name), a day, optionally a
weekday; then hours, minutes, seconds and a fraction, joined by whichever of
the usual separators the line uses (``-``, ``/``, ``.``, ``:``, ``T``, ``_``,
spaces), or none at all (``20171223``, ``081109 203615``); inside brackets or
not; with a zone or not. Epoch seconds and milliseconds are forms too.
Values are checked as they are read: a month of 13 is not a date.

Ambiguous orders (``17/06/09``) are settled by the sample: a form whose values
are impossible on some line is out; among the rest, year first, then day first.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DAY_NAMES = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_MONTH = rf"(?P<b>(?:{_MONTH_NAMES}|{_MONTH_NAMES.upper()})[a-z]*\.?)"
_WEEKDAY = rf"(?:(?:{_DAY_NAMES}|{_DAY_NAMES.upper()})[a-z]*,?\s+)?"
_Y4 = r"(?P<Y>(?:19|20)\d\d)"
_Y2 = r"(?P<y>\d\d)"
_M = r"(?P<m>1[0-2]|0?[1-9])"
_D = r"(?P<d>3[01]|[12]\d|0?[1-9])"
_D_PADDED = r"(?P<d>3[01]|[12]\d|0[1-9]| ?[1-9])"
_SEP = r"(?P<s>[-/.])"
_MM_DD = r"(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])"
_TIME = (
    r"(?P<H>2[0-3]|[01]\d|\d)(?P<c>[:.])(?P<M>[0-5]\d)(?P=c)(?P<S>[0-5]\d|60)"
    r"(?:(?P<fs>[.,:])(?P<f>\d{1,9}))?"
)
_COMPACT_TIME = r"(?P<H>2[0-3]|[01]\d)(?P<M>[0-5]\d)(?P<S>[0-5]\d)(?:[.,](?P<f>\d{1,9}))?"
_JOIN = r"(?:T|\s+|[-_:/]|,\s*)"
_ZONE = r"(?:\s?(?P<z>Z|[+-](?:0\d|1[0-4]):?[0-5]\d|UTC|GMT))?"
_BEFORE = r"(?<![\w.:/+-])"
"""A timestamp starts a token: not inside a number, a file name or a path."""
_AFTER = r"(?![\w])"
_EPOCH = r"1\d{9}(?:\.\d{1,9})?|1\d{12}"
"""Seconds (with a fraction) or milliseconds since 1970, from 2001 on."""


@dataclass(frozen=True)
class Form:
    name: str
    pattern: re.Pattern[str]
    has_year: bool
    has_date: bool
    epoch: bool = False

    @property
    def precision(self) -> int:
        """How much a match of this form says: a year, a date and a time outweigh a time of day."""
        return 3 if self.epoch else int(self.has_year) + int(self.has_date) + 1


def _form(
    name: str, date: str | None, time: str = _TIME, *, year: bool = True, tail_year: bool = False
) -> Form:
    body = time if date is None else f"{date}{_JOIN}{time}"
    if tail_year:
        body += rf"\s+{_Y4}"
    return Form(name, re.compile(f"{_BEFORE}(?:{body}){_ZONE}{_AFTER}"), year or tail_year, date is not None)


FORMS: tuple[Form, ...] = (
    _form("Y-m-d", rf"{_Y4}{_SEP}{_M}(?P=s){_D}"),
    _form("Ymd", r"(?P<Y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])"),
    _form(
        "Ymd-compact", r"(?P<Y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])", _COMPACT_TIME
    ),
    _form("y-m-d", rf"{_Y2}{_SEP}{_M}(?P=s){_D}"),
    _form("d-m-Y", rf"{_D}{_SEP}{_M}(?P=s){_Y4}"),
    _form("m-d-Y", rf"{_M}{_SEP}{_D}(?P=s){_Y4}"),
    _form("d-m-y", rf"{_D}{_SEP}{_M}(?P=s){_Y2}"),
    _form("m-d-y", rf"{_M}{_SEP}{_D}(?P=s){_Y2}"),
    _form("ymd-compact", rf"{_Y2}{_MM_DD}", _COMPACT_TIME),
    _form("b-d-Y", rf"{_WEEKDAY}{_MONTH}[\s-]+{_D_PADDED},?[\s-]+{_Y4}"),
    _form("b-d", rf"{_WEEKDAY}{_MONTH}[\s-]+{_D_PADDED}", year=False, tail_year=False),
    _form("b-d-time-Y", rf"{_WEEKDAY}{_MONTH}\s+{_D_PADDED}", tail_year=True),
    _form("d-b-Y", rf"{_WEEKDAY}{_D}[\s/-]{_MONTH}[\s/-]{_Y4}"),
    _form("Y-b-d", rf"{_Y4}[\s/-]{_MONTH}[\s/-]{_D}"),
    _form("m-d", rf"{_M}{_SEP}{_D}", year=False),
    _form("time", None, year=False),
    Form(
        "epoch",
        re.compile(rf"{_BEFORE}(?P<e>1\d{{9}}(?:\.\d{{1,9}})?|1\d{{12}}){_AFTER}"),
        True,
        True,
        epoch=True,
    ),
)
FORM_BY_NAME = {form.name: form for form in FORMS}
EPOCH_RANGE = (datetime(2001, 9, 9, tzinfo=UTC).timestamp(), datetime(2033, 5, 18, tzinfo=UTC).timestamp())


def value(form: Form, match: re.Match[str], default_year: int) -> datetime | None:
    """The moment a match of ``form`` names; ``None`` when its pieces make no real date."""
    groups = match.groupdict()
    if form.epoch:
        number = float(groups["e"])
        seconds = number / 1000 if number > 1e11 else number
        if not EPOCH_RANGE[0] <= seconds <= EPOCH_RANGE[1]:
            return None
        return datetime.fromtimestamp(seconds, UTC)
    try:
        moment = datetime(
            _year(groups, default_year),
            _month(groups),
            int(groups.get("d") or 1),
            int(groups["H"]),
            int(groups["M"]),
            min(int(groups["S"]), 59),
            int((groups.get("f") or "0")[:6].ljust(6, "0")),
        )
    except (ValueError, KeyError, TypeError):
        return None
    zone = _zone(groups.get("z"))
    return moment.replace(tzinfo=zone) if zone is not None else moment


def _year(groups: dict[str, str | None], default_year: int) -> int:
    if groups.get("Y"):
        return int(groups["Y"] or 0)
    if groups.get("y"):
        return 2000 + int(groups["y"] or 0)
    return default_year


def _month(groups: dict[str, str | None]) -> int:
    name = groups.get("b")
    if name:
        return _MONTHS.index(name[:3].lower()) + 1
    return int(groups.get("m") or 1)


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


@dataclass(frozen=True)
class Found:
    """Where a form's timestamp sits on the sample's lines."""

    form: Form
    lines: int
    """Sample lines where it is found at the same token position, with a real value."""
    position: int
    """How many whitespace-separated tokens come before it."""
    end_position: int
    """Tokens up to its end: the header goes at least that far."""


SEARCH_CHARS = 160
"""A header sits at the start of a line; a date deeper in is part of the message."""


TOKEN = re.compile(
    r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]"  # a bracketed field, spaces and one nested bracket allowed
    r"|\((?:[^()]|\([^()]*\))*\)"
    r"|<[^<>\s]*>"
    r"|[^\s\[\]()]+(?:(?:\[[^\s\[\]]*\]|\([^\s()]*\))[^\s\[\]()]*)*"  # a word, with ``[pid]`` or ``(x)``
    r"|\S"
)
"""A header's tokens: words, and bracketed fields whole even when they hold spaces (``[INFO ]``)."""


def token_spans(line: str) -> list[tuple[int, int]]:
    return [match.span() for match in TOKEN.finditer(line)]


def token_at(spans: list[tuple[int, int]], offset: int) -> int:
    """The index of the token holding ``offset`` (or the next token, when it falls between two)."""
    return bisect.bisect_right([end for _, end in spans], offset)


def find_stamps(lines: list[str], default_year: int) -> list[Found]:
    """Every form found at a steady token position on at least half the lines, best first.

    Best is the form found on most lines, then the most precise (a full date
    and time before a time of day), then the one earlier in the grammar.
    """
    spans = [token_spans(line[:SEARCH_CHARS]) for line in lines]
    found: list[Found] = []
    for form in FORMS:
        positions: dict[tuple[int, int], int] = {}
        for line, tokens in zip(lines, spans, strict=True):
            for match in form.pattern.finditer(line[:SEARCH_CHARS]):
                if value(form, match, default_year) is None:
                    continue
                start = token_at(tokens, match.start())
                end = token_at(tokens, match.end() - 1) + 1
                positions[start, end] = positions.get((start, end), 0) + 1
                break
        if not positions:
            continue
        (start, end), count = max(positions.items(), key=lambda item: item[1])
        if count >= len(lines) / 2:
            found.append(Found(form, count, start, end))
    found.sort(key=lambda f: (-f.lines, -f.form.precision, FORMS.index(f.form)))
    return _without_overlaps(found)


def _without_overlaps(found: list[Found]) -> list[Found]:
    """Of forms found on the same tokens (``17/06/09`` as y-m-d and as d-m-y), the first (best) stays."""
    kept: list[Found] = []
    for item in found:
        if any(not (item.end_position <= k.position or item.position >= k.end_position) for k in kept):
            continue
        kept.append(item)
    return kept
