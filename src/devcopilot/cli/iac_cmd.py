"""``devcopilot iac``: what a repository is, container files made for it, and checks of what exists."""

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
    exit_with,
    finish_findings,
    model_choice,
    output_format,
    print_envelope,
    run_command,
)

if TYPE_CHECKING:
    from devcopilot.core.runner import JobRun
    from devcopilot.jobs.iac.drift.report import DriftResult
    from devcopilot.jobs.iac.report import CheckResult, DetectResult, GenerateResult

iac_app = typer.Typer(help="Infrastructure as code: detect, generate, check, drift.", no_args_is_help=True)
WHAT = ("dockerfile", "compose")


def register(app: typer.Typer) -> None:
    app.add_typer(iac_app, name="iac")


@iac_app.command("detect")
def detect(
    path: Annotated[str, typer.Argument(help="The repository (default: the current folder).")] = ".",
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: JsonOption = False,
) -> None:
    """What the repository is, app by app: runtimes, package manager, commands, port, needs; with evidence."""
    output = output_format(output, as_json, ("text", "json"))
    finished = run_command("iac", "detect", lambda run: _detect(Path(path)), progress_message="detecting…")
    if output == "json":
        print_envelope("iac", "detect", finished.run_id, finished.result)
    else:
        typer.echo(_render_detection(finished.result), nl=False)


def _detect(path: Path) -> DetectResult:
    from devcopilot.jobs.iac.detect import detect as detect_apps
    from devcopilot.jobs.iac.report import DetectResult

    return DetectResult.model_validate(detect_apps(path.resolve()).model_dump())


def _render_detection(result: DetectResult) -> str:
    out = []
    for app in result.apps:
        out.append(f"{app.path}: {app.name} ({app.ecosystem}, {app.kind})")
        rows = [
            (
                "runtimes",
                ", ".join(f"{r.name} {r.version or '(any)'} [{r.evidence}]" for r in app.runtimes) or "none",
            ),
        ]
        for label in (
            "package_manager",
            "lock_file",
            "framework",
            "install",
            "build",
            "start",
            "entry",
            "port",
        ):
            fact = getattr(app, label)
            if fact is not None:
                rows.append((label.replace("_", " "), f"{fact.value} [{fact.evidence}]"))
        if app.output_dir is not None:
            rows.append(("static files", f"{app.output_dir.value} [{app.output_dir.evidence}]"))
        for label, facts in (("system packages", app.apt_packages), ("services", app.services)):
            if facts:
                rows.append((label, ", ".join(f"{f.value} [{f.evidence}]" for f in facts)))
        out += [f"  {label:<16} {value}" for label, value in rows]
    return "\n".join(out) + "\n"


@iac_app.command("generate")
def generate(
    what: Annotated[str, typer.Argument(metavar="KIND", help="dockerfile or compose.")],
    path: str = typer.Option(".", "--path", help="The repository (default: the current folder)."),
    out: str | None = typer.Option(
        None, "--out", metavar="DIR", help="Where to write (default: each app's folder)."
    ),
    write: bool = typer.Option(
        False, "--write", help="Write the files; without it they are shown, or diffed."
    ),
    describe: str | None = typer.Option(
        None,
        "--describe",
        metavar="TEXT",
        help="A change for the model to make, kept only if it passes the checks.",
    ),
    model: ModelOption = None,
    no_model: NoModelOption = False,
    strict_model: StrictModelOption = False,
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: JsonOption = False,
) -> None:
    """A Dockerfile and .dockerignore per app, or a compose file with the services the code uses.

    With a model, each file may be changed as --describe asks; a change is kept only when it passes
    iac check and keeps the detected runtime, port and start command. Exit 1 when a described change
    could not be made (then nothing is written).
    """
    from devcopilot.core.errors import UsageError

    output = output_format(output, as_json, ("text", "json"))
    if what not in WHAT:
        raise UsageError(f"{what!r} is not one of {', '.join(WHAT)}")
    finished = run_command(
        "iac",
        "generate",
        lambda run: _generate(run, what, Path(path), out, write, describe),
        choice=model_choice(model, no_model, strict_model),
        fail_on="error",
        progress_message="generating…",
    )
    if output == "json":
        print_envelope("iac", "generate", finished.run_id, finished.result)
    else:
        typer.echo(_render_generated(finished.result, write), nl=False)
    exit_with(finished)


def _generate(
    run: JobRun, what: str, root: Path, out: str | None, write: bool, describe: str | None
) -> GenerateResult:
    from devcopilot.jobs.iac.writing import generate_files

    return generate_files(
        root.resolve(), what, Path(out) if out else None, write=write, run=run, describe=describe
    )


def _render_generated(result: GenerateResult, write: bool) -> str:
    out = []
    for file in result.files:
        origin = (
            "the model's, checked"
            if file.source == "model"
            else f"template {file.template} {file.template_version}"
        )
        header = f"# {file.path} ({file.status}; {origin})"
        if file.status == "differs":
            out += [header, file.diff.rstrip("\n"), ""]
        elif not write:
            out += [header, file.content.rstrip("\n"), ""]
        else:
            out.append(header)
    out += [f"note: {note}" for note in result.notes]
    out += [f"not done: {line}" for line in result.unmet]
    if result.unmet:
        out.append("(nothing written: the change asked for did not pass its checks)")
    elif result.model is not None:
        summary = result.model
        out.append(f"model: {summary.accepted} change(s) kept of {summary.proposed} proposed")
    if not write and any(f.status in ("new", "differs") for f in result.files):
        out.append("(nothing written: add --write to write these files)")
    return "\n".join(out) + "\n"


@iac_app.command("check")
def check(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files or folders (default: the current folder).")
    ] = None,
    output: FindingsFormatOption = "text",
    as_json: JsonOption = False,
    fail_on: FailOnOption = "error",
    write_baseline: WriteBaselineOption = False,
) -> None:
    """Check Dockerfiles and compose files: hadolint, the Compose schema, built-in rules, checkov."""
    from devcopilot.cli.common import findings_format

    output = findings_format(output, as_json, fail_on)
    finished = run_command(
        "iac",
        "check",
        lambda run: _check(list(paths or []), use_baseline=not write_baseline),
        fail_on=fail_on,
        progress_message="checking…",
    )
    finish_findings("iac", "check", finished, output, _print_check, write_baseline=write_baseline)


def _print_drift(result: DriftResult) -> None:
    _print_check(result, result.model_lines())


def _print_check(result: CheckResult | DriftResult, model_lines: list[str] | None = None) -> None:
    lines = [f"{f.path}:{f.line}: {f.severity} {f.rule}: {f.message}" for f in result.findings]
    lines += model_lines or []
    lines += [f"  {line}" for line in result.coverage_lines()]
    typer.echo("\n".join([*lines, result.headline()]))


def _check(paths: list[str], *, use_baseline: bool) -> CheckResult:
    from devcopilot.cli.common import load_context
    from devcopilot.jobs.iac.check import run_check

    # Paths are reported, and the baseline read, from the repository's root when there is one.
    root = load_context().workspace.repo_root or Path.cwd()
    return run_check(root, [str(Path(p).resolve()) for p in paths or ["."]], use_baseline=use_baseline)


@iac_app.command("drift")
def drift(
    desired: str = typer.Option(
        ..., "--desired", metavar="PATH", help="Manifests: a folder, a multi-document file, a rendering."
    ),
    live: str = typer.Option(
        ...,
        "--live",
        metavar="SOURCE",
        help="A `kubectl get -o json` export (a List or objects), or `kubectl` to run kubectl get.",
    ),
    context: str | None = typer.Option(
        None, "--context", help="With --live kubectl: the kubeconfig context."
    ),
    namespace: str | None = typer.Option(
        None,
        "--namespace",
        "-n",
        help="For manifests without one, and for --live kubectl (default: default; kubectl reads all).",
    ),
    selector: Annotated[
        list[str] | None,
        typer.Option(
            "--selector",
            "-l",
            metavar="KEY=VALUE",
            help="Report undeclared objects only when they carry this label (repeatable).",
        ),
    ] = None,
    ignore: str | None = typer.Option(
        None, "--ignore", metavar="FILE", help="Differences to ignore, Argo CD ignoreDifferences style."
    ),
    patch: str | None = typer.Option(
        None, "--patch", metavar="FILE", help="Write what puts live back: .json (JSON patches) or .yaml."
    ),
    adopt: str | None = typer.Option(
        None, "--adopt", metavar="FILE", help="Write a patch to the manifests that records the live values."
    ),
    write: bool = typer.Option(False, "--write", help="Replace an existing --patch or --adopt file."),
    output: FindingsFormatOption = "text",
    as_json: JsonOption = False,
    fail_on: str = typer.Option(
        "info", "--fail-on", help="Exit 1 on drift at this level: error, warning, info (any), never."
    ),
    write_baseline: bool = typer.Option(
        False, "--write-baseline", help="Accept every difference: write them to .devcopilot-baseline.json."
    ),
    model: ModelOption = None,
    no_model: NoModelOption = False,
    strict_model: StrictModelOption = False,
) -> None:
    """Kubernetes objects as declared against the cluster: every change, no server default, a way back.

    With a model, differences may be explained and ignore rules proposed; each is shown only after
    its check, and none removes a difference. Exit 1 when a difference reaches --fail-on (any drift
    by default), 0 when none, 2 on bad input, 3 with --strict-model when no model answered.
    """
    from devcopilot.cli.common import findings_format
    from devcopilot.core.errors import UsageError

    output = findings_format(output, as_json, fail_on)
    labels = {}
    for given in selector or []:
        key, sep, value = given.partition("=")
        if not sep or not key:
            raise UsageError(f"--selector {given!r}: expected KEY=VALUE")
        labels[key] = value
    for name, target in (("--patch", patch), ("--adopt", adopt)):
        if target and Path(target).exists() and not write:
            raise UsageError(f"{name} {target}: the file exists; add --write to replace it")
    finished = run_command(
        "iac",
        "drift",
        lambda run: _drift(
            run, desired, live, context, namespace, labels, ignore, patch, adopt, not write_baseline
        ),
        choice=model_choice(model, no_model, strict_model),
        fail_on=fail_on,
        progress_message="comparing…",
    )
    finish_findings("iac", "drift", finished, output, _print_drift, write_baseline=write_baseline)


def _drift(
    run: JobRun,
    desired: str,
    live: str,
    context: str | None,
    namespace: str | None,
    labels: dict[str, str],
    ignore: str | None,
    patch: str | None,
    adopt: str | None,
    use_baseline: bool,
) -> DriftResult:
    from devcopilot.cli.common import load_context
    from devcopilot.jobs.iac.drift.run import Request, run_drift

    return run_drift(
        Request(
            desired=Path(desired),
            live=live,
            context=context,
            namespace=namespace,
            ignore=Path(ignore) if ignore else None,
            selector=labels,
            patch=Path(patch) if patch else None,
            adopt=Path(adopt) if adopt else None,
            use_baseline=use_baseline,
            root=load_context().workspace.repo_root or Path.cwd(),
            run=run,
        )
    )
