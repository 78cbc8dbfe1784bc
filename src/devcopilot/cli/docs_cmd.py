"""``devcopilot docs``: documentation checked against the code it describes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from devcopilot.cli.common import (
    FailOnOption,
    FindingsFormatOption,
    JsonOption,
    ModelOption,
    NoModelOption,
    StrictModelOption,
    WriteBaselineOption,
    finish_findings,
    run_command,
)

if TYPE_CHECKING:
    from devcopilot.core.runner import JobRun
    from devcopilot.jobs.docs.refresh.report import RefreshResult
    from devcopilot.jobs.docs.report import DocsCheckResult

docs_app = typer.Typer(
    help="Documentation: find what no longer matches the code, regenerate what derives from it.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(docs_app, name="docs")


@docs_app.command("check")
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Documentation files or folders (default: the repository, docstrings included)."),
    ] = None,
    since: str | None = typer.Option(
        None,
        "--since",
        metavar="REF",
        help="Only what the change since REF broke, with the commit that broke it.",
    ),
    links: bool = typer.Option(
        False,
        "--links",
        help="Also fetch external URLs (a 429, a timeout or a refusal is unknown, not broken).",
    ),
    run_code: bool = typer.Option(
        True, "--run/--no-run", help="Run the docs' Python blocks and doctests in the sandbox."
    ),
    output: FindingsFormatOption = "text",
    as_json: JsonOption = False,
    fail_on: FailOnOption = "error",
    write_baseline: WriteBaselineOption = False,
) -> None:
    """Stale code references, missing CLI options and settings, broken links, examples that no longer run."""
    from devcopilot.cli.common import findings_format

    output = findings_format(output, as_json, fail_on)
    finished = run_command(
        "docs",
        "check",
        lambda run: _check(
            list(paths or []), since, links=links, run_code=run_code, use_baseline=not write_baseline
        ),
        fail_on=fail_on,
        progress_message="checking the docs…",
    )
    finish_findings("docs", "check", finished, output, _print_check, write_baseline=write_baseline)


def _check(
    paths: list[str], since: str | None, *, links: bool, run_code: bool, use_baseline: bool
) -> DocsCheckResult:
    from devcopilot.cli.common import load_context
    from devcopilot.core.git import resolve_commit
    from devcopilot.jobs.docs.check import Request, run_check

    root = load_context().workspace.repo_root or Path.cwd()
    if since is not None:
        resolve_commit(root, since)
    request = Request(root, [str(Path(p).resolve()) for p in paths], since, links, run_code, use_baseline)
    return run_check(request)


def _print_check(result: DocsCheckResult) -> None:
    lines = []
    for finding in result.findings:
        lines.append(f"{finding.path}:{finding.line}: {finding.severity} {finding.rule}: {finding.message}")
        if finding.suggestion:
            lines.append(f"  {finding.suggestion}")
    lines += [f"  {line}" for line in result.coverage_lines()]
    typer.echo("\n".join([*lines, result.headline()]))


@docs_app.command("refresh")
def refresh(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Documentation files or folders (default: the repository).")
    ] = None,
    write: bool = typer.Option(
        False, "--write", help="Write the regenerated sections (default: print the patch)."
    ),
    check: bool = typer.Option(
        False, "--check", help="Exit 1 when any section is out of date or edited by hand (the CI gate)."
    ),
    force: bool = typer.Option(False, "--force", help="Regenerate sections edited by hand too."),
    since: str | None = typer.Option(
        None, "--since", metavar="REF", help="Also rewrite prose citing names the change since REF renamed."
    ),
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: JsonOption = False,
    model: ModelOption = None,
    no_model: NoModelOption = False,
    strict_model: StrictModelOption = False,
) -> None:
    """Regenerate the marked sections derived from the code: CLI, settings, API, diagrams, exit codes, env.

    With --since, paragraphs citing a name the change renamed are rewritten; with a model, the other
    stale paragraphs get proposals. Every rewrite is checked (the new name resolves, no other name is
    lost, only the stale sentences change, no generated section is touched) and shown as a patch,
    written only with --write.
    """
    from devcopilot.cli.common import exit_with, model_choice, output_format, print_envelope

    output = output_format(output, as_json, ("text", "json"))
    finished = run_command(
        "docs",
        "refresh",
        lambda run: _refresh(run, list(paths or []), since, write=write, check=check, force=force),
        choice=model_choice(model, no_model, strict_model),
        fail_on="error",
        progress_message="refreshing the docs…",
    )
    if output == "json":
        print_envelope("docs", "refresh", finished.run_id, finished.result)
    else:
        _print_refresh(finished.result, write=write)
    exit_with(finished)


def _refresh(
    run: JobRun, paths: list[str], since: str | None, *, write: bool, check: bool, force: bool
) -> RefreshResult:
    from devcopilot.cli.common import load_context
    from devcopilot.core.git import resolve_commit
    from devcopilot.jobs.docs.refresh.run import Request, run_refresh

    root = load_context().workspace.repo_root or Path.cwd()
    if since is not None:
        resolve_commit(root, since)
    chosen = [str(Path(p).resolve()) for p in paths]
    request = Request(root, chosen, write=write and not check, check=check, force=force, since=since, run=run)
    return run_refresh(request)  # fmt: skip


def _print_refresh(result: RefreshResult, *, write: bool) -> None:
    lines = []
    for section in result.sections:
        shown = f"{section.path}:{section.line}: {section.name}: {section.state}"
        if section.written:
            shown += " (written)"
        lines.append(shown + (f" ({section.reason})" if section.reason else ""))
    for rewrite in result.rewrites:
        how = f"-> {rewrite.replacement}" if rewrite.replacement else f"rewritten by {rewrite.source}"
        state = "kept" if rewrite.kept else f"dropped: {rewrite.reason}"
        lines.append(f"{rewrite.path}:{rewrite.line}: `{rewrite.name}` {how}: {state}")
    if result.patch and not write:
        lines += [result.patch.rstrip("\n"), "(nothing written: add --write to write these sections)"]
    typer.echo("\n".join([*lines, result.headline()]))
