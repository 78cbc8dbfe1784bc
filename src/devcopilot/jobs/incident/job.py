"""The incident commands' work: open the inputs, run the engine (and the model), remember, record."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from devcopilot.core.context import Context
from devcopilot.core.errors import InputError
from devcopilot.core.paths import find_repo_root
from devcopilot.core.runner import JobRun
from devcopilot.jobs.incident import memory
from devcopilot.jobs.incident.engine import explain
from devcopilot.jobs.incident.events import FormatInfo, parse_iso
from devcopilot.jobs.incident.gather import clean, gather
from devcopilot.jobs.incident.grok import compile_pattern
from devcopilot.jobs.incident.layouts import Layout
from devcopilot.jobs.incident.mining import MiningResult, mine_sources, template_stats
from devcopilot.jobs.incident.reader import LogSource, ReadStats, open_source
from devcopilot.jobs.incident.report import IncidentReport, SimilarIncident
from devcopilot.jobs.incident.settings import IncidentSettings

log = logging.getLogger("devcopilot.incident")


@dataclass(frozen=True)
class ExplainOptions:
    files: tuple[str, ...]
    since: str | None = None
    until: str | None = None
    repo: str | None = None


def parse_time(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    parsed = parse_iso(value)
    if parsed is None:
        raise InputError(f"{flag} {value!r} is not an ISO-8601 time (for example 2024-05-01T10:00:00Z)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def open_all(stack: ExitStack, files: tuple[str, ...], stdin: BinaryIO | None = None) -> list[LogSource]:
    if not files:
        raise InputError("no log given", hint="pass log files, or - to read standard input")
    if files.count("-") > 1:
        raise InputError("standard input (-) can be read only once")
    sources = []
    for path in files:
        source = open_source(path, stdin)
        stack.callback(source.close)
        sources.append(source)
    return sources


def read_notes(stats: list[ReadStats], formats: dict[str, FormatInfo]) -> list[str]:
    """The documented degradations, said once each."""
    notes = []
    for name, info in formats.items():
        if info.assumed_year:
            notes.append(f"{name}: timestamps carry no year; read as {info.assumed_year}")
        if info.zone_assumed:
            notes.append(f"{name}: timestamps carry no time zone; read as UTC")
        if info.kind == "lines":
            notes.append(f"{name}: no header layout found in its first lines; read one event per line")
        elif info.unmatched:
            notes.append(
                f"{name}: {info.unmatched} lines did not fit its layout ({info.layout}); "
                "each was read as an event of its own"
            )
    cut = sum(s.cut_lines for s in stats)
    latin = sum(s.latin1_lines for s in stats)
    if cut:
        notes.append(f"{cut} lines over 64 KiB were cut there")
    if latin:
        notes.append(f"{latin} lines were not UTF-8 and were read as Latin-1")
    return notes


def user_layouts(context: Context) -> tuple[Layout, ...]:
    """The layouts of ``[incident] formats``, compiled (the configuration already checked them)."""
    settings = context.config.section("incident", IncidentSettings)
    return tuple(compile_pattern(item.name, item.pattern) for item in settings.formats)


def run_templates(
    files: tuple[str, ...], *, per_line: bool, user: tuple[Layout, ...] = ()
) -> tuple[MiningResult, list[str]]:
    with ExitStack() as stack:
        sources = open_all(stack, files)
        result = mine_sources(sources, default_year=datetime.now(UTC).year, per_line=per_line, user=user)
        notes = read_notes([s.stats for s in sources], result.formats)
    if result.lines == 0:
        raise InputError("the input is empty")
    return result, notes


def template_rows(result: MiningResult) -> list[dict[str, Any]]:
    """What ``incident templates`` shows of each template, redacted."""
    rows = []
    for template in result.templates:
        stats = template_stats(template)
        source, line, message = stats.samples[0]
        rows.append(
            {
                "template_id": template.label,
                "template": clean(template.text),
                "count": template.count,
                "first_seen": stats.first_ts.isoformat() if stats.first_ts else None,
                "last_seen": stats.last_ts.isoformat() if stats.last_ts else None,
                "example": {"ref": f"{source}:{line}", "text": clean(message)},
            }
        )
    return rows


def line_entries(result: MiningResult) -> Iterator[dict[str, Any]]:
    """One entry per input line; each template's text is redacted once, not once per line."""
    texts = {template.id: clean(template.text) for template in result.templates}
    for name, assigned in result.line_keys or []:
        for number, index in enumerate(assigned, start=1):
            found = result.key_template[index - 1] if index else None
            yield {
                "source": name,
                "line": number,
                "template_id": found.label if found else None,
                "template": texts[found.id] if found else None,
            }


def _repo(context: Context, option: str | None) -> Path | None:
    if option is None:
        return context.workspace.repo_root
    root = find_repo_root(Path(option).resolve())
    if root is None:
        raise InputError(f"--repo {option}: not a git repository")
    return root


def _keep_inputs(run: JobRun, options: ExplainOptions) -> BinaryIO | None:
    """Say how to replay this run, keeping each log; standard input is read once, so it is kept in memory."""
    stdin = None
    logs = []
    for path in options.files:
        if path == "-" and run.keeps_inputs:
            data = sys.stdin.buffer.read()
            stdin = io.BufferedReader(io.BytesIO(data))
            logs.append(run.keep_input("stdin.log", data=data))
        elif path == "-":
            logs.append(run.keep_input("stdin.log"))
        elif Path(path).is_file():
            logs.append(run.keep_input(Path(path).name, path=path))
        else:
            return None  # open_all says what is wrong with it
    window = [
        *(["--since", options.since] if options.since else []),
        *(["--until", options.until] if options.until else []),
    ]
    repo = ["--repo", str(Path(options.repo).resolve())] if options.repo else []
    run.replay_as([*logs, *window, *repo])
    return stdin


def run_explain(run: JobRun, options: ExplainOptions) -> IncidentReport:
    context = run.context
    since, until = parse_time(options.since, "--since"), parse_time(options.until, "--until")
    repo = _repo(context, options.repo)
    stdin = _keep_inputs(run, options)
    with ExitStack() as stack:
        sources = open_all(stack, options.files, stdin)
        gathered = gather(
            sources,
            repo=repo,
            since=since,
            until=until,
            default_year=datetime.now(UTC).year,
            user=user_layouts(context),
        )
        lines = sum(s.stats.lines for s in sources)
        notes = read_notes([s.stats for s in sources], gathered.formats)
    if lines == 0:
        raise InputError("the input is empty")
    sources_seen = {name: info.layout or info.kind for name, info in gathered.formats.items()}
    analysis = explain(gathered, repo=repo, notes=notes, sources=sources_seen)
    report = analysis.report.model_copy(update={"lines": lines})
    router = run.router()
    if router is not None and gathered.events:
        from devcopilot.jobs.incident.model_pass import run_model_pass  # noqa: PLC0415 - the model path only

        outcome = run_model_pass(router, context.prompts, analysis, repo, run.verdicts)
        if outcome.warning:
            log.warning("%s; the engine's explanation is reported", outcome.warning)
        report = report.model_copy(
            update={
                "hypotheses": [*report.hypotheses, *outcome.hypotheses],
                "next_checks": list(dict.fromkeys([*report.next_checks, *outcome.next_checks])),
                "mitigations": outcome.mitigations,
                "model": run.model_pass(warning=outcome.warning),
            }
        )
    return _remember(context.workspace.state_dir, report, analysis.fingerprint)


def _remember(state: Path, report: IncidentReport, fingerprint: set[str]) -> IncidentReport:
    """Attach the similar past incidents, and keep this one for the next time."""
    similar = memory.similar(state, report.id, fingerprint) if fingerprint else []
    report = report.model_copy(
        update={
            "similar": [
                SimilarIncident(
                    id=r["id"],
                    similarity=round(score, 3),
                    summary=r.get("summary", ""),
                    resolution=r.get("resolution"),
                )
                for r, score in similar
            ]
        }
    )
    if fingerprint:
        memory.save(
            state,
            {
                "id": report.id,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "summary": report.summary,
                "impact_start": report.impact_start,
                "fingerprint": sorted(fingerprint),
                "sources": sorted(report.sources),
                "resolution": None,
            },
        )
    return report
