"""``devcopilot incident``: explain an incident from logs, mine templates, remember resolutions."""

from __future__ import annotations

from typing import Annotated

import typer

from devcopilot.cli.common import (
    JsonOption,
    ModelOption,
    NoModelOption,
    StrictModelOption,
    exit_with,
    load_context,
    model_choice,
    output_format,
    print_envelope,
    run_command,
)

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
    as_json: JsonOption = False,
    model: ModelOption = None,
    no_model: NoModelOption = False,
    strict_model: StrictModelOption = False,
) -> None:
    """Explain an incident: signals, ranked hypotheses with evidence, commits, next checks."""
    import sys

    from devcopilot.jobs.incident.job import ExplainOptions, run_explain
    from devcopilot.jobs.incident.report import render_markdown, render_text

    output = output_format(output, as_json, EXPLAIN_FORMATS)
    options = ExplainOptions(tuple(files or ()), since, until, repo)
    finished = run_command(
        "incident",
        "explain",
        lambda run: run_explain(run, options),
        choice=model_choice(model, no_model, strict_model),
        progress_message="reading the logs…",
    )
    report = finished.result
    if output == "json":
        print_envelope("incident", "explain", finished.run_id, report)
    elif output == "markdown":
        sys.stdout.write(render_markdown(report))
    else:
        sys.stdout.write(render_text(report))
    exit_with(finished)


@incident_app.command("templates")
def templates(
    files: Annotated[list[str], typer.Argument(help="Log files (plain or gzip), or - for stdin.")],
    output: str = typer.Option("text", "--format", help="text or json (json adds one entry per input line)."),
    as_json: JsonOption = False,
) -> None:
    """Mine the log's templates: counts, first and last seen, an example line."""
    import json
    import sys

    from devcopilot.cli.output import progress, warn_line
    from devcopilot.core.envelope import envelope
    from devcopilot.jobs.incident.job import line_entries, run_templates, template_rows, user_layouts

    output = output_format(output, as_json, ("text", "json"))
    with progress("mining templates…"):
        result, notes = run_templates(
            tuple(files), per_line=output == "json", user=user_layouts(load_context())
        )
    rows = template_rows(result)
    for note in notes:
        warn_line(note)
    out = sys.stdout
    if output == "text":
        for row in rows:
            out.write(f"{row['template_id']:>6} {row['count']:>9}  {row['template']}\n")
        out.write(f"{len(rows)} templates in {result.events} events ({result.lines} lines)\n")
        return
    # The envelope and the templates first, then one entry per input line as it is produced:
    # a large log's entries are never all held in memory.
    head = envelope(
        job="incident", command="templates", run_id=None, result={"templates": rows, "notes": notes}
    )
    text = json.dumps(head, ensure_ascii=False)
    out.write(text[:-2] + ', "lines": [')
    for number, entry in enumerate(line_entries(result)):
        out.write(("" if number == 0 else ",\n") + json.dumps(entry, ensure_ascii=False))
    out.write("]}}\n")


@incident_app.command("formats")
def formats(
    files: Annotated[list[str], typer.Argument(help="Log files (plain or gzip), or - for stdin.")],
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: JsonOption = False,
) -> None:
    """Show the layout each log is read with: its pattern and fields, and how many lines it fits."""
    import sys

    from devcopilot.jobs.incident.layout_report import render_formats, run_formats

    output = output_format(output, as_json, ("text", "json"))
    finished = run_command(
        "incident", "formats", lambda run: run_formats(run, tuple(files)), progress_message="reading…"
    )
    if output == "json":
        print_envelope("incident", "formats", finished.run_id, finished.result)
    else:
        sys.stdout.write(render_formats(finished.result))


@incident_app.command("list")
def list_incidents(
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: JsonOption = False,
) -> None:
    """The incidents explained in this workspace, newest first, with their resolutions."""
    from devcopilot.cli.output import print_table
    from devcopilot.jobs.incident import memory

    output = output_format(output, as_json, ("text", "json"))
    records = sorted(
        memory.load_all(load_context().workspace.state_dir), key=lambda r: r.get("created", ""), reverse=True
    )
    if output == "json":
        print_envelope("incident", "list", None, {"incidents": records})
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
    from devcopilot.jobs.incident import memory

    record = memory.resolve(load_context().workspace.state_dir, incident_id, note)
    typer.echo(f"{record['id']}: resolved")


def register(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")
