"""Gather: every log source read as events, interleaved by time, each message mined into a template.

Statistics are kept per template and per time bin, never per line, so a log of
any size is read in one pass and bounded memory; stack traces are grouped by
exception and top frame.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from devcopilot.core.redaction import redact
from devcopilot.jobs.incident.correlate import repo_files
from devcopilot.jobs.incident.events import ERROR_LEVELS, Event, FormatInfo, read_events
from devcopilot.jobs.incident.layouts import Layout
from devcopilot.jobs.incident.miner import TemplateMiner
from devcopilot.jobs.incident.mining import KeyStats, new_miner
from devcopilot.jobs.incident.reader import LogSource
from devcopilot.jobs.incident.timeline import Timeline
from devcopilot.jobs.incident.traces import RepoFiles, Trace, parse_trace

MAX_TRACE_GROUPS = 50
WARNING_LEVELS = frozenset({"warning"})


def clean(text: str) -> str:
    """What the user or a model may see of log text: secrets and personal data redacted."""
    return redact(text, personal=True).text


@dataclass
class TraceGroup:
    exception: str
    top: str | None
    count: int
    first: Event
    key_index: int
    """The miner key of the first event, to find its template once mining is done."""
    trace: Trace
    lines: list[str]


@dataclass
class Gathered:
    miner: TemplateMiner[KeyStats]
    timeline: Timeline
    formats: dict[str, FormatInfo]
    events: int = 0
    errors: int = 0
    warnings: int = 0
    first_error: Event | None = None
    first_event: datetime | None = None
    last_event: datetime | None = None
    out_of_order: int = 0
    trace_groups: dict[tuple[str, str | None], TraceGroup] = field(default_factory=dict)


def gather(
    sources: list[LogSource],
    *,
    repo: Path | None,
    since: datetime | None,
    until: datetime | None,
    default_year: int,
    user: tuple[Layout, ...] = (),
) -> Gathered:
    files = RepoFiles(repo_files(repo)) if repo is not None else None
    streams: list[Iterator[Event]] = []
    formats: dict[str, FormatInfo] = {}
    for source in sources:
        info, events = read_events(source.name, source.lines(), default_year=default_year, user=user)
        formats[source.name] = info
        streams.append(events)
    miner = new_miner()
    result = Gathered(miner, Timeline(), formats)
    timeline = result.timeline

    def all_bins() -> Iterator[dict[int, int]]:  # re-read on every widening: keys come and go
        return (key.stats.bins for key in miner.all_keys())

    merged = (
        heapq.merge(*streams, key=_sort_key) if len(streams) > 1 else (streams[0] if streams else iter(()))
    )
    previous: datetime | None = None
    for event in merged:
        when = event.timestamp
        if when is not None and ((since and when < since) or (until and when > until)):
            continue
        result.events += 1
        if when is not None:
            result.out_of_order += previous is not None and when < previous
            previous = when
            result.first_event = min(result.first_event or when, when)
            result.last_event = max(result.last_event or when, when)
        key = miner.add(event.message)
        stats = key.stats
        stats.record(event)
        is_error = event.level in ERROR_LEVELS
        is_warning = event.level in WARNING_LEVELS
        if when is not None:
            index = timeline.index(when, all_bins())
            stats.bins[index] = stats.bins.get(index, 0) + 1
            timeline.events[index] = timeline.events.get(index, 0) + 1
            if is_error:
                timeline.errors[index] = timeline.errors.get(index, 0) + 1
            elif is_warning:
                timeline.warnings[index] = timeline.warnings.get(index, 0) + 1
        result.errors += is_error
        result.warnings += is_warning
        if event.trace or is_error:
            trace = parse_trace(event.message, event.trace, files)
            if trace is not None:
                is_error = True
                _add_trace(result, event, key.index, trace)
        if is_error and (result.first_error is None or _earlier(event, result.first_error)):
            result.first_error = event
    return result


def _sort_key(event: Event) -> datetime:
    return event.timestamp or datetime.min.replace(tzinfo=UTC)


def _earlier(a: Event, b: Event) -> bool:
    if a.timestamp is None or b.timestamp is None:
        return False
    return a.timestamp < b.timestamp


def _add_trace(result: Gathered, event: Event, key_index: int, trace: Trace) -> None:
    top = trace.top
    where = f"{top.repo_path or top.file}:{top.function or '?'}" if top else None
    group_key = (trace.exception, where)
    group = result.trace_groups.get(group_key)
    if group is not None:
        group.count += 1
    elif len(result.trace_groups) < MAX_TRACE_GROUPS:
        result.trace_groups[group_key] = TraceGroup(
            trace.exception, where, 1, event, key_index, trace, event.trace[:30]
        )
