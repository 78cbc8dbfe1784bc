"""``devcopilot tests``: generate verified pytest and Hypothesis tests, and show coverage gaps."""

from __future__ import annotations

from typing import Annotated

import typer

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
    model: Annotated[
        list[str] | None, typer.Option("--model", "-m", help="Use this model (repeatable).")
    ] = None,
    no_model: bool = typer.Option(
        False, "--no-model", help="The offline engine only, whatever is configured."
    ),
    max_iterations: int = typer.Option(
        3, "--max-iterations", min=1, help="Model rounds: the first plus repairs."
    ),
    budget_seconds: float = typer.Option(60.0, "--budget-seconds", min=1.0, help="Wall time per module."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Generate tests for TARGET; each is kept only if it passes 5 random-order runs and adds coverage."""
    import sys

    from devcopilot.cli.output import print_json, progress
    from devcopilot.core.context import Context
    from devcopilot.core.errors import ExitCode
    from devcopilot.jobs.testgen.job import GenerateOptions, run_generate
    from devcopilot.jobs.testgen.report import render_report

    options = GenerateOptions(
        target=target,
        changed=changed,
        range=revisions,
        out=out,
        write=write,
        models=tuple(model or ()),
        use_model=not no_model,
        max_iterations=max_iterations,
        budget_seconds=budget_seconds,
    )
    context = Context.load()
    with progress("generating and verifying tests…"):
        reports = run_generate(context, options)
    if as_json:
        print_json([r.model_dump(mode="json") for r in reports])
    else:
        if not reports:
            sys.stdout.write("no changed public Python function to test\n")
        for report in reports:
            sys.stdout.write(render_report(report))
            if report.written:
                sys.stdout.write(f"wrote {report.test_file}\n")
            elif report.diff is not None:
                sys.stdout.write("\n" + report.diff)
            elif report.kept:
                sys.stdout.write(f"\n--- {report.test_file} (new; --write to create it)\n{report.file_text}")
    if any(r.possible_bugs for r in reports):
        raise typer.Exit(ExitCode.FINDINGS)


@tests_app.command("gaps")
def gaps(
    target: Annotated[str, typer.Argument(help="path.py, path.py::function or path.py::Class.")],
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Line and branch coverage of TARGET by the existing suite, with uncovered segments per function."""
    import sys

    from devcopilot.cli.output import print_json, progress
    from devcopilot.core.context import Context
    from devcopilot.jobs.testgen.job import run_gaps
    from devcopilot.jobs.testgen.report import render_gaps

    with progress("running the suite under coverage…"):
        report = run_gaps(Context.load(), target)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        sys.stdout.write(render_gaps(report))
