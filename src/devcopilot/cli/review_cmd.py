"""``devcopilot review``: review a change with the offline engine."""

from __future__ import annotations

from typing import Annotated

import typer

from devcopilot.cli.common import (
    FailOnOption,
    FindingsFormatOption,
    JsonOption,
    ModelOption,
    NoModelOption,
    StrictModelOption,
    exit_with,
    model_choice,
    run_command,
)

QUIET_FLAGS = frozenset({"-q", "--quiet"})


def quick_answer(args: list[str]) -> bool:
    """Answer the pre-commit case (``[-q] review [--staged]``) when there is nothing to review.

    Runs before the Typer command is even built: this Typer builds a pydantic
    adapter for every non-flag option it processes, about 60 ms that a hook
    would pay on every commit. Any other argument takes the normal path.
    Returns whether it answered.
    """
    from devcopilot.core.change.quick import nothing_to_review
    from devcopilot.core.paths import find_repo_root

    quiet = bool(args) and args[0] in QUIET_FLAGS
    rest = args[1:] if quiet else args
    if not rest or rest[0] != "review" or not set(rest[1:]) <= {"--staged"}:
        return False
    repo = find_repo_root()
    message = nothing_to_review(repo, staged_only="--staged" in rest) if repo is not None else None
    if message is None:
        return False
    if not quiet:
        typer.echo(message)
    return True


def register(app: typer.Typer) -> None:
    """The review job's commands: ``review``, and the git hook that runs it."""
    from devcopilot.cli.hook_cmd import hook_app

    app.command("review")(review)
    app.add_typer(hook_app, name="hook")


def review(
    staged: bool = typer.Option(
        False, "--staged", help="Review the staged changes (the default when any are staged)."
    ),
    range_: str | None = typer.Option(
        None, "--range", metavar="A..B", help="Review the commits from A to B."
    ),
    base: str | None = typer.Option(
        None, "--base", metavar="REF", help="Review HEAD since its merge-base with REF."
    ),
    diff_file: str | None = typer.Option(
        None, "--diff-file", metavar="PATH|-", help="Review a unified diff."
    ),
    filter_: str = typer.Option(
        "added", "--filter", help="Show findings on added, context, file or all lines."
    ),
    paths: Annotated[
        list[str] | None, typer.Option("--paths", help="Only files matching this glob (repeatable).")
    ] = None,
    output: FindingsFormatOption = "text",
    as_json: JsonOption = False,
    fail_on: FailOnOption = "error",
    model: ModelOption = None,
    no_model: NoModelOption = False,
    strict_model: StrictModelOption = False,
    patch: str | None = typer.Option(
        None, "--patch", metavar="FILE", help="Write the verified suggestions as a unified diff to FILE."
    ),
    write_baseline: bool = typer.Option(
        False,
        "--write-baseline",
        help="Accept every finding of this review: write them to .devcopilot-baseline.json (commit it).",
    ),
) -> None:
    """Review a change: with no option, the staged changes if any, else the working tree against HEAD."""
    from devcopilot.cli.common import findings_format, print_findings
    from devcopilot.jobs.review.engine import ReviewOptions, run_review
    from devcopilot.jobs.review.report import print_text

    output = findings_format(output, as_json, fail_on)
    options = ReviewOptions(
        staged=staged,
        range=range_,
        base=base,
        diff_file=diff_file,
        filter=filter_,
        paths=tuple(paths or ()),
        use_baseline=not write_baseline,
    )
    finished = run_command(
        "review",
        "review",
        lambda run: run_review(run, options),
        choice=model_choice(model, no_model, strict_model),
        fail_on=fail_on,
        progress_message="reviewing…",
    )
    result = finished.result
    if write_baseline:
        from devcopilot.cli.common import write_baseline_file

        write_baseline_file("review", result.findings)
        return
    print_findings("review", "review", finished, output, print_text)
    if patch is not None:
        from pathlib import Path

        from devcopilot.core.errors import InputError

        try:
            Path(patch).write_text(result.patch, encoding="utf-8")
        except OSError as error:
            raise InputError(f"--patch {patch}: {error.strerror}") from None
    exit_with(finished)
