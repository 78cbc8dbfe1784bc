"""``iac drift`` from its inputs to its result: load, detect, report, and write what was asked for."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from devcopilot.core import suppressions
from devcopilot.jobs.iac.drift import kubectl
from devcopilot.jobs.iac.drift.engine import Options, Outcome, detect
from devcopilot.jobs.iac.drift.ignore import load_rules
from devcopilot.jobs.iac.drift.lines import file_lines, shown_path
from devcopilot.jobs.iac.drift.load import load_desired, load_live, read_live, ref_of
from devcopilot.jobs.iac.drift.report import DriftResult, entries_and_findings

if TYPE_CHECKING:
    from devcopilot.core.router import ModelRouter
    from devcopilot.core.runner import JobRun


@dataclass
class Request:
    desired: Path
    live: str
    """A file, or ``kubectl`` to run ``kubectl get`` for the declared kinds."""
    context: str | None = None
    namespace: str | None = None
    ignore: Path | None = None
    selector: dict[str, str] | None = None
    patch: Path | None = None
    adopt: Path | None = None
    use_baseline: bool = True
    root: Path | None = None
    run: JobRun | None = None
    """The job run, whose router (when a model is configured) explains differences and proposes rules."""


def run_drift(request: Request) -> DriftResult:
    declared = load_desired(request.desired)
    options = Options(
        namespace=request.namespace or "default",
        ignore=load_rules(request.ignore) if request.ignore else [],
        selector=request.selector or {},
        owned_namespaces=[request.namespace] if request.namespace else None,
    )
    if request.live == "kubectl":
        refs = [ref_of(d.obj, options.namespace) for d in declared]
        raw = kubectl.fetch(kubectl.command(refs, context=request.context, namespace=request.namespace))
        live_source = f"kubectl{' --context ' + request.context if request.context else ''}"
    else:
        raw = read_live(Path(request.live))
        live_source = request.live
    live = load_live(raw, live_source)
    outcome = detect(declared, live, options)
    entries, findings = entries_and_findings(outcome, live_source)
    files = sorted({d.file for d in declared})
    root = (request.root or Path.cwd()).resolve()
    findings = [f.model_copy(update={"path": shown_path(root, f.path)}) for f in findings]
    baseline = suppressions.Baseline.of_repository(root, "iac", use=request.use_baseline)

    def lines(path: str) -> list[str] | None:
        return file_lines(str(root / path))

    kept, counts = suppressions.apply(findings, new_lines=lines, base_lines=lines, baseline=baseline)
    result = DriftResult(
        findings=kept,
        differences=entries,
        declared=len(declared),
        live=len(live),
        matched=outcome.matched,
        left_out_by_reason=dict(outcome.left_out),
        inputs={
            "declared_sha256": _digest(files),
            "live_sha256": hashlib.sha256(raw).hexdigest(),
        },
        left_out=counts,
    )
    router = request.run.router() if request.run is not None else None
    if router is not None and request.run is not None and outcome.objects:
        _model_pass(request.run, router, outcome, options, result)
    if request.patch is not None or request.adopt is not None:
        from devcopilot.jobs.iac.drift import remedy

        if request.patch is not None:
            result.notes += remedy.write_patch(outcome, request.patch, options)
        if request.adopt is not None:
            result.notes += remedy.write_adoption(outcome, request.adopt, root)
    return result


def _model_pass(
    run: JobRun, router: ModelRouter, outcome: Outcome, options: Options, result: DriftResult
) -> None:
    from devcopilot.jobs.iac.drift.model_pass import run_model_pass

    answered = run_model_pass(router, run.context.prompts, outcome, options, run.verdicts)
    for entry in result.differences:
        entry.explanation = answered.explanations.get((entry.object, entry.path))
    result.proposed_ignore = answered.rules
    result.model = run.model_pass(warning=answered.warning)


def _digest(files: list[str]) -> str:
    """One hash over every declared file, in name order, so a rendering and a folder are both covered."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + Path(name).read_bytes() + b"\0")
    return digest.hexdigest()
