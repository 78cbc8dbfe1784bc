"""The mutants the tests job makes: each one compiles, changes behaviour, and is numbered the same twice."""

from __future__ import annotations

import ast
import textwrap
from typing import Any

from devcopilot.jobs.testgen.mutants import mutated_code, sample, sites

SOURCE = textwrap.dedent(
    '''
    import functools


    def grade(score: int, passing: int = 50) -> str:
        """A letter for a score."""
        if score >= 90:
            return "A"
        if score < passing:
            raise ValueError("failed")
        return "B"


    def tidy(text: str, mark: str = "-") -> str:
        return text.lstrip(mark)


    class Counter:
        def __init__(self) -> None:
            self.count = 0

        @functools.lru_cache(maxsize=None)
        def cached(self, n: int) -> int:
            return n * 2

        def bump(self, by: int = 1) -> int:
            total = 0
            for step in range(by):
                if step % 2 == 0:
                    continue
                total += step
            self.count += by
            return self.count + total


    class Loud(Counter):
        def bump(self, by: int = 1) -> int:
            return super().bump(by) * 10
    '''
)
FUNCTIONS = ["grade", "tidy", "Counter.bump", "Loud.bump"]


def load() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(SOURCE, "sample.py", "exec"), namespace)  # noqa: S102 - the test's own module text
    return namespace


def outcome(call: Any) -> object:
    try:
        return call()
    except Exception as error:  # noqa: BLE001 - the exception is the outcome compared
        return f"{type(error).__name__}: {error}"


def bumped_twice(counter: Any, by: int) -> object:
    """What the second call returns: the first one's count carries over."""
    counter.bump(by)
    return counter.bump(by)


def test_every_mutant_compiles_and_some_input_tells_it_from_the_code() -> None:
    found = sites(ast.parse(SOURCE), FUNCTIONS)
    assert {site.mutant.function for site in found} == set(FUNCTIONS)
    probes = {
        "grade": lambda ns: [outcome(lambda s=s: ns["grade"](s)) for s in (10, 49, 50, 51, 89, 90, 91)],
        "tidy": lambda ns: [outcome(lambda t=t: ns["tidy"](t)) for t in ("--a--", "  b  ")],
        "Counter.bump": lambda ns: [outcome(lambda b=b: bumped_twice(ns["Counter"](), b)) for b in range(6)],
        "Loud.bump": lambda ns: [outcome(lambda b=b: ns["Loud"]().bump(b)) for b in range(6)],
    }
    namespace = load()
    expected = {name: probe(namespace) for name, probe in probes.items()}
    noticed, unsupported = 0, []
    for site in found:
        mutant = site.mutant
        owner, _, name = mutant.function.rpartition(".")
        function = getattr(namespace[owner], name) if owner else namespace[name]
        original = function.__code__
        code = mutated_code(SOURCE, "sample.py", FUNCTIONS, mutant.number)
        if code.co_freevars != original.co_freevars:
            unsupported.append(mutant)  # the sandbox reports these as not run
            continue
        function.__code__ = code
        try:
            noticed += probes[mutant.function](namespace) != expected[mutant.function]
        finally:
            function.__code__ = original
    changes = {(site.mutant.function, site.mutant.change) for site in found}
    # Returning None drops the `super()` call, yet the mutant keeps the cell the live method closes
    # over, so it can be swapped in and is noticed like the rest.
    assert ("Loud.bump", "returns `None`") in changes
    assert not unsupported
    assert noticed == len(found)
    # What a call is given, and which end a string method works from, are changed too.
    assert {
        ("tidy", "`.lstrip(` → `.rstrip(`"),
        ("tidy", "argument 1 → `None`"),
        ("tidy", "argument 1 left out"),
        ("grade", "`'failed'` → `'FAILED'`"),
        ("Counter.bump", "`+=` → `=`"),
    } <= changes


def test_definitions_decorators_and_defaults_are_left_alone() -> None:
    found = sites(ast.parse(SOURCE), ["grade", "Counter.cached"])
    lines = {site.mutant.line for site in found}
    assert 5 not in lines  # `def grade(score: int, passing: int = 50)`: the default 50 is not mutated
    assert 17 not in lines  # `@functools.lru_cache(maxsize=None)`
    assert [s.mutant.change for s in found if s.mutant.function == "Counter.cached"] == [
        "returns `None`",
        "`*` → `/`",
        "`2` → `3`",
    ]
    # The docstring is not a string to mutate.
    assert not any("A letter" in site.mutant.change for site in found)


def test_numbering_is_the_same_on_every_parse_and_the_cap_spreads_over_functions() -> None:
    first = [s.mutant for s in sites(ast.parse(SOURCE), FUNCTIONS)]
    again = [s.mutant for s in sites(ast.parse(SOURCE), FUNCTIONS)]
    assert first == again
    assert [m.number for m in first] == list(range(len(first)))
    capped = sample(first, 6, seed=1)
    assert len(capped) == 6
    assert {m.function for m in capped} == set(FUNCTIONS)
    assert capped == sample(first, 6, seed=1)
    assert sample(first, len(first) + 5, seed=1) == first


OVERLOADED = textwrap.dedent(
    """
    from typing import overload


    @overload
    def half(value: int) -> int: ...
    @overload
    def half(value: float) -> float: ...
    def half(value):
        return value / 2
    """
)


def test_only_the_definition_that_runs_is_mutated_past_its_overload_stubs() -> None:
    found = sites(ast.parse(OVERLOADED), ["half"])
    assert [s.mutant.change for s in found] == ["returns `None`", "`/` → `*`", "`2` → `3`"]
    namespace: dict[str, Any] = {}
    exec(compile(OVERLOADED, "half.py", "exec"), namespace)  # noqa: S102 - the test's own module text
    half = namespace["half"]
    half.__code__ = mutated_code(OVERLOADED, "half.py", ["half"], 1)
    assert half(8) == 16
