"""Ask a model for tests of the segments the engine left uncovered; verify each like the engine's own.

Per function with uncovered lines the model sees the function (redacted, the
uncovered lines marked), the signatures of what it calls, the existing tests
and conftest fixtures, and, in a repair round, its previous failures. It
answers with whole test functions and their imports, never line numbers;
each is parsed, placed by ``ast``, and judged alone by the verifier, and each
ends as one verdict (kept is accepted; any other status is the drop reason).
The rounds are the core's propose, verify, repair loop: they stop at the
coverage target, when a round adds nothing, at the iteration limit, or when
the budget is spent.
"""

from __future__ import annotations

import ast
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.redaction import redact
from devcopilot.core.repair_loop import LoopOutcome, propose_verify_repair
from devcopilot.core.router import Completion, ModelRouter
from devcopilot.core.verdicts import Verdicts
from devcopilot.jobs.testgen.candidates import Candidate
from devcopilot.jobs.testgen.coverage_data import segments
from devcopilot.jobs.testgen.target import FunctionSpec, ModuleSpec
from devcopilot.jobs.testgen.verify import Verdict, Verifier

if TYPE_CHECKING:
    from devcopilot.jobs.testgen.job import GenerateOptions, Workbench

PROMPT_ID = "tests/generate"
FUNCTIONS_PER_ROUND = 6
EXISTING_CHARS = 6000
FAILURE_CHARS = 1500


class ModelTest(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = ""
    imports: list[str] = Field(default_factory=list)
    code: str


class TestsAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")

    tests: list[ModelTest] = Field(default_factory=list)


@dataclass
class ModelRounds:
    """The model's part of a tests run, as rounds of the core's propose, verify, repair loop."""

    router: ModelRouter
    prompts: PromptRegistry
    spec: ModuleSpec
    bench: Workbench
    verifier: Verifier
    options: GenerateOptions
    skipped: dict[str, str]
    judged: Verdicts
    verdicts: list[Verdict] = field(default_factory=list)
    """The verifier's verdicts on the model's tests, for the report."""
    _answer: Completion[TestsAnswer] | None = None

    def run(self) -> LoopOutcome:
        return propose_verify_repair(self, self.options.max_iterations)

    def targets(self, round_number: int, failures: Mapping[str, list[str]]) -> list[str]:
        gaps = [function.qualname for function, _ in self.gaps()]
        if not gaps or self.coverage() >= self.options.coverage_target:
            return []
        if round_number > 0:
            gaps = [name for name in gaps if failures.get(name)] or gaps
        return gaps[:FUNCTIONS_PER_ROUND]

    def propose(self, target: str, failures: list[str]) -> list[Candidate]:
        function, missing = next((f, m) for f, m in self.gaps() if f.qualname == target)
        return self.ask(function, missing, failures)

    def verify(self, candidate: Candidate) -> str | None:
        verdict = self.verifier.judge_one(candidate)
        self.verdicts.append(verdict)
        if self._answer is not None:
            kept = verdict.status == "kept"
            reason = None if kept else verdict.status
            self.judged.judge(self._answer, "test", candidate.code, "accepted" if kept else "dropped", reason)
        if verdict.status == "kept":
            return None
        return f"{candidate.name}: {verdict.status}: {verdict.detail}"[:FAILURE_CHARS]

    def exhausted(self) -> bool:
        return self.verifier.remaining() <= 0

    def progress(self) -> Hashable:
        return self.verifier.seen

    def coverage(self) -> float:
        return self.verifier.shape.summary(self.verifier.seen).combined_percent

    def gaps(self) -> list[tuple[FunctionSpec, list[int]]]:
        """Selected functions with uncovered statements, most uncovered first."""
        shape, seen = self.verifier.shape, self.verifier.seen
        found = []
        for function in self.spec.selected:
            if function.qualname in self.skipped:
                continue
            missing = shape.summary(seen, [(function.body_start, function.end_lineno)]).missing_lines
            if missing:
                found.append((function, missing))
        return sorted(found, key=lambda item: -len(item[1]))

    def ask(self, function: FunctionSpec, missing: list[int], failures: list[str]) -> list[Candidate]:
        lines = self.spec.source.splitlines()
        marked = "\n".join(
            (">> " if number in missing else "   ") + lines[number - 1]
            for number in range(function.lineno, function.end_lineno + 1)
        )
        shown_segments = ", ".join(f"{a}-{b}" for a, b in segments(missing, self.verifier.shape.statements))
        prompt = self.prompts.render(
            PROMPT_ID,
            {
                "module": self.spec.module,
                "function": function.qualname,
                "uncovered": shown_segments,
                "source": redact(marked).text,
                "callees": redact(self.callee_signatures(function)).text or "none",
                "existing": redact(self.existing_tests()).text or "none",
                "failures": "\n".join(failures),
            },
        )
        self._answer = self.router.complete(prompt, TestsAnswer)
        parsed = self._answer.parsed or TestsAnswer()
        return [self.candidate(test, function) for test in parsed.tests]

    def candidate(self, test: ModelTest, function: FunctionSpec) -> Candidate:
        """The model's test as a candidate, placed by ``ast``: imports split out, one test function kept."""
        code = test.code.strip("\n") + "\n"
        name, imports = test.name or "test_from_model", [i for i in test.imports if i.strip()]
        problem = ""
        try:
            tree = ast.parse(code)
        except SyntaxError:
            tree = None  # left for the verifier to report as not compiling, with the line
        if tree is not None:
            defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
            rest = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.Import | ast.ImportFrom)]
            if len(defs) == 1 and defs[0].name.startswith("test") and not rest:
                name = defs[0].name
                imports += [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
                code = "".join(_decorated_source(code, defs[0]))
            else:
                problem = "the answer is not one top-level test function (with only imports beside it)"
        return Candidate(
            name=name,
            kind="model",
            function=function.qualname,
            code=code,
            imports=imports,
            origin="model",
            problem=problem,
        )

    def callee_signatures(self, function: FunctionSpec) -> str:
        known = {f.name: f for f in self.spec.all_functions()}
        return "\n".join(signature(known[name]) for name in sorted(function.calls) if name in known)

    def existing_tests(self) -> str:
        parts: list[str] = []
        if self.bench.existing:
            parts.append(f"# {self.bench.test_path}\n{self.bench.existing}")
        for test in self.verifier.kept:
            parts.append(test.code)
        conftest = self.bench.sandbox.copy / "tests" / "conftest.py"
        for path in (conftest, self.bench.sandbox.copy / "conftest.py"):
            if path.is_file():
                parts.append(
                    f"# {path.relative_to(self.bench.sandbox.copy)}\n{path.read_text(errors='replace')}"
                )
        return "\n\n".join(parts)[-EXISTING_CHARS:]


def _decorated_source(code: str, node: ast.FunctionDef) -> Iterable[str]:
    lines = code.strip("\n").splitlines(keepends=True)
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    yield from lines[first - 1 : node.end_lineno]
    if lines and not lines[-1].endswith("\n"):
        yield "\n"


def signature(function: FunctionSpec) -> str:
    params = []
    for param in function.params:
        text = ("*" if param.kind == "varargs" else "**" if param.kind == "varkw" else "") + param.name
        if param.annotation:
            text += f": {param.annotation}"
        if param.default is not None:
            text += f" = {param.default}"
        params.append(text)
    returns = f" -> {function.returns}" if function.returns else ""
    return f"def {function.qualname}({', '.join(params)}){returns}"
