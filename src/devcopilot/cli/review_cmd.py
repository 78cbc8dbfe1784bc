"""``devcopilot review``: review a change with the offline engine."""

from __future__ import annotations

from typing import Annotated

import typer

FAIL_LEVELS = ("error", "warning", "info", "never")
QUIET_FLAGS = frozenset({"-q", "--quiet"})


def quick_answer(args: list[str]) -> bool:
    """Answer the pre-commit case (``[-q] review [--staged]``) when there is nothing to review.

    Runs before the Typer command is even built: this Typer builds a pydantic
    adapter for every non-flag option it processes, about 60 ms that a hook
    would pay on every commit. Any other argument takes the normal path.
    Returns whether it answered.
    """
    from devcopilot.core.paths import find_repo_root
    from devcopilot.jobs.review.quick import nothing_to_review

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
    output: str = typer.Option(
        "text", "--format", help="text, json, sarif, github, gitlab, rdjsonl or markdown."
    ),
    fail_on: str = typer.Option(
        "error", "--fail-on", help="Exit 1 on a finding at this level: error, warning, info, never."
    ),
    model: Annotated[
        list[str] | None, typer.Option("--model", "-m", help="Use this model for the review (repeatable).")
    ] = None,
    no_model: bool = typer.Option(
        False, "--no-model", help="The offline engine only, whatever is configured."
    ),
    strict_model: bool = typer.Option(
        False, "--strict-model", help="Exit 3 when the model pass could not cover the whole change."
    ),
    patch: str | None = typer.Option(
        None, "--patch", metavar="FILE", help="Write the verified suggestions as a unified diff to FILE."
    ),
) -> None:
    """Review a change: with no option, the staged changes if any, else the working tree against HEAD."""
    import sys

    from devcopilot.cli.output import progress
    from devcopilot.core.context import Context
    from devcopilot.core.errors import ExitCode, UsageError
    from devcopilot.jobs.review.engine import ReviewOptions, run_review
    from devcopilot.jobs.review.formats import FORMATS
    from devcopilot.jobs.review.report import print_text

    if output != "text" and output not in FORMATS:
        raise UsageError(f"--format {output!r} is not one of text, {', '.join(FORMATS)}")
    if fail_on not in FAIL_LEVELS:
        raise UsageError(f"--fail-on {fail_on!r} is not one of {', '.join(FAIL_LEVELS)}")
    context = Context.load()
    options = ReviewOptions(
        staged=staged,
        range=range_,
        base=base,
        diff_file=diff_file,
        filter=filter_,
        paths=tuple(paths or ()),
        models=tuple(model or ()),
        use_model=not no_model,
    )
    with progress("reviewing…"):
        result = run_review(context, options)
    if output == "text":
        print_text(result)
    else:
        sys.stdout.write(FORMATS[output](result))
    if patch is not None:
        from pathlib import Path

        from devcopilot.core.errors import InputError

        try:
            Path(patch).write_text(result.patch, encoding="utf-8")
        except OSError as error:
            raise InputError(f"--patch {patch}: {error.strerror}") from None
    model_pass = result.summary.model
    if strict_model and (model_pass is None or model_pass.warning):
        raise typer.Exit(ExitCode.MODEL_UNAVAILABLE)
    if fail_on != "never" and any(f.at_least(fail_on) for f in result.findings):
        raise typer.Exit(ExitCode.FINDINGS)
