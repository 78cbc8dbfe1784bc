"""Judge each candidate test on its own: it imports, passes five runs in random order, and adds coverage.

Candidates are run together with the existing tests of the module they join
(five interpreters, five seeds for the order), each test in its own coverage
context, so one run tells every candidate's outcome and coverage apart. A
candidate that breaks the file's import is found and dropped alone; one that
adds nothing is dropped alone; its siblings are judged on their own merits.
The kept set is then run five more times without the dropped ones, since a
test may have passed only thanks to a sibling's side effect.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from devcopilot.core.sandbox import RunResult, Sandbox
from devcopilot.core.sandbox_guard import SANDBOX_MARK
from devcopilot.jobs.testgen.candidates import Candidate
from devcopilot.jobs.testgen.compose import compose, unique
from devcopilot.jobs.testgen.coverage_data import FileShape, Hits, hits_by_context
from devcopilot.jobs.testgen.mutation import MutationJudge

RUNS = 5
TEST_TIMEOUT_S = 10.0
MUTATION_SHARE = 0.5
"""The share of the remaining budget the mutants may use; confirming the kept tests needs the rest."""
HYPOTHESIS_MISUSE = (
    "InvalidArgument",
    "Unsatisfiable",
    "FailedHealthCheck",
    "ResolutionFailed",
    "InvalidDefinition",
)
# Hypothesis names the input "Falsifying example" (older releases) or "Failing test case" (newer).
FALSIFYING = re.compile(r"(?:Falsifying example|Failing test case): [^\n]*\((?:\n.*?)*?\n\s*\)", re.MULTILINE)


@dataclass
class Verdict:
    candidate: Candidate
    status: str
    detail: str = ""
    adds: int = 0
    failing_input: str = ""


@dataclass
class Verifier:
    sandbox: Sandbox
    test_path: str
    """Where the tests go, relative to the repository."""
    existing: str | None
    """The test module's current text, when it exists."""
    module: str
    measured: Path
    """The target file as the sandbox imports it."""
    shape: FileShape
    python_path: list[Path]
    deadline: float
    baseline: Hits = field(default_factory=Hits)
    """What the existing suite and the module's import cover."""
    seen: Hits = field(default_factory=Hits)
    """The baseline plus what the kept tests cover."""
    kept: list[Candidate] = field(default_factory=list)
    runs_made: int = 0
    questioned: set[str] = field(default_factory=set)
    """Functions reported as possible bugs: no test may pin what they do today."""
    mutation: MutationJudge | None = None
    """The target's mutants; without them, a test is kept for the coverage it adds alone."""
    hits_of: dict[str, Hits] = field(default_factory=dict)
    """What each kept test covers: a mutant is run only against the tests that reach its line."""

    def __post_init__(self) -> None:
        self.seen = self.seen | self.baseline

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def run_text(self, text: str, *, measure: bool, seeds: range = range(RUNS)) -> list[RunResult]:
        """Run the test module once per seed (its test order); seed 0 measures coverage when asked."""
        self.sandbox.write(self.test_path, text)
        requests = [
            {
                "mode": "pytest",
                "files": [self.test_path],
                "seed": seed,
                "test_timeout": TEST_TIMEOUT_S,
                "measure": str(self.measured) if measure and seed == 0 else None,
            }
            for seed in seeds
        ]
        timeout = max(5.0, min(self.remaining(), 60.0 + TEST_TIMEOUT_S * 2))
        results = self.sandbox.run_many(requests, timeout=timeout, python_path=self.python_path)
        self.runs_made += len(seeds)
        return results

    def context_hits(self, result: RunResult) -> dict[str, Hits]:
        if result.coverage_file is None:
            return {}
        return hits_by_context(result.coverage_file, self.measured, self.shape)

    # -- the whole batch ----------------------------------------------------------------------

    def judge(self, candidates: list[Candidate]) -> list[Verdict]:
        verdicts: list[Verdict] = []
        runnable = []
        for candidate in candidates:
            problem = compile_problem(candidate)
            if problem:
                verdicts.append(Verdict(candidate, "does-not-compile", problem))
            else:
                runnable.append(candidate)
        if runnable and self.remaining() <= 0:
            return verdicts + [Verdict(c, "budget") for c in runnable]
        runnable = unique(runnable, "\n".join([self.existing or "", *(k.code for k in self.kept)]))
        passing: list[tuple[Candidate, Hits]] = []
        for attempt in range(3):
            if not runnable:
                break
            if self.remaining() <= 0:
                verdicts += [Verdict(c, "budget") for c in runnable]
                runnable = []
                break
            screen = compose(self.existing, [*self.kept, *runnable], self.module)
            results = self.run_text(screen, measure=True, seeds=range(1))
            broken = collection_error(results)
            if broken:
                bad = self.find_unimportable(runnable, broken)
                verdicts += bad
                gone = {v.candidate.name for v in bad}
                runnable = [c for c in runnable if c.name not in gone]
                continue
            retry = self.sort_outcomes(runnable, results, verdicts, passing, expected=1)
            runnable = retry if attempt < 2 else []
            if attempt == 2:
                verdicts += [Verdict(c, "timeout", "the run did not reach it") for c in retry]
        self.questioned |= {v.candidate.function for v in verdicts if v.status == "possible-bug"}
        pinning = [c for c, _ in passing if c.kind == "characterization" and c.function in self.questioned]
        verdicts += [
            Verdict(c, "pins-a-possible-bug", "would pin behaviour a possible-bug report questions")
            for c in pinning
        ]
        passing = [(c, h) for c, h in passing if c not in pinning]
        verdicts += self.keep_greedy(self.repeat(passing, verdicts))
        return verdicts

    def repeat(
        self, passing: list[tuple[Candidate, Hits]], verdicts: list[Verdict]
    ) -> list[tuple[Candidate, Hits]]:
        """The other four runs, only for the tests that passed the first: a slow or failing one costs one."""
        if not passing:
            return []
        if self.remaining() <= 0:
            verdicts += [Verdict(c, "budget") for c, _ in passing]
            return []
        text = compose(self.existing, [*self.kept, *(c for c, _ in passing)], self.module)
        results = self.run_text(text, measure=False, seeds=range(1, RUNS))
        still: list[tuple[Candidate, Hits]] = []
        first_run = {c.name: h for c, h in passing}
        retry = self.sort_outcomes(
            [c for c, _ in passing], results, verdicts, still, expected=RUNS - 1, passed_before=1
        )
        verdicts += [Verdict(c, "timeout", "did not finish in every run") for c in retry]
        return [(c, first_run[c.name]) for c, _ in still]

    def sort_outcomes(
        self,
        runnable: list[Candidate],
        results: list[RunResult],
        verdicts: list[Verdict],
        passing: list[tuple[Candidate, Hits]],
        *,
        expected: int,
        passed_before: int = 0,
    ) -> list[Candidate]:
        """File each candidate's runs as a verdict or as passing; return those a hang kept from running."""
        hung = hung_tests(results)
        outcomes = per_test(results)
        hits = self.context_hits(results[0])
        retry = []
        for candidate in runnable:
            seen = outcomes.get(candidate.name, [])
            if candidate.name in hung:
                verdicts.append(
                    Verdict(candidate, "timeout", f"did not finish within {TEST_TIMEOUT_S:.0f} s")
                )
            elif len(seen) < expected:
                retry.append(candidate)  # a sibling's hang stopped the run before this test ran
            else:
                verdict = self.outcome_verdict(candidate, [("passed", "")] * passed_before + seen)
                if verdict is None:
                    passing.append((candidate, context_of(hits, candidate.name)))
                else:
                    verdicts.append(verdict)
        return retry

    def outcome_verdict(self, candidate: Candidate, seen: list[tuple[str, str]]) -> Verdict | None:
        """None when every run passed, else why not."""
        failures = [text for outcome, text in seen if outcome != "passed"]
        if not failures:
            return None
        text = failures[0]
        if "CallTimeout" in text:
            return Verdict(candidate, "timeout", f"did not finish within {TEST_TIMEOUT_S:.0f} s")
        if SANDBOX_MARK in text:
            return Verdict(candidate, "side-effect", sandbox_message(text))
        misuse = any(name in text for name in HYPOTHESIS_MISUSE)
        contract = candidate.contract
        if candidate.kind == "property" and not is_assertion(text):
            contract = False  # an undocumented exception is not a broken promise: hints say nothing of errors
        if contract and not misuse:
            return Verdict(candidate, "possible-bug", error_line(text), failing_input=failing_input(text))
        if len(failures) < len(seen):
            return Verdict(
                candidate, "flaky", f"failed {len(failures)} of {len(seen)} runs: {error_line(text)}"
            )
        return Verdict(candidate, "fails", error_line(text))

    def keep_greedy(self, passing: list[tuple[Candidate, Hits]]) -> list[Verdict]:
        """Keep tests that add coverage, largest gain first, then those that kill a surviving mutant."""
        verdicts = []
        pool = [item for item in passing if not item[0].for_mutants]
        newly: list[Candidate] = []
        idle: list[tuple[Candidate, Hits]] = [item for item in passing if item[0].for_mutants]
        while pool:
            best = max(pool, key=lambda item: item[1].adds_to(self.seen, self.shape))
            pool.remove(best)
            gain = best[1].adds_to(self.seen, self.shape)
            if gain == 0:
                idle.append(best)
                continue
            self.seen = self.seen | best[1]
            self.hits_of[best[0].name] = best[1]
            newly.append(best[0])
            verdicts.append(Verdict(best[0], "kept", adds=gain))
        for candidate, kills in self.mutant_killers(newly, idle):
            newly.append(candidate)
            verdicts.append(Verdict(candidate, "kept", f"kills {kills} mutants no other kept test kills"))
        chosen = {c.name for c in newly}
        verdicts += [Verdict(c, "no-new-coverage") for c, _ in idle if c.name not in chosen]
        if newly:
            verdicts = self.confirm(newly, verdicts)
        return verdicts

    def mutant_killers(
        self, newly: list[Candidate], idle: list[tuple[Candidate, Hits]]
    ) -> list[tuple[Candidate, int]]:
        """The passing tests that add no coverage but fail on mutants the kept tests let pass."""
        if self.mutation is None or self.remaining() <= 0:
            return []
        kept = [*self.kept, *newly]
        text = compose(self.existing, [*kept, *(c for c, _ in idle)], self.module)
        reach: dict[str, Hits | None] = {c.name: self.hits_of.get(c.name) for c in kept}
        chosen = self.mutation.choose(text, reach, idle, self.remaining() * MUTATION_SHARE)
        for candidate, _ in chosen:
            self.hits_of[candidate.name] = next(h for c, h in idle if c is candidate)
            self.seen = self.seen | self.hits_of[candidate.name]
        return chosen

    def settle_mutants(self, floor: float) -> None:
        """Have every kept test (the model's too) tried on the mutants still surviving.

        The user asked for this report: it gets at least ``floor`` seconds even when choosing the
        tests spent the budget, so that it says what survives rather than what was never tried."""
        if self.mutation is not None and self.kept:
            text = compose(self.existing, self.kept, self.module)
            reach: dict[str, Hits | None] = {c.name: self.hits_of.get(c.name) for c in self.kept}
            self.mutation.choose(text, reach, [], max(self.remaining(), floor))

    def confirm(self, newly: list[Candidate], verdicts: list[Verdict]) -> list[Verdict]:
        """Run the kept set alone five more times; a test that now fails relied on a dropped sibling."""
        if self.remaining() <= 0:
            self.kept.extend(newly)
            return verdicts
        results = self.run_text(compose(self.existing, [*self.kept, *newly], self.module), measure=False)
        outcomes = per_test(results)
        by_name = {v.candidate.name: v for v in verdicts}
        dropped = False
        for candidate in newly:
            seen = outcomes.get(candidate.name, [])
            failed = [text for outcome, text in seen if outcome != "passed"]
            if failed or len(seen) < RUNS:
                detail = error_line(failed[0]) if failed else "did not run in every confirmation run"
                by_name[candidate.name].status = "flaky"
                by_name[candidate.name].detail = f"failed without its siblings: {detail}"
                dropped = True
                if self.mutation is not None:
                    self.mutation.forget(candidate.name)
            else:
                self.kept.append(candidate)
        if dropped:  # what the dropped tests covered is no longer covered
            self.seen = self.remeasure()
        return verdicts

    def remeasure(self) -> Hits:
        results = self.run_text(compose(self.existing, self.kept, self.module), measure=True, seeds=range(1))
        total = self.baseline
        for hits in self.context_hits(results[0]).values():
            total = total | hits
        return total

    def find_unimportable(self, candidates: list[Candidate], message: str) -> list[Verdict]:
        """The candidates that break the module's import, each tried alone once."""
        bad = []
        for candidate in candidates:
            text = compose(self.existing, [*self.kept, candidate], self.module)
            results = self.run_text(text, measure=False, seeds=range(1))
            error = collection_error(results)
            if error:
                bad.append(Verdict(candidate, "does-not-import", error_line(error)))
        if not bad:  # the existing module itself does not import; nothing can join it
            bad = [Verdict(c, "does-not-import", error_line(message)) for c in candidates]
        return bad

    # -- one candidate at a time -------------------------------------------------------------

    def judge_one(self, candidate: Candidate) -> Verdict:  # noqa: PLR0911 - one return per verdict
        """Verify one candidate against the suite and the tests kept so far (the model's path)."""
        problem = compile_problem(candidate)
        if problem:
            return Verdict(candidate, "does-not-compile", problem)
        if self.remaining() <= 0:
            return Verdict(candidate, "budget")
        [candidate] = unique([candidate], "\n".join([self.existing or "", *(k.code for k in self.kept)]))
        results = self.run_text(compose(self.existing, [*self.kept, candidate], self.module), measure=True)
        error = collection_error(results)
        if error:
            return Verdict(candidate, "does-not-import", error_line(error))
        if candidate.name in hung_tests(results):
            return Verdict(candidate, "timeout", f"did not finish within {TEST_TIMEOUT_S:.0f} s")
        seen = per_test(results).get(candidate.name, [])
        if len(seen) < RUNS:
            return Verdict(candidate, "timeout", "the run did not finish")
        verdict = self.outcome_verdict(candidate, seen)
        if verdict is not None:
            return verdict
        hits = context_of(self.context_hits(results[0]), candidate.name)
        gain = hits.adds_to(self.seen, self.shape)
        if gain == 0:
            return Verdict(candidate, "no-new-coverage")
        self.seen = self.seen | hits
        self.hits_of[candidate.name] = hits
        self.kept.append(candidate)
        return Verdict(candidate, "kept", adds=gain)


def compile_problem(candidate: Candidate) -> str:
    if candidate.problem:
        return candidate.problem
    source = "\n".join([*candidate.imports, candidate.code])
    try:
        compile(source, candidate.name, "exec")
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}"
    except ValueError as error:
        return str(error)
    return ""


def collection_error(results: list[RunResult]) -> str:
    for result in results:
        for record in result.records:
            if "collect_error" in record:
                return str(record.get("text", ""))
        if not result.timed_out and not any("test" in r for r in result.records):
            if any(r.get("exit") == 5 for r in result.records):
                return ""  # no tests at all
            if result.stderr.strip():
                return result.stderr
    return ""


def per_test(results: list[RunResult]) -> dict[str, list[tuple[str, str]]]:
    """Test function name -> (outcome, failure text) per run; a failed setup counts as a failure."""
    outcomes: dict[str, list[tuple[str, str]]] = {}
    for result in results:
        by_run: dict[str, tuple[str, str]] = {}
        for record in result.records:
            if "test" not in record:
                continue
            name = record["test"].rsplit("::", 1)[-1]
            if record["outcome"] == "failed" or name not in by_run:
                by_run[name] = (record["outcome"], record.get("text", ""))
        for name, outcome in by_run.items():
            outcomes.setdefault(name, []).append(outcome)
    return outcomes


def hung_tests(results: list[RunResult]) -> set[str]:
    hung = set()
    for result in results:
        if not result.timed_out:
            continue
        finished = {r["test"] for r in result.records if "test" in r}
        started = [s for s in result.started() if s not in finished]
        if started:
            hung.add(started[-1].rsplit("::", 1)[-1])
    return hung


def context_of(hits: dict[str, Hits], name: str) -> Hits:
    total = Hits()
    for context, found in hits.items():
        if context.rsplit("::", 1)[-1] == name:
            total = total | found
    return total


def error_line(text: str) -> str:
    """The most telling line of a failure: pytest's ``E`` lines, else the last non-empty line."""
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    lines = [line for line in lines if line]
    if lines:
        errors = [line for line in lines if re.match(r"^[\w.]*(Error|Exception|Timeout)\b", line)]
        return (errors[-1] if errors else lines[0])[:300]
    tail = [line.strip() for line in text.splitlines() if line.strip()]
    return tail[-1][:300] if tail else "failed"


def is_assertion(text: str) -> bool:
    """Whether the test's own assertion failed (rather than the code raising)."""
    line = error_line(text)
    return line.startswith(("assert", "AssertionError"))


def failing_input(text: str) -> str:
    """Hypothesis's falsifying example (found in the report or in pytest's ``E`` lines), else the failure."""
    plain = re.sub(r"^E {1,3}", "", text, flags=re.MULTILINE)
    match = FALSIFYING.search(plain)
    if match:
        return " ".join(match.group(0).split(":", 1)[1].split())
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return " ".join(line for line in lines[:2] if line)[:300]


def sandbox_message(text: str) -> str:
    at = text.find(SANDBOX_MARK)
    return text[at : text.find("\n", at) if "\n" in text[at:] else None][:300]


def count_statuses(verdicts: list[Verdict]) -> dict[str, int]:
    return dict(Counter(v.status for v in verdicts if v.status != "kept"))
