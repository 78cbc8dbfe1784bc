"""What ``tests generate`` and ``tests gaps`` return, and how it reads in a terminal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, computed_field

from devcopilot.core.verdicts import ModelPass
from devcopilot.jobs.testgen.coverage_data import Summary


class CoverageFigures(BaseModel):
    line_percent: float
    branch_percent: float
    combined_percent: float
    statements: int
    covered_statements: int
    branches: int
    covered_branches: int

    @classmethod
    def of(cls, summary: Summary) -> CoverageFigures:
        return cls(
            line_percent=summary.line_percent,
            branch_percent=summary.branch_percent,
            combined_percent=summary.combined_percent,
            statements=summary.statements,
            covered_statements=summary.covered_statements,
            branches=summary.branches,
            covered_branches=summary.covered_branches,
        )

    def text(self) -> str:
        return f"lines {self.line_percent:.1f}%, branches {self.branch_percent:.1f}%"


class TestOutcome(BaseModel):
    name: str
    kind: str
    function: str
    origin: str
    status: str
    detail: str = ""
    adds: int = 0
    """Statements plus branches it covers that nothing before it did."""


class PossibleBug(BaseModel):
    function: str
    test: str
    kind: str
    message: str
    failing_input: str


class FunctionMutants(BaseModel):
    """How one function's mutants fared against the kept tests (``tests generate --mutation``)."""

    function: str
    mutants: int
    """Mutants run against the tests (those a time-out or an unsupported shape left out are not)."""
    killed: int
    not_run: int = 0
    surviving: list[str]
    """Each surviving mutant as ``line N: change``."""

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented use on a property
    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.mutants if self.mutants else 100.0


class TestsReport(BaseModel):
    target: str
    module: str
    source: str
    test_file: str
    written: bool = False
    coverage_before: CoverageFigures
    coverage_after: CoverageFigures
    kept: list[TestOutcome]
    dropped: dict[str, int]
    dropped_tests: list[TestOutcome]
    possible_bugs: list[PossibleBug]
    skipped: dict[str, str]
    seconds: float
    verification_runs: int
    file_text: str
    diff: str | None = None
    """A unified diff against the existing test module, when there is one."""
    mutation: list[FunctionMutants] | None = None
    """Per function, the mutants the kept tests kill and those that survive (with ``--mutation``)."""

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented use on a property
    @property
    def mutation_score(self) -> float | None:
        if self.mutation is None:
            return None
        made = sum(f.mutants for f in self.mutation)
        return round(100.0 * sum(f.killed for f in self.mutation) / made, 1) if made else None


class TestsRun(BaseModel):
    """``tests generate``: one report per module, and the model pass over all of them."""

    reports: list[TestsReport]
    model: ModelPass | None = None

    def reaches(self, level: str) -> bool:
        """A possible bug is what fails a pipeline, whatever the level."""
        return any(report.possible_bugs for report in self.reports)

    def model_summary(self) -> ModelPass | None:
        return self.model

    def job_run_fields(self) -> Mapping[str, Any]:
        return {
            "tests.modules": [r.module for r in self.reports],
            "tests.kept": sum(len(r.kept) for r in self.reports),
            "tests.possible_bugs": sum(len(r.possible_bugs) for r in self.reports),
            "tests.skipped": sum(len(r.skipped) for r in self.reports),
            "tests.coverage_before": [r.coverage_before.combined_percent for r in self.reports],
            "tests.coverage_after": [r.coverage_after.combined_percent for r in self.reports],
        }


class FunctionGap(BaseModel):
    function: str
    lines: str
    line_percent: float
    branch_percent: float
    branches: int
    uncovered: list[str]
    """Uncovered segments as ``first-last`` line ranges."""


class GapsReport(BaseModel):
    target: str
    module: str
    note: str | None = None
    """Why the suite's coverage could not be measured (it did not run, another copy was imported)."""
    suite: list[str]
    coverage: CoverageFigures
    functions: list[FunctionGap]

    def reaches(self, level: str) -> bool:
        return False

    def model_summary(self) -> ModelPass | None:
        return None

    def job_run_fields(self) -> Mapping[str, Any]:
        return {"tests.module": self.module, "tests.coverage": self.coverage.combined_percent}


def render_report(report: TestsReport) -> str:
    before, after = report.coverage_before, report.coverage_after
    lines = [
        f"{report.module} ({report.source}) -> {report.test_file}",
        f"coverage: {before.text()} -> {after.text()}",
        f"kept {len(report.kept)} tests"
        + (
            "; dropped " + ", ".join(f"{count} {reason}" for reason, count in sorted(report.dropped.items()))
            if report.dropped
            else ""
        ),
    ]
    for test in report.kept:
        lines.append(f"  + {test.name} ({test.kind}, +{test.adds})")
    for bug in report.possible_bugs:
        lines.append(f"possible bug in {bug.function} ({bug.kind} test {bug.test}): {bug.message}")
        if bug.failing_input:
            lines.append(f"    failing input: {bug.failing_input}")
    for function, reason in report.skipped.items():
        lines.append(f"skipped {function}: {reason}")
    lines += render_mutation(report)
    lines.append(f"{report.verification_runs} sandbox runs in {report.seconds:.1f} s")
    return "\n".join(lines) + "\n"


def render_mutation(report: TestsReport) -> list[str]:
    if report.mutation is None:
        return []
    made = sum(f.mutants for f in report.mutation)
    killed = sum(f.killed for f in report.mutation)
    not_run = sum(f.not_run for f in report.mutation)
    untried = f"; {not_run} not run (time ran out, or not swappable in)" if not_run else ""
    score = f"kill {killed} of {made} ({report.mutation_score or 0.0:.1f}%)" if made else "ran on no mutant"
    lines = [f"mutants: the kept tests {score}{untried}"]
    for function in report.mutation:
        left_out = f", {function.not_run} not run" if function.not_run else ""
        run = f"{function.killed} of {function.mutants} killed ({function.score:.0f}%)"
        lines.append(f"  {function.function}: {run if function.mutants else 'none run'}{left_out}")
        lines += [f"    survives: {mutant}" for mutant in function.surviving]
    return lines


def render_run(run: TestsRun) -> str:
    """Each module's report, each followed by its test file or diff, then the model pass."""
    if not run.reports:
        return "no changed public Python function to test\n"
    out = []
    for report in run.reports:
        out.append(render_report(report))
        if report.written:
            out.append(f"wrote {report.test_file}\n")
        elif report.diff is not None:
            out.append("\n" + report.diff)
        elif report.kept:
            out.append(f"\n--- {report.test_file} (new; --write to create it)\n{report.file_text}")
    if run.model is not None:
        if run.model.warning:
            out.append(f"model: {run.model.warning}\n")
        out.append(run.model.describe() + "\n")
    return "".join(out)


def render_gaps(report: GapsReport) -> str:
    lines = [
        f"{report.module}: {report.coverage.text()} by {len(report.suite)} test files",
    ]
    if report.note:
        lines.append(f"  note: {report.note}")
    for gap in report.functions:
        where = ", ".join(gap.uncovered) if gap.uncovered else "fully covered"
        branches = f"{gap.branch_percent:5.1f}%" if gap.branches else "     -"
        lines.append(f"  {gap.function:<32} {gap.line_percent:5.1f}% lines {branches} branches  {where}")
    return "\n".join(lines) + "\n"
