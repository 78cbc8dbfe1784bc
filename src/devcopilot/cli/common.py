"""What every job command shares on the command line: the model options, ``--format``, the runner call.

Typer reads these ``Annotated`` aliases like any option, so each command
declares the same flags with the same help, and the runner sees them as one
``ModelChoice``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from devcopilot.core.context import Context
    from devcopilot.core.findings import Finding
    from devcopilot.core.runner import Finished, JobResult, JobRun, ModelChoice

ResultT = TypeVar("ResultT", bound="JobResult")

ModelOption = Annotated[
    list[str] | None,
    typer.Option("--model", "-m", help="Use this model instead of the route's (repeatable)."),
]
NoModelOption = Annotated[
    bool, typer.Option("--no-model", help="The offline engine only, whatever is configured.")
]
StrictModelOption = Annotated[
    bool,
    typer.Option("--strict-model", help="Exit 3 when no model answered or the model pass did not cover it."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
FindingsFormatOption = Annotated[
    str, typer.Option("--format", help="text, json, sarif, github, gitlab, rdjsonl or markdown.")
]
FailOnOption = Annotated[
    str, typer.Option("--fail-on", help="Exit 1 on a finding at this level: error, warning, info, never.")
]
WriteBaselineOption = Annotated[
    bool,
    typer.Option("--write-baseline", help="Accept every finding: write them to .devcopilot-baseline.json."),
]


def load_context(flags: Mapping[str, Any] | None = None) -> Context:
    """The context of this invocation, with the registered jobs' routes and settings sections."""
    from devcopilot.core.context import Context
    from devcopilot.jobs.registry import JOBS

    return Context.load(flags=flags, jobs=JOBS)


def model_choice(model: list[str] | None, no_model: bool, strict_model: bool = False) -> ModelChoice:
    from devcopilot.core.errors import UsageError
    from devcopilot.core.runner import ModelChoice

    if no_model and model:
        raise UsageError("--model and --no-model exclude each other")
    return ModelChoice(models=tuple(model or ()), off=no_model, strict=strict_model)


def output_format(given: str, as_json: bool, allowed: tuple[str, ...]) -> str:
    """``--format``, with ``--json`` as its alias; an unknown name is a usage error."""
    from devcopilot.core.errors import UsageError

    chosen = "json" if as_json else given
    if chosen not in allowed:
        raise UsageError(f"--format {chosen!r} is not one of {', '.join(allowed)}")
    return chosen


def run_command(
    job: str,
    command: str,
    work: Callable[[JobRun], ResultT],
    *,
    choice: ModelChoice | None = None,
    fail_on: str = "never",
    progress_message: str | None = None,
) -> Finished[ResultT]:
    """Run a job command through the core runner, with a spinner on a terminal."""
    from devcopilot.cli.output import progress
    from devcopilot.core.runner import run_job
    from devcopilot.jobs.registry import JOBS

    with progress(progress_message or f"{job} {command}…"):
        return run_job(JOBS, job, command, work, choice=choice, fail_on=fail_on)


def print_envelope(job: str, command: str, run_id: str | None, result: Any) -> None:
    from devcopilot.cli.output import print_json
    from devcopilot.core.envelope import envelope

    print_json(envelope(job=job, command=command, run_id=run_id, result=result))


def exit_with(finished: Finished[Any]) -> None:
    """End the command with the exit code the runner decided (0 returns normally)."""
    if finished.exit_code:
        raise typer.Exit(int(finished.exit_code))


FAIL_LEVELS = ("error", "warning", "info", "never")


def findings_format(given: str, as_json: bool, fail_on: str) -> str:
    """``--format`` of a findings command (text, json or a machine format), with ``--fail-on`` checked."""
    from devcopilot.core.errors import UsageError
    from devcopilot.core.formats import FORMATS

    if fail_on not in FAIL_LEVELS:
        raise UsageError(f"--fail-on {fail_on!r} is not one of {', '.join(FAIL_LEVELS)}")
    return output_format(given, as_json, ("text", "json", *FORMATS))


def print_findings(
    job: str, command: str, finished: Finished[Any], output: str, text: Callable[[Any], None]
) -> None:
    """A findings result in the format asked: ``text`` by the job's printer, the rest by core's."""
    import sys

    from devcopilot.core.formats import FORMATS

    if output == "text":
        text(finished.result)
    elif output == "json":
        print_envelope(job, command, finished.run_id, finished.result)
    else:
        sys.stdout.write(FORMATS[output](finished.result))


def finish_findings(
    job: str,
    command: str,
    finished: Finished[Any],
    output: str,
    printer: Callable[[Any], None],
    *,
    write_baseline: bool,
) -> None:
    """Write the baseline when asked; otherwise print the findings and exit at --fail-on."""
    if write_baseline:
        write_baseline_file(job, finished.result.findings)
        return
    print_findings(job, command, finished, output, printer)
    exit_with(finished)


def write_baseline_file(job: str, findings: list[Finding]) -> None:
    """Write ``job``'s section of the repository's baseline; the other jobs' sections stay."""
    from devcopilot.core.errors import InputError
    from devcopilot.core.suppressions import BASELINE_FILE, baseline_document

    root = load_context().workspace.repo_root
    if root is None:
        raise InputError("--write-baseline needs a git repository")
    path = root / BASELINE_FILE
    try:
        existing = path.read_text(encoding="utf-8") if path.is_file() else None
        path.write_text(baseline_document(existing, job, findings), encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: {error.strerror}") from None
    typer.echo(f"wrote {len(findings)} {job} finding(s) to {path}; commit it to accept them", err=True)
