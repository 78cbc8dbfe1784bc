"""A module's tests report, assembled from the verifier's verdicts and what the probe skipped."""

from __future__ import annotations

from devcopilot.jobs.testgen.compose import diff
from devcopilot.jobs.testgen.coverage_data import Hits
from devcopilot.jobs.testgen.probe import ProbeResult
from devcopilot.jobs.testgen.report import CoverageFigures, PossibleBug, TestOutcome, TestsReport
from devcopilot.jobs.testgen.target import ModuleSpec
from devcopilot.jobs.testgen.verify import Verdict, Verifier, count_statuses


def build_report(  # noqa: PLR0917 - one call site, every part of the report named
    spec: ModuleSpec,
    target: str | None,
    test_path: str,
    existing: str | None,
    text: str,
    suite_hits: Hits,
    verifier: Verifier,
    verdicts: list[Verdict],
    probe: ProbeResult,
) -> TestsReport:
    outcomes = [
        TestOutcome(
            name=v.candidate.name,
            kind=v.candidate.kind,
            function=v.candidate.function,
            origin=v.candidate.origin,
            status=v.status,
            detail=v.detail,
            adds=v.adds,
        )
        for v in verdicts
    ]
    kept_names = {c.name for c in verifier.kept}
    bugs = [
        PossibleBug(
            function=v.candidate.function,
            test=v.candidate.name,
            kind=v.candidate.kind,
            message=v.detail,
            failing_input=v.failing_input,
        )
        for v in verdicts
        if v.status == "possible-bug"
    ]
    return TestsReport(
        target=target or "--changed",
        module=spec.module,
        source=str(spec.path),
        test_file=test_path,
        coverage_before=CoverageFigures.of(verifier.shape.summary(suite_hits, scope(spec))),
        coverage_after=CoverageFigures.of(verifier.shape.summary(verifier.seen, scope(spec))),
        kept=[o for o in outcomes if o.status == "kept" and o.name in kept_names],
        dropped=count_statuses([v for v in verdicts if v.candidate.name not in kept_names]),
        dropped_tests=[o for o in outcomes if o.name not in kept_names],
        possible_bugs=bugs,
        skipped=probe.skipped,
        seconds=0.0,
        verification_runs=verifier.runs_made + (verifier.mutation.runs_made if verifier.mutation else 0),
        file_text=text,
        diff=diff(existing, text, test_path) if existing is not None and text != existing else None,
    )


def scope(spec: ModuleSpec) -> list[tuple[int, int]] | None:
    """The lines coverage is reported on: the whole module, or the functions a narrower target selected."""
    if spec.whole_module:
        return None
    return [(f.lineno, f.end_lineno) for f in spec.selected]
