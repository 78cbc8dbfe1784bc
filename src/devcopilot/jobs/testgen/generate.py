"""The offline engine's candidate tests, written from the ``ast`` reading and the probe's observations.

Kinds, each a plain pytest function a reader can follow:

- property: Hypothesis inputs from hints, defaults or the docstring; the
  function may raise only what it raises itself or documents, and must
  return what its hint (or, without one, every probe call) says;
- round-trip, idempotence and equivalence, for names that promise them;
- docstring: the examples in the docstring hold;
- characterization: one probe call whose outcome is pinned as it is today,
  chosen greedily by the coverage it adds, so the few kept tests say a lot.

Every candidate asserts something; a call whose outcome cannot be stated
(an object with no stable ``repr``) gives no test.
"""

from __future__ import annotations

import ast
import builtins
import doctest
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from devcopilot.jobs.testgen.body import documented_claims, transforms
from devcopilot.jobs.testgen.calls import BUILT, STREAM, Call
from devcopilot.jobs.testgen.candidates import Candidate
from devcopilot.jobs.testgen.coverage_data import FileShape, Hits
from devcopilot.jobs.testgen.inputs import STDLIB_FOR_INPUTS, Inputs, inputs_for
from devcopilot.jobs.testgen.pins import value_pin
from devcopilot.jobs.testgen.source_text import (
    SIMPLE_TYPES,
    condition_names,
    literal_text,
    names_in,
    partner_name,
    type_check,
)
from devcopilot.jobs.testgen.target import FunctionSpec, ModuleSpec

HYPOTHESIS_IMPORT = "from hypothesis import given, settings, strategies as st"
SETTINGS = "@settings(max_examples=60, deadline=None)"
ROUND_TRIPS = [
    ("encode", "decode"), ("dumps", "loads"), ("serialize", "deserialize"), ("compress", "decompress"),
    ("escape", "unescape"), ("quote", "unquote"), ("encrypt", "decrypt"), ("pack", "unpack"),
    ("marshal", "unmarshal"), ("to", "from"), ("format", "parse"),
]  # fmt: skip
IDEMPOTENT = {
    "normalize", "normalise", "canonical", "canonicalize", "canonicalise", "sort", "sorted", "strip",
    "clean", "dedupe", "deduplicate", "simplify", "slugify", "squash", "collapse", "lower", "upper",
    "trim", "sanitize", "sanitise", "unique", "dedent",
}  # fmt: skip
EQUIVALENT_SUFFIXES = ("fast", "slow", "naive", "reference", "ref", "py", "iterative", "recursive", "simple")
EQUIVALENT_DOC = re.compile(r"(?:equivalent|same as|identical) to\s+`*([A-Za-z_]\w*)")


@dataclass
class Observation:
    call: Call
    record: dict[str, Any]
    hits: Hits


class Writer:
    """Turns readings and observations into candidates for one module."""

    def __init__(self, module: ModuleSpec) -> None:
        self.module = module
        self.names = module.top_level_names | module.found_names
        self.counts: dict[str, int] = {}

    def test_name(self, function: str, kind: str) -> str:
        base = f"test_{function.replace('.', '_')}_{kind.replace('-', '_')}"
        self.counts[base] = self.counts.get(base, 0) + 1
        count = self.counts[base]
        return base if count == 1 else f"{base}_{count}"

    def import_of(self, names: Iterable[str]) -> list[str]:
        """The imports of the names a test uses: the target's own, then a subclass it is built as."""
        used = set(names)
        foreign = self.module.foreign
        wanted = sorted(n for n in used if n in self.names and n not in foreign)
        lines = [f"from {self.module.module} import {', '.join(wanted)}"] if wanted else []
        for home in sorted({foreign[n] for n in used if n in foreign}):
            lines.append(f"from {home} import {', '.join(sorted(n for n in used if foreign.get(n) == home))}")
        return lines

    # -- characterization -------------------------------------------------------------------

    def characterizations(
        self, observations: list[Observation], seen: Hits, shape: FileShape
    ) -> list[Candidate]:
        """Pin the observed outcomes that add coverage, most coverage first (greedy set cover).

        Coverage is weighed against the calls a test makes before the one it pins, so a plain call
        is preferred to a sequence that reaches the same lines, and a long sequence is kept only
        for what nothing shorter reaches."""
        usable = [o for o in observations if self.assertion(o) is not None]
        chosen: list[Candidate] = []
        covered = seen

        def worth(observation: Observation) -> tuple[float, int]:
            calls_before = sum(1 for line in observation.call.pre if not line.startswith(BUILT))
            return observation.hits.adds_to(covered, shape) / (1 + calls_before), -calls_before

        while usable:
            best = max(usable, key=worth)
            if best.hits.adds_to(covered, shape) == 0:
                break
            usable.remove(best)
            covered = covered | best.hits
            chosen.append(self.characterization(best))
        return chosen

    def assertion(self, observation: Observation) -> tuple[list[str], set[str], list[str]] | None:
        """The body lines, names used, and extra imports that pin one observed outcome.

        A call that changed a class attribute (a registry, say) first has ``monkeypatch`` take a
        copy, so the change is undone after the test and no other test sees it; the entries it
        changed that read back are asserted after the call."""
        found = self.pinned(observation)
        touched = observation.record.get("touched", [])
        if found is None or any(t["undo"] is None or t["owner"] not in self.names for t in touched):
            return None
        body, names, extra = found
        patches = []
        for item in touched:
            value = f"{item['owner']}.{item['attr']}"
            value = f"copy.deepcopy({value})" if item["undo"] == "copy" else value
            patches.append(f"monkeypatch.setattr({item['owner']}, {item['attr']!r}, {value})")
        if any(t["undo"] == "copy" for t in touched):
            extra = [*extra, "import copy"]
        checks = [
            f"assert {item['owner']}.{item['attr']}{at} == {value}"
            for item in touched
            for at, value in item.get("checks", [])
        ]
        return [*patches, *body, *checks], names | names_in(checks, "") | {t["owner"] for t in touched}, extra

    def pinned(self, observation: Observation) -> tuple[list[str], set[str], list[str]] | None:
        record, call = observation.record, observation.call
        status = record.get("status")
        names = {call.function.split(".")[0]} | names_in(call.pre, call.expression)
        if status == "raised" and not record.get("sandbox"):
            body, imports = self.raises(record, call.expression, names)
        elif status == "ok":
            found = value_pin(record, call)
            if found is None:
                return None
            body, imports = found
            body = [*body, *written_pin(record, call)]
        else:
            return None
        return [*call.pre, *body], names, imports

    def raises(self, record: dict[str, Any], expression: str, names: set[str]) -> tuple[list[str], list[str]]:
        """``pytest.raises`` of the exception seen, matching its message where the message is stable."""
        exc = record["exc_type"]
        message = record.get("message", "")
        pattern = record.get("message_pattern") or re.escape(message)
        match = f", match={pattern!r}" if message and len(message) <= 120 and "0x" not in message else ""
        if "." not in exc and (
            (record["exc_module"] == "builtins" and hasattr(builtins, exc)) or exc in self.names
        ):
            names.add(exc)
            return [f"with pytest.raises({exc}{match}):", f"    {expression}"], ["import pytest"]
        return [
            f"with pytest.raises(Exception{match}) as raised:",
            f"    {expression}",
            f"assert type(raised.value).__name__ == {exc.rsplit('.', 1)[-1]!r}",
        ], ["import pytest"]

    def characterization(self, observation: Observation) -> Candidate:
        found = self.assertion(observation)
        if found is None:
            raise ValueError(f"no assertion states the outcome of {observation.call.expression}")
        body, names, extra = found
        stdlib = sorted(names & STDLIB_FOR_INPUTS)  # modules the inputs use: the standard library's
        extra = [*extra, *(f"import {name}" for name in stdlib)]
        names -= STDLIB_FOR_INPUTS
        call = observation.call
        name = self.test_name(call.function, "characterization")
        record = observation.record
        fixtures = "monkeypatch" if record.get("touched") else ""
        machine = {"pattern", "message_pattern"} & set(record)
        opened = "; what names the machine is left open" if machine else ""
        lines = [
            f"def {name}({fixtures}):",
            f'    """Characterization: pins what {call.shown[:70]} does today{opened}."""',
            *(f"    {line}" for line in body),
        ]
        return Candidate(
            name=name,
            kind="characterization",
            function=call.function,
            code="\n".join(lines) + "\n",
            imports=[*extra, *self.import_of(names)],
        )

    # -- properties ----------------------------------------------------------------------------

    def strategies(self, function: FunctionSpec) -> tuple[dict[str, Inputs], bool] | None:
        """A strategy per required parameter, and whether all come from declared types."""
        found: dict[str, Inputs] = {}
        for param in function.call_params:
            if param.kind in ("varargs", "varkw") or param.default is not None:
                continue
            inferred = inputs_for(param, function, self.module)
            if inferred.strategy is None:
                return None
            found[param.name] = inferred
        return found, all(i.contract for i in found.values())

    def callee(self, function: FunctionSpec) -> str | None:
        if function.is_generator or function.is_async:
            return None  # properties call it directly; its tests consume or await it (``calls.run``)
        if function.owner is None:
            return function.name
        if function.kind in ("staticmethod", "classmethod"):
            return f"{function.owner}.{function.name}"
        return None

    def allowed(self, function: FunctionSpec) -> tuple[str, bool]:
        """The except clause for what the function may raise, and whether every name resolves."""
        names = sorted(function.raises)
        resolvable = [n for n in names if hasattr(builtins, n) or n in self.names]
        if not names:
            return "", True
        return ", ".join(resolvable), len(resolvable) == len(names)

    def guarded(self, function: FunctionSpec, statement: str, indent: str = "    ") -> list[str]:
        """``statement`` wrapped so that only what the function raises or documents is let through."""
        allowed, complete = self.allowed(function)
        if not function.raises:
            return [indent + statement]
        if complete:
            clause = f"except ({allowed}):" if "," in allowed else f"except {allowed}:"
            return [
                indent + "try:",
                indent + f"    {statement}",
                indent + clause,
                indent + "    return  # raised or documented by the function",
            ]
        names = ", ".join(repr(n) for n in sorted(function.raises))
        return [
            indent + "try:",
            indent + f"    {statement}",
            indent + "except Exception as error:",
            indent + f"    if type(error).__name__ in ({names},):",
            indent + "        return  # raised or documented by the function",
            indent + "    raise",
        ]

    def return_check(self, function: FunctionSpec, observed: list[Observation]) -> tuple[str, bool] | None:
        """An isinstance check from the return hint (a contract), else from what every probe call returned."""
        if function.returns:
            check = type_check(function.returns, self.names)
            if check:
                return check, True
        kinds = {
            (o.record.get("type_module"), o.record.get("type"))
            for o in observed
            if o.record.get("status") == "ok"
        }
        if len(kinds) == 1:
            module, kind = next(iter(kinds))
            if module == "builtins" and kind in SIMPLE_TYPES:
                return f"isinstance(result, {SIMPLE_TYPES[kind]})", False
            if module == "builtins" and kind == "NoneType":
                return "result is None", False
            if module == self.module.module and kind in self.names:
                return f"isinstance(result, {kind})", False
        return None

    def property_test(self, function: FunctionSpec, observed: list[Observation]) -> Candidate | None:
        callee = self.callee(function)
        found = self.strategies(function)
        check = self.return_check(function, observed)
        claims = documented_claims(function.docstring, list(self.required(function)))
        if callee is None or found is None or (check is None and not claims) or not found[0]:
            return None
        strategies, declared = found
        condition, hinted = check if check is not None else ("True", False)
        if claims:
            # The docstring's promises about the result: a documented contract, like a return hint.
            condition = " and ".join(f"({c})" for c in [condition, *claims] if c != "True")
            hinted = True
        promise = "its hinted type" if hinted else "the type it always returned"
        if claims:
            promise = "what its hint and docstring promise"
        args = ", ".join(f"{n}={n}" if p.kind == "keyword" else n for n, p in self.required(function).items())
        body = [*self.guarded(function, f"result = {callee}({args})"), f"    assert {condition}"]
        return self.hypothesis_test(
            "property",
            function,
            strategies,
            body,
            needs=condition_names(condition),
            docstring=f"Property: {function.name} returns {promise}"
            " and raises only what it raises or documents.",
            contract=declared and hinted,
        )

    def required(self, function: FunctionSpec) -> dict[str, Any]:
        return {
            p.name: p
            for p in function.call_params
            if p.kind not in ("varargs", "varkw") and p.default is None
        }

    def single_input(self, function: FunctionSpec) -> tuple[str, Inputs] | None:
        found = self.strategies(function)
        if found is None or len(found[0]) != 1 or self.callee(function) is None:
            return None
        name, inputs = next(iter(found[0].items()))
        return (name, inputs) if inputs.contract else None

    def hypothesis_test(
        self,
        kind: str,
        function: FunctionSpec,
        strategies: dict[str, Inputs],
        body: list[str],
        *,
        needs: set[str],
        docstring: str,
        contract: bool = True,
    ) -> Candidate:
        """A ``@given`` test of ``function``: imports for it, its strategies and ``needs``, then ``body``."""
        name = self.test_name(function.qualname, kind)
        lines = [
            f"@given({', '.join(f'{n}={i.strategy}' for n, i in strategies.items())})",
            SETTINGS,
            f"def {name}({', '.join(strategies)}):",
            f'    """{docstring}"""',
            *body,
        ]
        callee = self.callee(function) or function.name
        needs = {
            callee.split(".")[0],
            *needs,
            *function.raises,
            *set().union(*(i.needs for i in strategies.values())),
        }
        return Candidate(
            name=name,
            kind=kind,
            function=function.qualname,
            code="\n".join(lines) + "\n",
            imports=[HYPOTHESIS_IMPORT, *self.import_of(needs)],
            contract=contract,
        )

    def round_trips(self, functions: list[FunctionSpec]) -> list[Candidate]:
        by_name = {f.name: f for f in functions if f.owner is None}
        found = []
        for encoder in by_name.values():
            for forward, backward in ROUND_TRIPS:
                partner = partner_name(encoder.name, forward, backward)
                decoder = by_name.get(partner) if partner else None
                single = self.single_input(encoder)
                if decoder is None or single is None:
                    continue
                value, inputs = single
                body = [
                    *self.guarded(encoder, f"encoded = {encoder.name}({value})"),
                    f"    assert {decoder.name}(encoded) == {value}",
                ]
                found.append(
                    self.hypothesis_test(
                        "round-trip",
                        encoder,
                        {value: inputs},
                        body,
                        needs={decoder.name},
                        docstring=f"Round-trip: {decoder.name}({encoder.name}(x)) gives x back.",
                    )
                )
        return found

    def idempotence(self, functions: list[FunctionSpec]) -> list[Candidate]:
        found = []
        for function in functions:
            words = set(function.name.lower().split("_"))
            single = self.single_input(function)
            if not words & IDEMPOTENT or single is None or not transforms(function):
                continue
            callee = self.callee(function)
            value, inputs = single
            body = [
                *self.guarded(function, f"once = {callee}({value})"),
                f"    assert {callee}(once) == once",
            ]
            found.append(
                self.hypothesis_test(
                    "idempotence",
                    function,
                    {value: inputs},
                    body,
                    needs=set(),
                    docstring=f"Idempotence: {function.name} applied twice equals applied once.",
                )
            )
        return found

    def equivalences(self, functions: list[FunctionSpec]) -> list[Candidate]:
        by_name = {f.name: f for f in functions if f.owner is None}
        found = []
        for function in by_name.values():
            others = {m.group(1) for m in EQUIVALENT_DOC.finditer(function.docstring)}
            stem, _, suffix = function.name.rpartition("_")
            if suffix in EQUIVALENT_SUFFIXES and stem:
                others.add(stem)
            for other_name in sorted(others):
                other = by_name.get(other_name)
                found_strategies = self.strategies(function)
                if other is None or other is function or found_strategies is None or not found_strategies[0]:
                    continue
                strategies = found_strategies[0]
                if len(self.required(other)) != len(strategies):
                    continue
                args = ", ".join(strategies)
                body = [
                    *self.guarded(function, f"expected = {other.name}({args})"),
                    f"    assert {function.name}({args}) == expected",
                ]
                found.append(
                    self.hypothesis_test(
                        "equivalence",
                        function,
                        strategies,
                        body,
                        needs={other.name},
                        docstring=f"Equivalence: {function.name} and {other.name} agree.",
                    )
                )
        return found

    def docstring_examples(self, function: FunctionSpec) -> Candidate | None:
        try:
            examples = doctest.DocTestParser().get_examples(function.docstring)
        except ValueError:
            return None
        body: list[str] = []
        asserted = 0
        names: set[str] = set()
        for example in examples:
            source = example.source.strip()
            want = example.want.strip()
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return None
            names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            if not want:
                body.append(source)
            elif (
                len(tree.body) == 1
                and isinstance(tree.body[0], ast.Expr)
                and not want.startswith("Traceback")
            ):
                expected = want if literal_text(want) else None
                body.append(  # parenthesized: `a == b` then `== True` would chain into `b == True`
                    f"assert ({source}) == {expected}" if expected else f"assert repr({source}) == {want!r}"
                )
                asserted += 1
            else:
                return None
        if not asserted:
            return None
        name = self.test_name(function.qualname, "docstring")
        lines = [f"def {name}():", f'    """The examples in {function.name}\'s docstring hold."""']
        lines += [f"    {line}" for statement in body for line in statement.splitlines()]
        return Candidate(
            name,
            "docstring",
            function.qualname,
            "\n".join(lines) + "\n",
            self.import_of(names),
            contract=True,
        )


def written_pin(record: dict[str, Any], call: Call) -> list[str]:
    """What a call wrote to the stream it was given, when it changed what the stream held."""
    written = record.get("after", {}).get("written", {}).get("literal")
    if written is None or call.stream is None:
        return []
    given = ast.parse(call.stream, mode="eval").body
    if not isinstance(given, ast.Call) or not isinstance(given.func, ast.Attribute):
        return []
    empty = b"" if given.func.attr == "BytesIO" else ""
    held = ast.literal_eval(given.args[0]) if given.args else empty
    text = ast.literal_eval(written)  # None when the call closed the stream: nothing to read
    if not isinstance(text, str | bytes) or text == held:
        return []
    return [f"assert {STREAM}.getvalue() == {written}"]
