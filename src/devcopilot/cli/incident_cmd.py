"""``devcopilot incident``: explain an incident from logs, mine templates, remember resolutions."""

from __future__ import annotations

from typing import Annotated

import typer

incident_app = typer.Typer(
    help="Explain an incident from logs, stack traces and recent commits, with evidence.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

EXPLAIN_FORMATS = ("text", "json", "markdown")


@incident_app.command("explain")
def explain(
    files: Annotated[
        list[str] | None, typer.Argument(help="Log files (plain or gzip), or - for stdin.")
    ] = None,
    since: str | None = typer.Option(None, "--since", help="Ignore events before this ISO-8601 time."),
    until: str | None = typer.Option(None, "--until", help="Ignore events after this ISO-8601 time."),
    repo: str | None = typer.Option(None, "--repo", help="The git repository whose commits to correlate."),
    output: str = typer.Option("text", "--format", help="text, json or markdown."),
    model: Annotated[
        list[str] | None, typer.Option("--model", "-m", help="Use this model (repeatable).")
    ] = None,
    no_model: bool = typer.Option(
        False, "--no-model", help="The offline engine only, whatever is configured."
    ),
) -> None:
    """Explain an incident: signals, ranked hypotheses with evidence, commits, next checks."""
    import sys

    from devcopilot.cli.output import progress
    from devcopilot.core.context import Context
    from devcopilot.core.errors import UsageError
    from devcopilot.jobs.incident.job import ExplainOptions, run_explain
    from devcopilot.jobs.incident.report import render_markdown, render_text

    if output not in EXPLAIN_FORMATS:
        raise UsageError(f"--format {output!r} is not one of {', '.join(EXPLAIN_FORMATS)}")
    context = Context.load()
    options = ExplainOptions(tuple(files or ()), since, until, repo, tuple(model or ()), not no_model)
    with progress("reading the logs…"):
        report = run_explain(context, options)
    if output == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    elif output == "markdown":
        sys.stdout.write(render_markdown(report))
    else:
        sys.stdout.write(render_text(report))


@incident_app.command("templates")
def templates(
    files: Annotated[list[str], typer.Argument(help="Log files (plain or gzip), or - for stdin.")],
    output: str = typer.Option("text", "--format", help="text or json (json adds one entry per input line)."),
) -> None:
    """Mine the log's templates: counts, first and last seen, an example line."""
    import json
    import sys

    from devcopilot.cli.output import progress, warn_line
    from devcopilot.core.errors import UsageError
    from devcopilot.jobs.incident.job import line_entries, run_templates, template_rows

    if output not in ("text", "json"):
        raise UsageError(f"--format {output!r} is not one of text, json")
    with progress("mining templates…"):
        result, notes = run_templates(tuple(files), per_line=output == "json")
    rows = template_rows(result)
    for note in notes:
        warn_line(note)
    out = sys.stdout
    if output == "text":
        for row in rows:
            out.write(f"{row['template_id']:>6} {row['count']:>9}  {row['template']}\n")
        out.write(f"{len(rows)} templates in {result.events} events ({result.lines} lines)\n")
        return
    head = {"templates": rows, "notes": notes}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "lines": [')
    for number, entry in enumerate(line_entries(result)):
        out.write(("" if number == 0 else ",\n") + json.dumps(entry, ensure_ascii=False))
    out.write("]}\n")


@incident_app.command("list")
def list_incidents(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The incidents explained in this workspace, newest first, with their resolutions."""
    from devcopilot.cli.output import print_json, print_table
    from devcopilot.core.context import Context
    from devcopilot.jobs.incident import memory

    records = sorted(
        memory.load_all(Context.load().workspace.state_dir), key=lambda r: r.get("created", ""), reverse=True
    )
    if as_json:
        print_json(records)
        return
    print_table(
        None,
        ("id", "created", "summary", "resolution"),
        ((r["id"], r.get("created"), r.get("summary"), r.get("resolution")) for r in records),
    )


@incident_app.command("resolve")
def resolve(
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="The incident id (see incident list).")],
    note: str = typer.Option(
        ..., "--note", help="How it was resolved; shown when a similar incident recurs."
    ),
) -> None:
    """Record how an incident was resolved."""
    from devcopilot.core.context import Context
    from devcopilot.jobs.incident import memory

    record = memory.resolve(Context.load().workspace.state_dir, incident_id, note)
    typer.echo(f"{record['id']}: resolved")
