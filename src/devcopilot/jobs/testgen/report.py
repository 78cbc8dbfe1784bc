"""What ``tests generate`` and ``tests gaps`` return, and how it reads in a terminal."""

from __future__ import annotations

from pydantic import BaseModel, Field

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


class ModelFigures(BaseModel):
    models: list[str] = Field(default_factory=list)
    rounds: int = 0
    proposed: int = 0
    kept: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    warning: str | None = None


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
    model: ModelFigures | None = None
    file_text: str
    diff: str | None = None
    """A unified diff against the existing test module, when there is one."""


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
    suite: list[str]
    coverage: CoverageFigures
    functions: list[FunctionGap]


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
    model = report.model
    if model is not None:
        if model.warning:
            lines.append(f"model: {model.warning}")
        lines.append(
            f"model: {', '.join(model.models) or '-'}, {model.rounds} rounds, "
            f"{model.kept}/{model.proposed} kept, "
            f"{model.input_tokens}+{model.output_tokens} tokens, ${model.cost_usd:.4f}"
        )
    lines.append(f"{report.verification_runs} sandbox runs in {report.seconds:.1f} s")
    return "\n".join(lines) + "\n"


def render_gaps(report: GapsReport) -> str:
    lines = [
        f"{report.module}: {report.coverage.text()} by {len(report.suite)} test files",
    ]
    for gap in report.functions:
        where = ", ".join(gap.uncovered) if gap.uncovered else "fully covered"
        branches = f"{gap.branch_percent:5.1f}%" if gap.branches else "     -"
        lines.append(f"  {gap.function:<32} {gap.line_percent:5.1f}% lines {branches} branches  {where}")
    return "\n".join(lines) + "\n"
