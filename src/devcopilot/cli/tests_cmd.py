"""``devcopilot tests``: generate verified pytest and Hypothesis tests, and show coverage gaps."""

from __future__ import annotations

from typing import Annotated

import typer

from devcopilot.cli.common import (
    JsonOption,
    ModelOption,
    NoModelOption,
    StrictModelOption,
    exit_with,
    model_choice,
    output_format,
    print_envelope,
    run_command,
)

tests_app = typer.Typer(
    help="Generate pytest and Hypothesis tests that are proven to run, pass and add coverage.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@tests_app.command("generate")
def generate(
    target: Annotated[
        str | None,
        typer.Argument(help="path.py, path.py::function, path.py::Class, or a dotted module name."),
    ] = None,
    changed: bool = typer.Option(False, "--changed", help="The functions the staged change touches."),
    revisions: str | None = typer.Option(
        None, "--range", help="With --changed: the functions touched by A..B instead."
    ),
    out: str | None = typer.Option(
        None, "--out", help="The test module to add to (default tests/test_<module>.py)."
    ),
    write: bool = typer.Option(False, "--write", help="Write the test module; without it, show it."),
    model: ModelOption = None,
    no_model: NoModelOption = False,
    strict_model: StrictModelOption = False,
    max_iterations: int = typer.Option(
        3, "--max-iterations", min=1, help="Model rounds: the first plus repairs."
    ),
    budget_seconds: float = typer.Option(60.0, "--budget-seconds", min=1.0, help="Wall time per module."),
    mutation: bool = typer.Option(
        False,
        "--mutation",
        help="Report per function the mutants the kept tests let survive (takes up to a quarter more time).",
    ),
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: JsonOption = False,
    fail_on: str = typer.Option(
        "error", "--fail-on", help="error: exit 1 when a generated test shows a possible bug; never."
    ),
) -> None:
    """Generate tests for TARGET; each is kept only if it passes 5 random-order runs and adds coverage
    or fails on a mutant of the code that no other kept test fails on.

    Exit 1 when a generated test shows a possible bug (unless --fail-on never).
    """
    import sys

    from devcopilot.jobs.testgen.job import GenerateOptions, run_generate
    from devcopilot.jobs.testgen.report import render_run

    output = output_format(output, as_json, ("text", "json"))
    if fail_on not in ("error", "never"):
        from devcopilot.core.errors import UsageError

        raise UsageError(f"--fail-on {fail_on!r} is not one of error, never")
    options = GenerateOptions(
        target=target,
        changed=changed,
        range=revisions,
        out=out,
        write=write,
        max_iterations=max_iterations,
        budget_seconds=budget_seconds,
        mutation=mutation,
    )
    finished = run_command(
        "tests",
        "generate",
        lambda run: run_generate(run, options),
        choice=model_choice(model, no_model, strict_model),
        fail_on=fail_on,
        progress_message="generating and verifying tests…",
    )
    if output == "json":
        print_envelope("tests", "generate", finished.run_id, finished.result)
    else:
        sys.stdout.write(render_run(finished.result))
    exit_with(finished)


@tests_app.command("gaps")
def gaps(
    target: Annotated[str, typer.Argument(help="path.py, path.py::function or path.py::Class.")],
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: JsonOption = False,
) -> None:
    """Line and branch coverage of TARGET by the existing suite, with uncovered segments per function."""
    import sys

    from devcopilot.jobs.testgen.job import run_gaps
    from devcopilot.jobs.testgen.report import render_gaps

    output = output_format(output, as_json, ("text", "json"))
    finished = run_command(
        "tests",
        "gaps",
        lambda run: run_gaps(run, target),
        progress_message="running the suite under coverage…",
    )
    if output == "json":
        print_envelope("tests", "gaps", finished.run_id, finished.result)
    else:
        sys.stdout.write(render_gaps(finished.result))


def register(app: typer.Typer) -> None:
    app.add_typer(tests_app, name="tests")
