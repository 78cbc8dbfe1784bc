"""Mine a log's templates, with what each template's lines have in common: counts, first and last seen.

Two paths lead to the same key table. Text logs whose header has a fixed
number of fields take the block path: a block of lines is split by position,
checked against the header regex on a sample of its lines, and counted in C.
Everything else (JSON lines, logfmt, Kubernetes events, headers of varying
shape, blocks holding stack traces) takes the event path, one event at a
time. Both keep statistics per key, never per line, unless the caller asks
for the per-line assignment (``--format json``), which costs four bytes a line.
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
import sys
from array import array
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from devcopilot.jobs.incident.events import Event, FormatInfo, TimestampReader, read_events
from devcopilot.jobs.incident.layouts import Layout, header_fields
from devcopilot.jobs.incident.miner import Template, TemplateMiner
from devcopilot.jobs.incident.reader import LogSource, ReadStats
from devcopilot.jobs.incident.structure import choose_layout

SAMPLES_PER_TEMPLATE = 3
MAX_HOSTS = 5
PARALLEL_MIN_BYTES = 32 * 1024 * 1024
"""Below this, starting worker processes costs more than it saves."""
MAX_WORKERS = 4
VALIDATION_STRIDE = 64
"""One line in this many is checked against the header regex on the block path."""


@dataclass
class KeyStats:
    """What the lines of one key (and, merged, one template) have in common."""

    first_ts: datetime | None = None
    last_ts: datetime | None = None
    samples: list[tuple[str, int, str]] = field(default_factory=list)
    """``(source, line, message)`` of the first few lines."""
    levels: dict[str, int] = field(default_factory=dict)
    bins: dict[int, int] = field(default_factory=dict)
    """Lines per time bin (see ``Timeline``); filled on the event path only."""
    component: str | None = None
    """The component (logger, Kubernetes object) of the first line; filled on the event path only."""
    hosts: list[str] = field(default_factory=list)
    """The first few hosts (or nodes) the lines came from; filled on the event path only."""

    def see(self, source: str, line: int, timestamp: datetime | None, message: str) -> None:
        if timestamp is not None:
            if self.first_ts is None or timestamp < self.first_ts:
                self.first_ts = timestamp
            if self.last_ts is None or timestamp > self.last_ts:
                self.last_ts = timestamp
        if len(self.samples) < SAMPLES_PER_TEMPLATE:
            self.samples.append((source, line, message))

    def record(self, event: Event) -> None:
        """One event of this key seen: its time, sample, component and level."""
        self.see(event.source, event.line, event.timestamp, event.message)
        self.component = self.component or event.component
        if event.host and event.host not in self.hosts and len(self.hosts) < MAX_HOSTS:
            self.hosts.append(event.host)
        if event.level:
            self.levels[event.level] = self.levels.get(event.level, 0) + 1


def merge_stats(into: KeyStats, other: KeyStats) -> None:
    for stamp in (other.first_ts, other.last_ts):
        if stamp is not None:
            into.first_ts = stamp if into.first_ts is None else min(into.first_ts, stamp)
            into.last_ts = stamp if into.last_ts is None else max(into.last_ts, stamp)
    into.samples = sorted(into.samples + other.samples, key=lambda s: (s[0], s[1]))[:SAMPLES_PER_TEMPLATE]
    for level, count in other.levels.items():
        into.levels[level] = into.levels.get(level, 0) + count
    for index, count in other.bins.items():
        into.bins[index] = into.bins.get(index, 0) + count
    into.component = into.component or other.component
    into.hosts = list(dict.fromkeys(into.hosts + other.hosts))[:MAX_HOSTS]


def template_stats(template: Template[KeyStats]) -> KeyStats:
    merged = KeyStats()
    for key in template.keys:
        merge_stats(merged, key.stats)
    return merged


def new_miner() -> TemplateMiner[KeyStats]:
    return TemplateMiner(KeyStats, merge_stats)


@dataclass
class MiningResult:
    templates: list[Template[KeyStats]]
    formats: dict[str, FormatInfo]
    events: int
    lines: int
    line_keys: list[tuple[str, array[int]]] | None
    """Per source, each line's key index (0 for a line that belongs to the previous event's key)."""
    key_template: dict[int, Template[KeyStats]]


def mine_sources(
    sources: Iterable[LogSource],
    *,
    default_year: int,
    per_line: bool,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    user: tuple[Layout, ...] = (),
) -> MiningResult:
    miner = new_miner()
    formats: dict[str, FormatInfo] = {}
    line_keys: list[tuple[str, array[int]]] = []
    events = lines = 0
    for source in sources:
        assigned: array[int] | None = array("I") if per_line else None
        blocks = source.blocks()
        first_block = next(blocks, [])
        layout = choose_layout(first_block, default_year, user)
        fields = header_fields(layout, first_block) if layout is not None else None
        stream = _chain(first_block, blocks)
        if layout is not None and fields is not None:
            info = FormatInfo("text", layout.name)
            shares = None if per_line else _parallel_shares(source, parallel_min_bytes)
            if shares:
                events += _mine_in_parallel(
                    miner, source, first_block, shares, layout, fields, info, default_year
                )
                formats[source.name] = info
                lines += source.stats.lines
                continue
            events += _mine_blocks(
                miner,
                source=source.name,
                blocks=stream,
                layout=layout,
                fields=fields,
                info=info,
                default_year=default_year,
                assigned=assigned,
            )
        else:
            info, parsed = read_events(source.name, _flatten(stream), default_year=default_year, user=user)
            events += _mine_events(miner, parsed, assigned)
        formats[source.name] = info
        lines += source.stats.lines
        if assigned is not None:
            line_keys.append((source.name, assigned))
    templates = miner.templates()
    key_template = miner.template_by_key(templates)
    return MiningResult(templates, formats, events, lines, line_keys if per_line else None, key_template)


def _parallel_shares(source: LogSource, min_bytes: int) -> list[tuple[int, int]] | None:
    """Byte ranges (cut at line ends) of what is left of a large regular file, one per core; else ``None``.

    Only the block path of a seekable file on a machine with several cores
    qualifies, and not when every line's template is wanted in order.
    """
    cores = min(os.cpu_count() or 1, MAX_WORKERS)
    stream = source.stream
    if cores < 2 or sys.platform == "win32" or not isinstance(stream, io.BufferedReader):
        return None
    if stream is sys.stdin.buffer or not Path(str(stream.name)).is_file():
        return None  # stdin, even redirected from a file, is read once, in order
    try:
        start = source.stream.tell()
        size = os.fstat(source.stream.fileno()).st_size
    except (OSError, ValueError):
        return None
    if size - start < min_bytes:
        return None
    cuts = [start]
    with open(source.stream.name, "rb") as file:  # noqa: PTH123 - a second descriptor on the same file
        for index in range(1, cores):
            file.seek(start + (size - start) * index // cores)
            file.readline()
            cuts.append(max(file.tell(), cuts[-1]))
    cuts.append(size)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _mine_in_parallel(  # noqa: PLR0917 - one call site: the block path's state, shared out
    miner: TemplateMiner[KeyStats],
    source: LogSource,
    first_block: list[str],
    shares: list[tuple[int, int]],
    layout: Layout,
    fields: int,
    info: FormatInfo,
    default_year: int,
) -> int:
    """Mine the first block here and the rest in worker processes, a range each; then merge the keys."""
    context = multiprocessing.get_context("fork")
    path = str(source.stream.name)
    with ProcessPoolExecutor(len(shares), mp_context=context) as pool:
        futures = [
            pool.submit(_mine_share, (path, source.name, start, end, layout, fields, default_year))
            for start, end in shares
        ]
        events = _mine_blocks(
            miner,
            source=source.name,
            blocks=iter([first_block]),
            layout=layout,
            fields=fields,
            info=info,
            default_year=default_year,
            assigned=None,
        )
        offset = len(first_block)
        for future in futures:
            share = future.result()
            for text, count, stats in share.keys:
                stats.samples = [(name, line + offset, message) for name, line, message in stats.samples]
                miner.absorb(text, count, stats)
            offset += share.stats.lines
            events += share.events
            source.stats.lines += share.stats.lines
            source.stats.cut_lines += share.stats.cut_lines
            source.stats.latin1_lines += share.stats.latin1_lines
            info.assumed_year = info.assumed_year or share.assumed_year
            info.zone_assumed = info.zone_assumed or share.zone_assumed
    return events


@dataclass
class _Share:
    keys: list[tuple[str, int, KeyStats]]
    stats: ReadStats
    events: int
    assumed_year: int | None
    zone_assumed: bool


def _mine_share(brief: tuple[str, str, int, int, Layout, int, int]) -> _Share:
    """A worker: the block path over one byte range of the file."""
    path, name, start, end, layout, fields, default_year = brief
    with open(path, "rb") as file:  # noqa: PTH123
        file.seek(start)
        source = LogSource(name, _RangeReader(file, end))  # type: ignore[arg-type]
        miner = new_miner()
        info = FormatInfo("text", layout.name)
        events = _mine_blocks(
            miner,
            source=name,
            blocks=source.blocks(),
            layout=layout,
            fields=fields,
            info=info,
            default_year=default_year,
            assigned=None,
        )
    keys = [(key.text, key.count, key.stats) for key in miner.all_keys()]
    return _Share(keys, source.stats, events, info.assumed_year, info.zone_assumed)


class _RangeReader:
    """The part of a binary file up to ``end``, with the two methods the block reader uses."""

    def __init__(self, file: BinaryIO, end: int) -> None:
        self._file = file
        self._end = end

    def read(self, size: int) -> bytes:
        return self._file.read(max(0, min(size, self._end - self._file.tell())))

    def readline(self, limit: int) -> bytes:
        return self._file.readline(max(0, min(limit, self._end - self._file.tell())))


def _chain(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    if first:
        yield first
    yield from rest


def _flatten(blocks: Iterator[list[str]]) -> Iterator[str]:
    for block in blocks:
        yield from block


def _mine_events(miner: TemplateMiner[KeyStats], events: Iterator[Event], assigned: array[int] | None) -> int:
    count = 0
    for event in events:
        count += 1
        key = miner.add(event.message)
        key.stats.record(event)
        if assigned is not None:
            while len(assigned) < event.line - 1:
                assigned.append(assigned[-1] if assigned else 0)  # continuation lines join their event
            assigned.append(key.index + 1)
    return count


def _mine_blocks(
    miner: TemplateMiner[KeyStats],
    *,
    source: str,
    blocks: Iterator[list[str]],
    layout: Layout,
    fields: int,
    info: FormatInfo,
    default_year: int,
    assigned: array[int] | None,
) -> int:
    """The block path: one event per line, messages split by position, statistics per distinct shape."""
    reader = TimestampReader(layout.timestamp_formats, info, default_year)
    match = layout.pattern.match
    offset = 0
    count = 0
    for block in blocks:
        if not _block_fits(block, match, fields):
            _, parsed = read_events(source, iter(block), default_year=default_year)
            count += _mine_events(miner, _shifted(parsed, offset), assigned)
            if assigned is not None:
                while len(assigned) < offset + len(block):
                    assigned.append(assigned[-1] if assigned else 0)
            offset += len(block)
            continue
        messages = [line.split(None, fields)[-1] for line in block]
        shapes, resolved = miner.add_block(messages)
        first = dict(zip(reversed(shapes), range(len(shapes) - 1, -1, -1), strict=True))
        last = dict(zip(shapes, range(len(shapes)), strict=True))
        for shape, key in resolved.items():
            for index in sorted({first[shape], last[shape]}):
                found = match(block[index])
                stamp = found["ts"] if found and "ts" in layout.pattern.groupindex else None
                key.stats.see(
                    source, offset + index + 1, reader.parse(stamp) if stamp else None, messages[index]
                )
        if assigned is not None:
            assigned.extend(resolved[shape].index + 1 for shape in shapes)
        offset += len(block)
        count += len(block)
    return count


def _shifted(events: Iterator[Event], offset: int) -> Iterator[Event]:
    for event in events:
        event.line += offset
        yield event


def _block_fits(block: list[str], match: object, fields: int) -> bool:
    """Whether every line is one header line: no continuation line, and a sample agrees with the regex."""
    text = "\n".join(block)
    if not text or text[0] in " \t" or "\n " in text or "\n\t" in text or "\n\n" in text or block[-1] == "":
        return False
    for index in range(0, len(block), VALIDATION_STRIDE):
        line = block[index]
        found = match(line)  # type: ignore[operator]
        parts = line.split(None, fields)
        if found is None or len(parts) <= fields or parts[fields].strip() != found["msg"].strip():
            return False
    return True
