"""Metamorphic properties: how the result must follow when the input changes in a known way.

Permutation invariance: an aggregate of a sequence (a sum, a count, a maximum,
a mean, a set of distinct items...) does not depend on the order of its items.
It is tried where the signature takes one hinted sequence and the name or the
docstring says aggregate; it is a contract (a failure is a possible bug) only
where the docstring promises it ("in any order", "order does not matter").
Elsewhere a failing test is simply dropped.

Monotonicity: a function from one number to a number whose docstring says it is increasing
(or non-decreasing, monotonic) or decreasing returns results in the same (or
the opposite) order as two inputs. Only a docstring's promise makes it a test,
and then a contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devcopilot.jobs.testgen.candidates import Candidate

if TYPE_CHECKING:
    from devcopilot.jobs.testgen.generate import Writer
    from devcopilot.jobs.testgen.inputs import Inputs
    from devcopilot.jobs.testgen.target import FunctionSpec

AGGREGATE = re.compile(
    r"\b(sum|sums|total|count|counts|max|maximum|min|minimum|mean|average|median|product|histogram"
    r"|frequenc\w*|tally|unique|distinct|any|all|largest|smallest)\b",
    re.IGNORECASE,
)
ORDER_FREE = re.compile(
    r"\border\b[^.;]{0,40}?\b(?:does not|doesn't|do not|don't|never) matter|\bin any order\b"
    r"|\bregardless of (?:the |their |its )?order\b|\border[- ]independent\b"
    r"|\bwhatever (?:the |their )?order\b",
    re.IGNORECASE,
)
INCREASING = re.compile(
    r"\b(?:monotonic(?:ally)?(?: increasing)?|non-?decreasing|increasing)\b", re.IGNORECASE
)
DECREASING = re.compile(r"\b(?:monotonic(?:ally)? decreasing|non-?increasing|decreasing)\b", re.IGNORECASE)
NUMBER_HINT = re.compile(r"^(?:int|float)$")
SEQUENCE_HINT = re.compile(r"^(?:list|List|Sequence|Iterable|Collection)\[")
SAME = (
    "    assert again == result or (again != again and result != result) or ("
    "isinstance(result, float) and math.isclose(again, result, rel_tol=1e-9, abs_tol=1e-9))"
)


@dataclass(frozen=True)
class OneInput:
    callee: str
    name: str
    inputs: Inputs
    hint: str


def one_input(writer: Writer, function: FunctionSpec) -> OneInput | None:
    """The function's one hinted, generated input, and how a test calls it; None for any other shape."""
    single = writer.single_input(function)
    callee = writer.callee(function)
    if single is None or callee is None:
        return None
    name, inputs = single
    param = next((p for p in function.call_params if p.name == name), None)
    if param is None or not param.annotation:
        return None
    return OneInput(callee, name, inputs, param.annotation)


def permutation_tests(writer: Writer, functions: list[FunctionSpec]) -> list[Candidate]:
    found = []
    for function in functions:
        one = one_input(writer, function)
        if one is None or not SEQUENCE_HINT.match(one.hint):
            continue
        callee, name, inputs = one.callee, one.name, one.inputs
        promised = ORDER_FREE.search(function.docstring) is not None
        words = f"{function.name.replace('_', ' ')} {function.docstring.split(chr(10) * 2)[0]}"
        if not promised and AGGREGATE.search(words) is None:
            continue
        body = [
            *writer.guarded(function, f"result = {callee}({name})"),
            f"    again = {callee}(list(reversed(list({name}))))",
            SAME,
        ]
        candidate = writer.hypothesis_test(
            "metamorphic",
            function,
            {name: inputs},
            body,
            needs=set(),
            docstring=f"Metamorphic: {function.name} does not depend on the order of {name}.",
            contract=promised,
        )
        candidate.imports.append("import math")
        found.append(candidate)
    return found


def monotonic_tests(writer: Writer, functions: list[FunctionSpec]) -> list[Candidate]:
    """Where a docstring says a function of one number is increasing or decreasing, two inputs' order."""
    found = []
    for function in functions:
        one = one_input(writer, function)
        if one is None or not NUMBER_HINT.match(one.hint) or not NUMBER_HINT.match(function.returns or ""):
            continue  # a number in, a number out: "increasing" said of anything else is not this promise
        callee, name, inputs = one.callee, one.name, one.inputs
        if DECREASING.search(function.docstring):
            relation, word = ">=", "decreasing"
        elif INCREASING.search(function.docstring):
            relation, word = "<=", "increasing"
        else:
            continue
        other = f"{name}_2"
        body = [
            f"    low, high = sorted(({name}, {other}))",
            *writer.guarded(function, f"first, second = {callee}(low), {callee}(high)"),
            f"    assert first {relation} second",
        ]
        found.append(
            writer.hypothesis_test(
                "metamorphic",
                function,
                {name: inputs, other: inputs},
                body,
                needs=set(),
                docstring=f"Metamorphic: {function.name} is {word} in {name}, as its docstring says.",
            )
        )
    return found
