"""``incident formats``: what layout each log is read with, and how well it fits the whole log.

The layout is chosen from the first block of lines exactly as ``explain`` and
``templates`` choose it (the team's ``[incident] formats`` first, then a known
layout against the inferred one); then every line is checked against it, so a
log whose later lines change shape shows it in the count.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from devcopilot.core.runner import JobRun
from devcopilot.jobs.incident.events import detect_format
from devcopilot.jobs.incident.gather import clean
from devcopilot.jobs.incident.job import user_layouts
from devcopilot.jobs.incident.layouts import Layout
from devcopilot.jobs.incident.reader import open_source
from devcopilot.jobs.incident.report import FileLayout, FormatsResult
from devcopilot.jobs.incident.structure import choose_layout


def run_formats(run: JobRun, files: tuple[str, ...]) -> FormatsResult:
    from devcopilot.core.errors import InputError  # noqa: PLC0415

    if not files:
        raise InputError("no log given", hint="pass log files, or - to read standard input")
    user = user_layouts(run.context)
    return FormatsResult(files=[_read(path, user) for path in files])


def _read(path: str, user: tuple[Layout, ...]) -> FileLayout:
    source = open_source(path)
    try:
        blocks = source.blocks()
        first = next(blocks, [])
        info = detect_format(first)
        if info.kind != "lines":
            lines = sum(1 for line in itertools.chain(first, *blocks) if line.strip())
            return FileLayout(file=source.name, kind=info.kind, lines=lines, matched=lines)
        layout = choose_layout(first, datetime.now(UTC).year, user)
        report = _described(source.name, layout, user)
        for number, line in enumerate(itertools.chain(first, *blocks), start=1):
            if not line.strip():
                continue
            report.lines += 1
            found = layout.pattern.match(line) if layout is not None else None
            if found is None:
                continue
            report.matched += 1
            if report.example_line is None:
                report.example_line = number
                report.example = {k: clean(v) for k, v in found.groupdict().items() if v is not None}
        return report
    finally:
        source.close()


def _described(name: str, layout: Layout | None, user: tuple[Layout, ...]) -> FileLayout:
    if layout is None:
        return FileLayout(file=name, kind="none")
    kind = "configured" if layout in user else "inferred" if layout.name.startswith("inferred") else "known"
    forms = [f.removeprefix("form:") for f in layout.timestamp_formats]
    return FileLayout(
        file=name,
        kind=kind,
        layout=layout.name if kind != "inferred" else "inferred",
        pattern=layout.grok or layout.pattern.pattern,
        fields=list(layout.pattern.groupindex),
        timestamp=forms[0] if len(forms) == 1 else None if not forms else ", ".join(forms[:3]),
    )


def render_formats(result: FormatsResult) -> str:
    out = []
    for item in result.files:
        share = f"{item.matched:,} of {item.lines:,} lines"
        if item.kind == "none":
            out.append(f"{item.file}: no layout found ({share}): read one event per line")
            continue
        if item.pattern is None:
            out.append(f"{item.file}: {item.kind} records ({item.lines:,} lines)")
            continue
        named = "" if item.kind == "inferred" else f" {item.layout!r}"
        out.append(f"{item.file}: {item.kind} layout{named}, {share}")
        out.append(f"  pattern:  {item.pattern}")
        fields = [f"{f} ({item.timestamp})" if f == "ts" and item.timestamp else f for f in item.fields]
        out.append(f"  fields:   {', '.join(fields)}")
        if item.example_line is not None:
            shown = "  ".join(f"{k}={v}" for k, v in item.example.items())
            out.append(f"  line {item.example_line}:   {shown}")
        if item.kind == "inferred":
            quote = "'''" if "'" in item.pattern else "'"
            kept = f'[{{name = "mine", pattern = {quote}{item.pattern}{quote}}}]'
            out.append(f"  keep it:  [incident] formats = {kept}")
    return "\n".join(out) + "\n"
