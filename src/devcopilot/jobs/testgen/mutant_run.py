"""The sandbox's ``mutants`` mode: run tests against mutants of the target, in one process.

Collecting a test file and importing the target cost more than running a
generated test, so one pytest session serves every mutant: each mutant's code
object is swapped into the live function (the object the tests imported), the
tests that reach the changed line are run through pytest's own protocol, and
the original code is put back. Hypothesis runs derandomized, with fewer
examples and no shrinking: whether a test fails is all that is asked.

For each mutant the tests run in the order given. Once one of the ``decided``
tests (those already kept) fails, the mutant is killed and the rest are
skipped; otherwise every test runs, so the job learns which candidates would
kill what the kept tests let survive. Records: ``{"mutant": n, "killed_by":
[...]}``, ``{"mutant": n, "unsupported": why}`` and, when the time is up,
``{"mutant": n, "budget": true}``.
"""

from __future__ import annotations

import inspect
import sys
import time
import types
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from devcopilot.jobs.testgen.mutants import mutated_code

HYPOTHESIS_EXAMPLES = 30
PYTEST_ARGS = ["-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly", "-p", "no:cov"]


def run_mutants(
    request: dict[str, Any],
    emit: Callable[[dict[str, Any]], None],
    timer: Callable[[float], AbstractContextManager[None]],
) -> None:
    import pytest  # noqa: PLC0415 - the mutants mode only
    from hypothesis import Phase, settings  # noqa: PLC0415

    settings.register_profile(
        "devcopilot-mutants",
        database=None,
        print_blob=False,
        derandomize=True,
        deadline=None,
        max_examples=HYPOTHESIS_EXAMPLES,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    settings.load_profile("devcopilot-mutants")
    loop = MutantLoop(request, emit, timer)
    args = [*request["files"], *PYTEST_ARGS, "-o", "addopts=", "--rootdir", request["rootdir"]]
    args += ["-W", "ignore::DeprecationWarning", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    code = pytest.main(args, plugins=[loop])
    emit({"exit": int(code)})


class MutantLoop:
    """Replaces pytest's run loop: every mutant, then the tests that reach it."""

    def __init__(
        self,
        request: dict[str, Any],
        emit: Callable[[dict[str, Any]], None],
        timer: Callable[[float], AbstractContextManager[None]],
    ) -> None:
        self.request = request
        self.emit = emit
        self.timer = timer
        self.failed = False

    def pytest_runtestloop(self, session: Any) -> bool:
        request = self.request
        items = {item.name: item for item in session.items}
        module = sys.modules.get(request["module"])
        source = Path(request["source"]).read_text(encoding="utf-8")
        decided = set(request["decided"])
        deadline = time.monotonic() + float(request["seconds"])
        for mutant in request["mutants"]:
            number = mutant["number"]
            if time.monotonic() > deadline:
                self.emit({"mutant": number, "budget": True})
                continue
            try:
                live = live_function(module, mutant["function"])
                code = mutated_code(source, request["source"], request["functions"], number)
                if code.co_freevars != live.__code__.co_freevars:
                    raise LookupError("the mutant changes what the function closes over")
            except (LookupError, SyntaxError, TypeError, ValueError) as error:
                self.emit({"mutant": number, "unsupported": str(error)[:200]})
                continue
            original = live.__code__
            live.__code__ = code
            try:
                killers = self.killers([items[name] for name in mutant["tests"] if name in items], decided)
            finally:
                live.__code__ = original
            self.emit({"mutant": number, "killed_by": killers})
        return True

    def killers(self, items: list[Any], decided: set[str]) -> list[str]:
        found = []
        for item in items:
            if self.fails(item):
                found.append(item.name)
                if item.name in decided:
                    break
        return found

    def fails(self, item: Any) -> bool:
        self.failed = False
        try:
            with self.timer(float(self.request["test_timeout"])):
                item.ihook.pytest_runtest_protocol(item=item, nextitem=None)
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                raise
            return True
        return self.failed

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed = True


def live_function(module: Any, qualname: str) -> types.FunctionType:
    """The function object the tests call, under its decorators (``property``, ``functools.wraps``...)."""
    if module is None:
        raise LookupError("the tests did not import the target module")
    owner: Any = module
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    found = vars(owner).get(name, getattr(owner, name, None))
    if isinstance(found, property):
        found = found.fget
    if isinstance(found, classmethod | staticmethod):
        found = found.__func__
    found = inspect.unwrap(found) if callable(found) else found
    if not isinstance(found, types.FunctionType) or found.__code__.co_qualname != qualname:
        raise LookupError(f"{qualname} is not a plain function at run time")
    return found
