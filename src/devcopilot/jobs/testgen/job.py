"""The tests commands' work: read the target, probe it, generate, verify, (ask a model,) report."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devcopilot.core.change.diff import BlobReader, DiffSource, Mode, load_diff, new_content
from devcopilot.core.context import Context
from devcopilot.core.errors import InputError, UsageError
from devcopilot.core.git import resolve_commit
from devcopilot.core.repair_loop import LoopOutcome
from devcopilot.core.runner import JobRun
from devcopilot.core.sandbox import RunResult, Sandbox
from devcopilot.jobs.testgen.calls import (
    Call,
    function_calls,
    instance_inits,
    random_calls,
    rebased_calls,
    returned_values,
)
from devcopilot.jobs.testgen.candidates import KINDS, Candidate
from devcopilot.jobs.testgen.compose import compose
from devcopilot.jobs.testgen.coverage_data import FileShape, Hits, hits_by_context, segments
from devcopilot.jobs.testgen.generate import Observation, Writer
from devcopilot.jobs.testgen.inherited import adopt_inherited, adopt_subclasses
from devcopilot.jobs.testgen.metamorphic import monotonic_tests, permutation_tests
from devcopilot.jobs.testgen.mutants import definition_names
from devcopilot.jobs.testgen.mutation import MutationJudge
from devcopilot.jobs.testgen.oracles import value_pins
from devcopilot.jobs.testgen.patterns import learn_patterns
from devcopilot.jobs.testgen.probe import Prober, ProbeResult
from devcopilot.jobs.testgen.report import CoverageFigures, FunctionGap, GapsReport, TestsReport, TestsRun
from devcopilot.jobs.testgen.results import build_report
from devcopilot.jobs.testgen.target import (
    FunctionSpec,
    ModuleSpec,
    locate,
    read_module,
    require_selected,
    select_changed,
)
from devcopilot.jobs.testgen.verify import TEST_TIMEOUT_S, Verifier

log = logging.getLogger("devcopilot.tests")
DRIVER = "devcopilot.jobs.testgen.driver"
"""The module the sandbox runs: probe calls, or pytest under coverage."""
MAX_MODULE_BYTES = 2 * 1024 * 1024
SUITE_TIMEOUT_S = 300.0
SEARCH_SHARE = 0.4
"""The share of the budget the random call search may use; verification needs the rest."""
REPORT_SHARE = 0.25
"""With ``--mutation``, the survivors report may run this share of the budget past it."""
MAX_SEARCH_ROUNDS = 40
IDLE_ROUNDS = 3
MAX_REQUIRED_ARGS = 3
"""Classes found at import that need more arguments than this are passed as classes, not instances."""


@dataclass(frozen=True)
class GenerateOptions:
    target: str | None
    changed: bool = False
    range: str | None = None
    out: str | None = None
    write: bool = False
    max_iterations: int = 3
    budget_seconds: float = 60.0
    coverage_target: float = 90.0
    mutation: bool = False
    """Report the mutants the kept tests let survive (they steer which tests are kept either way)."""


@dataclass
class Workbench:
    """One module under test, in one sandbox, with where its tests go."""

    spec: ModuleSpec
    repo: Path
    sandbox: Sandbox
    test_path: str
    existing: str | None
    shape: FileShape
    suite_problem: str | None = None
    """Why the existing suite's coverage of the target could not be measured, when it could not."""

    @property
    def measured(self) -> Path:
        return self.sandbox.inside(self.spec.path)

    @property
    def python_path(self) -> list[Path]:
        paths = [self.sandbox.inside(self.spec.import_root), self.sandbox.copy]
        if (self.sandbox.copy / "src").is_dir():
            paths.append(self.sandbox.copy / "src")
        return paths

    def suite_files(self) -> list[str]:
        """The repository's test files that mention the module's name and import something."""
        short = self.spec.module.rsplit(".", 1)[-1]
        found = []
        for path in sorted(self.sandbox.copy.rglob("*.py")):
            relative = path.relative_to(self.sandbox.copy).as_posix()
            if relative.startswith("."):
                continue
            if not (path.name.startswith("test_") or path.name.endswith("_test.py")):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if short in text and "import" in text:
                found.append(relative)
        return found

    def suite_hits(self, files: list[str]) -> Hits:
        if not files:
            return Hits()
        request = {
            "mode": "pytest",
            "files": files,
            "seed": 0,
            "test_timeout": TEST_TIMEOUT_S,
            "measure": str(self.measured),
            "module": self.spec.module,
        }
        run = self.sandbox.run(request, timeout=SUITE_TIMEOUT_S, python_path=self.python_path)
        self.suite_problem = _suite_problem(run, self.measured, self.spec.module)
        total = Hits()
        if run.coverage_file is not None:
            for hits in hits_by_context(run.coverage_file, self.measured, self.shape).values():
                total = total | hits
        return total


def _suite_problem(run: RunResult, measured: Path, module: str) -> str | None:
    """One line on why the suite measured nothing of the target: it did not run, or ran another copy."""
    end = next((r for r in reversed(run.records) if "exit" in r), None)
    if run.timed_out:
        return f"the existing suite did not finish in {SUITE_TIMEOUT_S:g} s"
    if end is None or end["exit"] not in (0, 1, 5):
        last = (run.stderr.strip().splitlines() or ["no output"])[-1][:200]
        code = "no exit code" if end is None else f"exit code {end['exit']}"
        return f"the existing suite did not run (pytest {code}: {last})"
    imported = end.get("module_file")
    if imported and Path(imported).resolve() != measured.resolve():
        return (
            f"the suite imported {module} from {imported}, not from the target: an installed copy shadows it"
        )
    return None


def repository(context: Context) -> Path:
    return context.workspace.repo_root or Path.cwd().resolve()


def output_path(repo: Path, spec: ModuleSpec, out: str | None) -> str:
    if out is None:
        name = spec.module.rsplit(".", 1)[-1]
        return f"tests/test_{name}.py"
    path = Path(out).resolve()
    if path.suffix != ".py":
        raise InputError(f"--out {out}: a test module must be a .py file")
    try:
        return path.relative_to(repo).as_posix()
    except ValueError:
        raise InputError(f"--out {out}: must be inside the repository ({repo})") from None


@dataclass(frozen=True)
class Targets:
    specs: list[ModuleSpec]
    contents: dict[str, bytes]
    """The changed modules' new text, by repository path, where it is not the working tree's."""


def targets(context: Context, options: GenerateOptions) -> Targets:
    repo = repository(context)
    if options.changed or options.range:
        if options.target:
            raise UsageError("give a TARGET or --changed/--range, not both")
        source = DiffSource(Mode.RANGE, range=options.range) if options.range else DiffSource(Mode.STAGED)
        return changed_targets(repo, source)
    if not options.target:
        raise UsageError("name a TARGET (path.py, path.py::function, path.py::Class) or use --changed")
    path, member = locate(options.target, Path.cwd())
    return Targets([read_module(path, member)], {})


def _replay_arguments(run: JobRun, options: GenerateOptions, found: Targets) -> list[str] | None:
    """The same target again: a module file kept by hash; a commit range by its commits; else none."""
    budget = [
        "--max-iterations",
        str(options.max_iterations),
        "--budget-seconds",
        str(options.budget_seconds),
    ]
    if options.range:
        start, _, end = options.range.partition("..")
        repo = repository(run.context)
        commits = f"{resolve_commit(repo, start)}..{resolve_commit(repo, end)}"
        return ["--changed", "--range", commits, *budget]
    if options.changed or len(found.specs) != 1:
        return None  # a staged change of several modules is not one TARGET
    spec = found.specs[0]
    member = options.target.partition("::")[2] if options.target and "::" in options.target else ""
    kept = run.keep_input(spec.path.name, path=str(spec.path))
    return [f"{kept}::{member}" if member else kept, *budget]


def changed_targets(repo: Path, source: DiffSource) -> Targets:
    """Modules with functions the change touches, those functions selected, read as the change has them.

    A staged change is read from the index, so what is tested is what is being committed,
    whatever the working tree holds.
    """
    diff = load_diff(repo, source)
    specs: list[ModuleSpec] = []
    contents: dict[str, bytes] = {}
    with BlobReader(repo) as blobs:
        for changed in diff.files:
            name = changed.path
            if changed.status == "deleted" or changed.binary or not changed.added_lines:
                continue
            if not name.endswith(".py") or Path(name).name.startswith("test_"):
                continue
            content = new_content(blobs, diff, changed, MAX_MODULE_BYTES)
            if content is None:
                continue
            spec = read_module(repo / name, select_member=False, content=content)
            select_changed(spec, set(changed.added_lines))
            if spec.selected:
                specs.append(spec)
                contents[name] = content
    return Targets(specs, contents)


def run_generate(run: JobRun, options: GenerateOptions) -> TestsRun:
    context = run.context
    found = targets(context, options)
    repo = repository(context)
    replay = _replay_arguments(run, options, found)
    if replay is not None:
        run.replay_as(replay)
    if options.out and len(found.specs) > 1:
        raise UsageError("--out names one test file; --changed touched several modules")
    reports = []
    rounds = 0
    warning = None
    for spec in found.specs:
        report, outcome = generate_for(run, spec, repo, options, found.contents)
        reports.append(report)
        if outcome is not None:
            rounds += outcome.rounds
            warning = warning or outcome.warning
    model = run.model_pass(warning=warning, details={"rounds": rounds}) if run.router() else None
    return TestsRun(reports=reports, model=model)


def generate_for(
    run: JobRun, spec: ModuleSpec, repo: Path, options: GenerateOptions, contents: Mapping[str, bytes]
) -> tuple[TestsReport, LoopOutcome | None]:
    started = time.perf_counter()
    deadline = time.monotonic() + options.budget_seconds
    test_path = output_path(repo, spec, options.out)
    existing_file = repo / test_path
    existing = existing_file.read_text(encoding="utf-8") if existing_file.is_file() else None
    outcome = None
    with Sandbox(repo, DRIVER, overrides=contents) as sandbox:
        bench = Workbench(spec, repo, sandbox, test_path, existing, FileShape.of(spec.path, spec.source))
        suite = bench.suite_files()
        suite_hits = bench.suite_hits(suite)
        probe = probe_module(bench, time.monotonic() + options.budget_seconds * SEARCH_SHARE)
        writer = Writer(spec)
        verifier = Verifier(
            sandbox=sandbox,
            test_path=test_path,
            existing=existing,
            module=spec.module,
            measured=bench.measured,
            shape=bench.shape,
            python_path=bench.python_path,
            deadline=deadline,
            baseline=suite_hits | probe.import_hits,
        )
        verifier.mutation = mutation_judge(bench, probe)
        candidates = engine_candidates(writer, spec, probe, verifier.seen, bench.shape)
        verdicts = verifier.judge(candidates)
        router = run.router()
        if router is not None:
            from devcopilot.jobs.testgen.model_pass import ModelRounds  # noqa: PLC0415 - the model path only

            rounds = ModelRounds(
                router, run.context.prompts, spec, bench, verifier, options, probe.skipped, run.verdicts
            )
            outcome = rounds.run()
            verdicts += rounds.verdicts
            if outcome.warning:
                log.warning("%s; the engine's tests are reported", outcome.warning)
        if options.mutation:
            verifier.settle_mutants(options.budget_seconds * REPORT_SHARE)
        text = (
            compose(existing, in_reading_order(verifier.kept, spec), spec.module)
            if verifier.kept
            else (existing or "")
        )
    report = build_report(
        spec, options.target, test_path, existing, text, suite_hits, verifier, verdicts, probe
    )
    report = report.model_copy(update={"seconds": round(time.perf_counter() - started, 2)})
    if options.mutation and verifier.mutation is not None:
        report = report.model_copy(update={"mutation": verifier.mutation.summary()})
    if options.write and verifier.kept:
        existing_file.parent.mkdir(parents=True, exist_ok=True)
        existing_file.write_text(text, encoding="utf-8")
        report = report.model_copy(update={"written": True})
    return report, outcome


def mutation_judge(bench: Workbench, probe: ProbeResult) -> MutationJudge | None:
    """The mutants of the functions tests will be written for; none when the target cannot be read."""
    selected = [f.qualname for f in bench.spec.selected if f.qualname not in probe.skipped]
    if bench.spec.whole_module:  # the helpers too: a test that breaks when one does is worth keeping
        selected += [name for name in definition_names(bench.spec.tree) if name not in probe.skipped]
    functions = list(dict.fromkeys(selected))  # `@overload` stubs share their function's name
    try:
        return MutationJudge.of(
            bench.sandbox,
            bench.test_path,
            module=bench.spec.module,
            measured=bench.measured,
            python_path=bench.python_path,
            functions=functions,
        )
    except (OSError, SyntaxError, ValueError) as error:
        log.debug("no mutants of %s: %s", bench.spec.module, error)
        return None


def in_reading_order(kept: list[Candidate], spec: ModuleSpec) -> list[Candidate]:
    """Tests grouped by the function they test, in source order, contract tests first."""
    order = {f.qualname: n for n, f in enumerate(spec.all_functions())}
    return sorted(kept, key=lambda c: (order.get(c.function, len(order)), KINDS.index(c.kind), c.name))


def probe_module(bench: Workbench, until: float) -> ProbeResult:
    """Observe the selected functions; then search with random calls until ``until`` (monotonic time)."""
    spec = bench.spec
    prober = Prober(bench.sandbox, spec.module, bench.measured, bench.shape, bench.python_path, spec)
    result = ProbeResult(skipped=dict(spec.skipped))
    prober.run([], result)  # the import alone: which classes the namespace holds
    learn_classes(spec, result.classes)
    adopt_inherited(spec, result.inherited)
    adopt_subclasses(spec, result.subclasses)
    require_selected(spec)
    learn_patterns(spec, result.patterns)
    owners = {f.owner for f in spec.selected if f.owner and f.kind in ("method", "property")}
    instances: dict[str, list[str]] = {}
    inits: list[Call] = []
    for owner in sorted(owners):
        cls = spec.cls(owner)
        if cls is not None:
            inits.extend(instance_inits(cls, spec))
    if inits:
        prober.run(inits, result)
        for observation in result.observations:
            if observation.record.get("status") == "ok":
                owner = observation.call.function.split(".")[0]
                instances.setdefault(owner, []).append(observation.call.expression)
        spec.found_values.extend(built[0] for built in instances.values())
        for owner in owners:
            if owner not in instances:
                for function in spec.selected:
                    if function.owner == owner and function.kind in ("method", "property"):
                        result.skipped.setdefault(
                            function.qualname, f"no {owner} instance could be built from inferred inputs"
                        )
    usable = [f for f in spec.selected if f.qualname not in result.skipped]
    calls = [c for f in usable for c in function_calls(f, spec, instances)]
    prober.run(calls, result)
    result.settle_blocked()
    tried: dict[str, list[tuple[Call, bool]]] = {}
    for call, ok in outcomes(result):
        tried.setdefault(call.function, []).append((call, ok))
    again = [c for f in usable for c in rebased_calls(f, spec, tried.get(f.qualname, []))]
    if again:
        prober.run(again, result)
    return explore(prober, result, usable, instances, until)


def outcomes(result: ProbeResult) -> list[tuple[Call, bool]]:
    """Each call made so far, and whether it returned."""
    return [(o.call, o.record.get("status") == "ok") for o in result.observations]


def learn_classes(spec: ModuleSpec, classes: dict[str, list[tuple[str, str | None]]]) -> None:
    """The package's classes as inputs: the class itself (a kind to dispatch on) and a simple instance."""
    own = {c.name for c in spec.classes}
    instances, kinds = [], []
    spec.found_signatures.update(classes)
    for name, params in classes.items():
        required = [param for param, default in params if default is None]
        spec.found_names.add(name)
        kinds.append(name)
        if name not in own and len(required) <= MAX_REQUIRED_ARGS:
            instances.append(f"{name}({', '.join([repr('text')] * len(required))})")
    spec.found_values.extend([*instances, *kinds])


def explore(
    prober: Prober,
    result: ProbeResult,
    usable: list[FunctionSpec],
    instances: dict[str, list[str]],
    until: float,
) -> ProbeResult:
    """Rounds of random calls and call sequences while they add coverage and the search time lasts."""
    covered = result.import_hits
    for observation in result.observations:
        covered = covered | observation.hits
    idle = 0
    for round_number in range(1, MAX_SEARCH_ROUNDS + 1):
        if time.monotonic() > until or idle >= IDLE_ROUNDS:
            break
        alive = [f for f in usable if f.qualname not in result.skipped]
        seen = len(result.observations)
        returned = returned_values(alive, outcomes(result))
        prober.run(random_calls(alive, prober.spec, instances, round_number, returned), result)
        before = covered
        for observation in result.observations[seen:]:
            covered = covered | observation.hits
        idle = 0 if covered.adds_to(before, prober.shape) else idle + 1
    result.settle_blocked()
    return result


def engine_candidates(
    writer: Writer, spec: ModuleSpec, probe: ProbeResult, seen: Hits, shape: FileShape
) -> list[Candidate]:
    """Contract tests first (they may reveal bugs), then properties, then the pinned observations."""
    usable = [f for f in spec.selected if f.qualname not in probe.skipped]
    by_function: dict[str, list[Observation]] = {}
    for observation in probe.observations:
        by_function.setdefault(observation.call.function, []).append(observation)
    found: list[Candidate] = []
    for function in usable:
        example = writer.docstring_examples(function)
        if example is not None:
            found.append(example)
    found += writer.round_trips(usable) + writer.idempotence(usable) + writer.equivalences(usable)
    found += permutation_tests(writer, usable) + monotonic_tests(writer, usable)
    for function in usable:
        prop = writer.property_test(function, by_function.get(function.qualname, []))
        if prop is not None:
            found.append(prop)
    wanted = {f.qualname for f in usable}
    observations = [o for o in probe.observations if o.call.function in wanted]
    covering = writer.characterizations(observations, seen, shape)
    return found + covering + value_pins(writer, observations, covering)


def run_gaps(run: JobRun, target: str) -> GapsReport:
    repo = repository(run.context)
    path, member = locate(target, Path.cwd())
    spec = read_module(path, member)
    require_selected(spec)
    with Sandbox(repo, DRIVER) as sandbox:
        bench = Workbench(spec, repo, sandbox, "", None, FileShape.of(spec.path))
        suite = bench.suite_files()
        hits = bench.suite_hits(suite)
    shape = bench.shape
    gaps = []
    for function in spec.selected:
        summary = shape.summary(hits, [(function.lineno, function.end_lineno)])
        gaps.append(
            FunctionGap(
                function=function.qualname,
                lines=f"{function.lineno}-{function.end_lineno}",
                line_percent=summary.line_percent,
                branch_percent=summary.branch_percent,
                branches=summary.branches,
                uncovered=[
                    f"{a}-{b}" if a != b else str(a)
                    for a, b in segments(summary.missing_lines, shape.statements)
                ],
            )
        )
    return GapsReport(
        target=target,
        module=spec.module,
        note=bench.suite_problem,
        suite=suite,
        coverage=CoverageFigures.of(shape.summary(hits)),
        functions=gaps,
    )
