"""Turn a log source into events: one per record, whatever the format, with multi-line traces kept whole.

The format is found from the first lines: JSON lines, logfmt, a Kubernetes
event list (``kubectl get events -o json``), or text in one of the header
layouts; a log in none of them is read one event per line. Lines with no
timestamp inherit the previous one. Timestamps with no year or zone are read
in an assumed year and in UTC, and the report says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devcopilot.jobs.incident.layouts import Layout
from devcopilot.jobs.incident.stamps import FORM_BY_NAME, value
from devcopilot.jobs.incident.structure import choose_layout

MAX_TRACE_LINES = 200
"""Continuation lines kept per event; the rest are counted."""
TIMESTAMP_CACHE_LIMIT = 50_000
K8S_MAX_BYTES = 64 * 1024 * 1024

_LEVEL_NAMES = {
    "trace": "debug",
    "debug": "debug",
    "info": "info",
    "notice": "info",
    "normal": "info",
    "i": "info",
    "warn": "warning",
    "warning": "warning",
    "w": "warning",
    "error": "error",
    "err": "error",
    "severe": "error",
    "e": "error",
    "fatal": "critical",
    "critical": "critical",
    "crit": "critical",
    "alert": "critical",
    "emerg": "critical",
    "panic": "critical",
    "f": "critical",
}
ERROR_LEVELS = frozenset({"error", "critical"})
_CONTINUATION = re.compile(
    r"^(?:\s|Traceback \(most recent call last\)|Caused by[: ]|During handling of the above|"
    r"The above exception was|\.\.\. \d+ more|goroutine \d+ \[|panic: |"
    r"[\w.$]*(?:Error|Exception|Throwable)\b(?::|$)|[\w.$/*()\-]+\([^()]*\)$|\}|\]$)"
)
_TIME_KEYS = ("time", "ts", "@timestamp", "timestamp", "datetime", "date", "eventTime", "t")
_LEVEL_KEYS = ("level", "severity", "lvl", "loglevel", "log.level", "levelname", "status")
_MESSAGE_KEYS = ("msg", "message", "log", "event", "text", "@message")
_COMPONENT_KEYS = ("logger", "logger_name", "name", "component", "caller", "module", "source", "service")
_TRACE_KEYS = (
    "stack",
    "stack_trace",
    "stacktrace",
    "exc_info",
    "exception",
    "error.stack_trace",
    "traceback",
)
# Possessive, and only from the start of a word: a megabyte-long word must cost one pass, not a square.
_LOGFMT_PAIR = re.compile(r'(?<![\w.@\-])([\w.@\-]++)=("(?:[^"\\]|\\.)*+"|\S*+)')


@dataclass(slots=True)
class Event:
    source: str
    line: int
    timestamp: datetime | None
    level: str | None
    component: str | None
    message: str
    trace: list[str] = field(default_factory=list)
    dropped_trace_lines: int = 0
    host: str | None = None
    process: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def is_error(self) -> bool:
        return self.level in ERROR_LEVELS


@dataclass
class FormatInfo:
    kind: str
    """``json``, ``logfmt``, ``k8s-events``, ``text`` with a layout, or ``lines`` (no header found)."""
    layout: str | None = None
    assumed_year: int | None = None
    zone_assumed: bool = False
    unmatched: int = 0
    """Lines that fit neither the layout nor a trace: each read as an event of its own."""


def normalise_level(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):  # bunyan and pino use numbers
        return "critical" if value >= 60 else "error" if value >= 50 else "warning" if value >= 40 else "info"
    return _LEVEL_NAMES.get(str(value).strip().lower())


class TimestampReader:
    """Parses one layout's timestamps, caching by text (many lines share a second)."""

    def __init__(self, formats: tuple[str, ...], info: FormatInfo, default_year: int) -> None:
        self.formats = formats
        self.info = info
        self.default_year = default_year
        self._cache: dict[str, datetime | None] = {}
        self._has_year = not formats or any(_names_year(f) for f in formats)

    def parse(self, text: str) -> datetime | None:
        if text in self._cache:
            return self._cache[text]
        value = self._parse(text)
        if len(self._cache) >= TIMESTAMP_CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = value
        return value

    def _parse(self, text: str) -> datetime | None:
        value: datetime | None = None
        for fmt in self.formats:
            if fmt.startswith(FORM_PREFIX):
                value = _grammar_value(fmt, text, self.default_year)
            else:
                try:
                    value = parse_iso(text) if fmt == "iso" else datetime.strptime(text, fmt)
                except ValueError:
                    continue
            if value is not None:
                break
        if value is None:
            return None
        if not self._has_year:
            value = value.replace(year=self.default_year)
            self.info.assumed_year = self.default_year
        if value.tzinfo is None:
            self.info.zone_assumed = True
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


FORM_PREFIX = "form:"
"""A format naming a form of the timestamp grammar (``stamps``) rather than a ``strptime`` format."""


def _names_year(fmt: str) -> bool:
    if fmt.startswith(FORM_PREFIX):
        return FORM_BY_NAME[fmt.removeprefix(FORM_PREFIX)].has_year
    return fmt == "iso" or "%Y" in fmt or "%y" in fmt


def _grammar_value(fmt: str, text: str, default_year: int) -> datetime | None:
    form = FORM_BY_NAME[fmt.removeprefix(FORM_PREFIX)]
    match = form.pattern.search(text)
    return value(form, match, default_year) if match else None


def parse_iso(text: str) -> datetime | None:
    """ISO-8601 as logs write it: a comma before the fraction, ``Z``, nanoseconds."""
    text = text.strip().replace(",", ".")
    if "." in text:  # fromisoformat takes at most microseconds
        head, _, tail = text.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        if digits > 6:
            text = f"{head}.{tail[:6]}{tail[digits:]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def read_events(
    source: str, lines: Iterator[str], *, default_year: int, user: tuple[Layout, ...] = ()
) -> tuple[FormatInfo, Iterator[Event]]:
    """The format of a source's lines and a lazy stream of its events; ``source`` names it in evidence."""
    sample: list[str] = []
    for line in lines:
        sample.append(line)
        if len(sample) >= 400:
            break
    info = detect_format(sample)
    if info.kind == "k8s-events":
        return info, _k8s_events(source, sample, lines, info, default_year)

    def all_lines() -> Iterator[tuple[int, str]]:
        number = 0
        for line in sample:
            number += 1
            yield number, line
        for line in lines:
            number += 1
            yield number, line

    if info.kind == "json":
        return info, _structured_events(source, all_lines(), _json_record, info, default_year)
    if info.kind == "logfmt":
        return info, _structured_events(source, all_lines(), _logfmt_record, info, default_year)
    layout = choose_layout(sample, default_year, user)
    if layout is not None:
        info.kind, info.layout = "text", layout.name
    return info, _text_events(source, all_lines(), layout, info, default_year)


def detect_format(sample: list[str]) -> FormatInfo:
    lines = [line for line in sample if line.strip()]
    if not lines:
        return FormatInfo("lines")
    first = lines[0].strip()
    if first in ("{", "[") or (first.startswith(('{"', "[{")) and _json_record(first) is None):
        return FormatInfo("k8s-events")
    if sum(1 for line in lines if _json_record(line) is not None) >= 0.5 * len(lines):
        return FormatInfo("json")
    if sum(1 for line in lines if _logfmt_record(line) is not None) >= 0.5 * len(lines):
        return FormatInfo("logfmt")
    return FormatInfo("lines")


def _json_record(line: str) -> dict[str, Any] | None:
    stripped = line.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        record = json.loads(stripped)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _logfmt_record(line: str) -> dict[str, Any] | None:
    pairs = _LOGFMT_PAIR.findall(line)
    if len(pairs) < 3 or not any(key in ("msg", "message", "level", "lvl") for key, _ in pairs):
        return None
    return {key: value[1:-1].replace('\\"', '"') if value.startswith('"') else value for key, value in pairs}


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in record and record[key] not in (None, ""):
            return record[key]
        if "." in key:  # ECS style nested keys: {"log": {"level": "error"}}
            head, _, tail = key.partition(".")
            inner = record.get(head)
            if isinstance(inner, dict) and inner.get(tail) not in (None, ""):
                return inner[tail]
    return None


def _record_time(value: Any, reader: TimestampReader) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since the epoch
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return reader.parse(str(value)) if value is not None else None


def _structured_events(
    source: str,
    lines: Iterator[tuple[int, str]],
    parse: Any,
    info: FormatInfo,
    default_year: int,
) -> Iterator[Event]:
    reader = TimestampReader(("iso",), info, default_year)
    previous: datetime | None = None
    for number, line in lines:
        if not line.strip():
            continue
        record = parse(line)
        if record is None:
            yield Event(source, number, previous, None, None, line.strip())
            continue
        timestamp = _record_time(_first(record, _TIME_KEYS), reader) or previous
        previous = timestamp
        message = _first(record, _MESSAGE_KEYS)
        trace_value = _first(record, _TRACE_KEYS)
        trace = str(trace_value).splitlines()[:MAX_TRACE_LINES] if trace_value is not None else []
        component = _first(record, _COMPONENT_KEYS)
        yield Event(
            source,
            number,
            timestamp,
            normalise_level(_first(record, _LEVEL_KEYS)),
            str(component) if component is not None and not isinstance(component, dict | list) else None,
            str(message) if message is not None else line.strip(),
            trace,
        )


def _text_events(
    source: str,
    lines: Iterator[tuple[int, str]],
    layout: Layout | None,
    info: FormatInfo,
    default_year: int,
) -> Iterator[Event]:
    reader = TimestampReader(layout.timestamp_formats if layout else (), info, default_year)
    match_line = layout.pattern.match if layout else None
    current: Event | None = None
    previous: datetime | None = None
    for number, line in lines:
        match = match_line(line) if match_line else None
        if match is None:
            if current is not None and _CONTINUATION.match(line) and line.strip():
                if len(current.trace) < MAX_TRACE_LINES:
                    current.trace.append(line)
                else:
                    current.dropped_trace_lines += 1
                continue
            if not line.strip():
                continue
            if current is not None:
                yield current
            if match_line is not None:
                info.unmatched += 1
            current = Event(source, number, previous, _bare_level(line), None, line.strip())
            continue
        if current is not None:
            yield current
        groups = match.groupdict()
        stamp = groups.get("ts")
        timestamp = reader.parse(stamp) if stamp else None
        if timestamp is None:
            timestamp = previous
        previous = timestamp
        current = Event(
            source,
            number,
            timestamp,
            normalise_level(groups.get("level")),
            groups.get("component"),
            groups["msg"].strip(),
            host=groups.get("host"),
            process=groups.get("pid"),
        )
    if current is not None:
        yield current


_BARE_LEVEL = re.compile(r"\b(ERROR|FATAL|CRITICAL|WARN(?:ING)?|PANIC|Traceback|Exception)\b")


def _bare_level(line: str) -> str | None:
    """A level for a line with no header: what it says about itself, if anything."""
    found = _BARE_LEVEL.search(line)
    if found is None:
        return None
    word = found.group(1)
    if word.startswith("WARN"):
        return "warning"
    return "critical" if word in ("FATAL", "CRITICAL", "PANIC") else "error"


def _k8s_events(
    source: str, sample: list[str], rest: Iterator[str], info: FormatInfo, default_year: int
) -> Iterator[Event]:
    """``kubectl get events -o json``: one document, so read whole (bounded), then one event per item."""
    size = sum(len(line) + 1 for line in sample)
    parts = list(sample)
    for line in rest:
        size += len(line) + 1
        if size > K8S_MAX_BYTES:
            info.kind = "lines"
            break
        parts.append(line)
    try:
        document = json.loads("\n".join(parts))
    except ValueError:
        document = None
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list):  # not an event list after all: read it as text
        info.kind = "lines"
        layout = choose_layout(parts, default_year)
        if layout is not None:
            info.kind, info.layout = "text", layout.name
        yield from _text_events(source, enumerate(parts, start=1), layout, info, default_year)
        return
    reader = TimestampReader(("iso",), info, 1970)
    position = 0
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        obj = item.get("involvedObject") or item.get("regarding") or {}
        stamp = item.get("lastTimestamp") or item.get("eventTime") or item.get("firstTimestamp")
        if stamp is None:
            stamp = (item.get("metadata") or {}).get("creationTimestamp")
        kind = obj.get("kind", "") if isinstance(obj, dict) else ""
        name = obj.get("name", "") if isinstance(obj, dict) else ""
        namespace = obj.get("namespace", "") if isinstance(obj, dict) else ""
        reason = item.get("reason") or ""
        message = str(item.get("message") or item.get("note") or "").strip()
        level = "warning" if str(item.get("type", "")).lower() == "warning" else "info"
        position = _line_of(parts, (item.get("metadata") or {}).get("name"), position)
        event = Event(
            source,
            position + 1 if position >= 0 else index,
            reader.parse(str(stamp)) if stamp else None,
            level,
            "/".join(part for part in (namespace, kind, name) if part) if kind else None,
            f"{reason}: {message}" if reason else message,
        )
        count = item.get("count") or (item.get("series") or {}).get("count")
        if isinstance(count, int) and count > 1:
            event.trace.append(f"(seen {count} times)")
        yield event


def _line_of(lines: list[str], name: Any, start: int) -> int:
    """The index of the line naming this event (``"name": "..."``) at or after ``start``, else ``start``."""
    if not isinstance(name, str) or not name:
        return start
    needle = json.dumps(name)
    for index in range(max(start, 0), len(lines)):
        if needle in lines[index] and '"name"' in lines[index]:
            return index
    return start
