"""Mutation analysis while tests are chosen: which mutants the kept tests let survive, and who kills them.

Coverage says a line ran; it does not say a test would notice the line
changing. So a passing candidate that adds no coverage is still kept when it
fails on a mutant no kept test fails on (the largest such gain first, as Meta's
mutation-guided test generation keeps a test only for a mutant nobody else
kills). The mutants are the target's own, made in-process (``mutants``),
capped and seeded, and each is run only against the tests whose coverage
reaches its line.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devcopilot.core.sandbox import Sandbox
from devcopilot.jobs.testgen.candidates import Candidate
from devcopilot.jobs.testgen.coverage_data import Hits
from devcopilot.jobs.testgen.mutants import Mutant, sample, sites
from devcopilot.jobs.testgen.report import FunctionMutants

MAX_MUTANTS = 300
SEED = 0
MUTANT_TEST_TIMEOUT_S = 2.0


@dataclass
class MutationJudge:
    sandbox: Sandbox
    test_path: str
    module: str
    measured: Path
    """The target file as the sandbox imports it: the mutants are made from this text."""
    python_path: list[Path]
    functions: list[str]
    mutants: list[Mutant]
    killed: dict[int, str] = field(default_factory=dict)
    """Mutant number -> a kept test that fails on it."""
    unsupported: dict[int, str] = field(default_factory=dict)
    settled: set[int] = field(default_factory=set)
    """Mutants a finished run tried against the kept tests: a mutant no run reached before the time
    ran out is reported as not run, never as surviving."""
    runs_made: int = 0

    @classmethod
    def of(
        cls,
        sandbox: Sandbox,
        test_path: str,
        *,
        module: str,
        measured: Path,
        python_path: list[Path],
        functions: Sequence[str],
        cap: int = MAX_MUTANTS,
    ) -> MutationJudge:
        source = measured.read_text(encoding="utf-8")
        chosen = sample([site.mutant for site in sites(ast.parse(source), functions)], cap, SEED)
        return cls(sandbox, test_path, module, measured, python_path, list(functions), chosen)

    def forget(self, test: str) -> None:
        """A kept test was dropped after all: the mutants only it killed survive again."""
        forgotten = {number for number, name in self.killed.items() if name == test}
        self.killed = {number: name for number, name in self.killed.items() if name != test}
        self.settled -= forgotten

    def survivors(self) -> list[Mutant]:
        gone = self.killed.keys() | self.unsupported.keys()
        return [m for m in self.mutants if m.number not in gone]

    def choose(
        self,
        text: str,
        kept: dict[str, Hits | None],
        pool: list[tuple[Candidate, Hits]],
        seconds: float,
    ) -> list[tuple[Candidate, int]]:
        """Settle which survivors the kept tests kill, then pick from ``pool`` those that kill the rest.

        ``text`` is the test module holding every kept and pool test; ``kept`` gives each kept
        test's coverage (None when unknown: it is run on every mutant)."""
        survivors = self.survivors()
        if not survivors or seconds <= 0:
            return []
        reach: dict[str, Hits | None] = {**kept, **{c.name: h for c, h in pool}}
        kills = self.run(text, survivors, reach, set(kept), seconds)
        candidates = {c.name: c for c, _ in pool}
        open_kills: dict[str, set[int]] = {name: set() for name in candidates}
        for number, killers in kills.items():
            decided = next((k for k in killers if k in kept), None)
            if decided is not None:
                self.killed[number] = decided
                continue
            for name in killers:
                if name in open_kills:
                    open_kills[name].add(number)
        chosen: list[tuple[Candidate, int]] = []
        while open_kills:
            name = max(open_kills, key=lambda n: (len(open_kills[n]), n))
            gained = open_kills.pop(name)
            if not gained:
                break
            chosen.append((candidates[name], len(gained)))
            for number in gained:
                self.killed[number] = name
            open_kills = {other: numbers - gained for other, numbers in open_kills.items()}
        return chosen

    def run(
        self,
        text: str,
        mutants: list[Mutant],
        reach: dict[str, Hits | None],
        decided: set[str],
        seconds: float,
    ) -> dict[int, list[str]]:
        """Mutant number -> the tests that fail on it (after the first decided one, no more are run)."""
        order = sorted(reach, key=lambda name: (name not in decided, name))
        requested: list[dict[str, Any]] = []
        for mutant in mutants:
            tests = [name for name in order if _reaches(reach[name], mutant.line)]
            if tests:
                requested.append({"number": mutant.number, "function": mutant.function, "tests": tests})
            else:  # no kept test runs its line: it survives them without a run
                self.settled.add(mutant.number)
        if not requested:
            return {}
        self.sandbox.write(self.test_path, text)
        request = {
            "mode": "mutants",
            "files": [self.test_path],
            "module": self.module,
            "source": str(self.measured),
            "functions": self.functions,
            "mutants": requested,
            "decided": sorted(decided),
            "seconds": seconds,
            "test_timeout": MUTANT_TEST_TIMEOUT_S,
        }
        result = self.sandbox.run(request, timeout=seconds + 30.0, python_path=self.python_path)
        self.runs_made += 1
        kills: dict[int, list[str]] = {}
        for record in result.records:
            if "mutant" not in record:
                continue
            number = int(record["mutant"])
            if "killed_by" in record:
                kills[number] = list(record["killed_by"])
                self.settled.add(number)
            elif "unsupported" in record:
                self.unsupported[number] = str(record["unsupported"])
        return kills

    def summary(self) -> list[FunctionMutants]:
        """Per function: the mutants made, those the kept tests kill, and those that survive."""
        out = []
        for function in self.functions:
            mine = [m for m in self.mutants if m.function == function]
            if not mine:
                continue
            measured = [m for m in mine if m.number not in self.unsupported and m.number in self.settled]
            surviving = [m for m in measured if m.number not in self.killed]
            out.append(
                FunctionMutants(
                    function=function,
                    mutants=len(measured),
                    killed=len(measured) - len(surviving),
                    not_run=len(mine) - len(measured),
                    surviving=[m.describe() for m in surviving],
                )
            )
        return out


def _reaches(hits: Hits | None, line: int) -> bool:
    return hits is None or line in hits.lines
