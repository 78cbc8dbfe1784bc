"""The program the sandbox runs: probe calls or run pytest, under coverage, behind the guard.

``python -m devcopilot.jobs.testgen.driver REQUEST.json`` reads its job from
the request and writes JSON lines to the request's ``results`` path, flushed
one by one, so that a run killed for its timeout still says how far it got.
It imports only the standard library, coverage, and pytest/Hypothesis when
running tests: it must not disturb what it measures.

``probe`` imports the target module, lists the classes its namespace holds
from the target's own package (imported ones too, which ``ast`` cannot see
through a star import), and makes each call with its own timer, recording
the value (when its ``repr`` reads back as a literal), the exception, or the
time-out, each call in its own coverage context. Calls may use ``io``,
``decimal``, ``datetime``, ``pathlib`` and ``typing`` for inputs. The module's globals
and its package's classes are put back as they were after every call: a test
runs alone, so what one call registers in a class-level table must not shape
what the next one is seen to do.
``pytest`` runs test files in an order shuffled by the request's seed, each
test in its own coverage context, and records every test's outcome.
``mutants`` runs tests against mutants of the target (``mutant_run``).
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import decimal
import inspect
import io
import itertools
import json
import pathlib
import random
import re
import signal
import sys
import traceback
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from devcopilot.core.sandbox_guard import SANDBOX_MARK, install, observing
from devcopilot.jobs.testgen.mixins import (
    Subclasses,
    mixin_subclasses,
    positional_signature,
    subclass_objects,
)
from devcopilot.jobs.testgen.observed import changes_read_back, describe, same

MAX_CLASSES = 40
MAX_PATTERN = 2000
MIN_MACHINE = 4
"""A machine string shorter than this (a host called ``db``) would mask ordinary words."""
CONTAINERS = (dict, list, set)
STDLIB_FOR_INPUTS = {
    "io": io,
    "decimal": decimal,
    "datetime": datetime,
    "pathlib": pathlib,
    "typing": typing,
    "itertools": itertools,
    "asyncio": asyncio,
    "types": types,
}
"""Modules the engine's input values use (``io.StringIO(...)``, ``decimal.Decimal(...)``); each test
that uses one imports it. The same names as ``inputs.STDLIB_FOR_INPUTS``, which this standard-library-only
program cannot import."""


class CallTimeout(BaseException):
    """The per-call timer's signal: a BaseException, which ``except Exception`` in user code lets through."""


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    sys.dont_write_bytecode = True
    install(request["allowed_roots"])
    out = open(request["results"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as the run
    coverage_obj = start_coverage(request)
    try:
        if request["mode"] == "probe":
            probe(request, out, coverage_obj)
        elif request["mode"] == "mutants":
            from devcopilot.jobs.testgen.mutant_run import run_mutants  # noqa: PLC0415 - that mode only

            run_mutants(request, lambda record: emit(out, record), timer)
        else:
            run_pytest(request, out, coverage_obj)
    finally:
        if coverage_obj is not None:
            coverage_obj.stop()
            coverage_obj.save()
        out.close()
    return 0


def start_coverage(request: dict[str, Any]) -> Any:
    if not request.get("coverage_file"):
        return None
    import coverage  # noqa: PLC0415 - only runs that measure

    measured = coverage.Coverage(
        data_file=request["coverage_file"],
        branch=True,
        include=[request["measure"]],
        config_file=False,
    )
    measured.start()
    return measured


def emit(out: Any, record: dict[str, Any]) -> None:
    out.write(json.dumps(record) + "\n")


@contextmanager
def timer(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise CallTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def probe(request: dict[str, Any], out: Any, coverage_obj: Any) -> None:
    module_name = request["module"]
    if coverage_obj is not None:
        coverage_obj.switch_context("import")
    try:
        with timer(request["import_timeout"]):
            module = __import__(module_name, fromlist=["_"])
    except CallTimeout:
        emit(out, {"import": "timeout"})
        return
    except BaseException as error:  # noqa: BLE001 - any failure to import is reported to the user
        emit(out, {"import": "error", **exception_record(error)})
        return
    described: dict[str, Any] = {}
    if request.get("describe"):  # once per job: what follows reads site-packages and the module's classes
        described = {
            "inherited": inherited_members(module),
            "patterns": module_patterns(module),
            "machine": machine_strings(module_name),
            "subclasses": searched_subclasses(module, request["search_timeout"]),
        }
    subclasses = described["subclasses"] if described else request.get("subclasses", {})
    emit(out, {"import": "ok", "classes": namespace_classes(module), **described})
    namespace = {**vars(module), **STDLIB_FOR_INPUTS, **subclass_objects(subclasses)}
    state = Snapshot(module)
    hung: set[str] = set()
    for call in request["calls"]:
        if call["func"] in hung:
            emit(out, {"id": call["id"], "status": "skipped"})
            continue
        emit(out, {"start": call["id"]})
        if coverage_obj is not None:
            coverage_obj.switch_context(call["id"])
        outcome = run_call(call, namespace, request["call_timeout"])
        touched = state.restore()
        if touched:
            outcome["touched"] = touched
        if outcome["status"] == "timeout":
            hung.add(call["func"])
        emit(out, {"id": call["id"], **outcome})


def searched_subclasses(module: Any, seconds: float) -> Subclasses:
    """The mixins' subclasses, found within ``seconds``: the search may import more of the package."""
    try:
        with timer(seconds):
            return mixin_subclasses(module)
    except CallTimeout:
        return {}


class Snapshot:
    """The attributes of a module and of its package's classes, to put back after each call."""

    def __init__(self, module: Any) -> None:
        owners: list[tuple[str | None, Any]] = [(None, module), *package_classes(module)]
        self.classes = {name: value for name, value in vars(module).items() if isinstance(value, type)}
        self.saved: list[tuple[str | None, Any, dict[str, Any]]] = []
        for binding, owner in owners:
            kept = {name: copied(value) for name, value in vars(owner).items() if not dunder(name)}
            self.saved.append((binding, owner, kept))

    def restore(self) -> list[dict[str, Any]]:
        """Put everything back; say what the call changed on a class: the test must undo it too."""
        touched: list[dict[str, Any]] = []
        for binding, owner, kept in self.saved:
            current = vars(owner)
            changes = [(n, "new") for n in current if n not in kept and not dunder(n)]
            for name, value in kept.items():
                now = current.get(name, kept)
                if now is not value and not (type(value) in CONTAINERS and same(now, value)):
                    changes.append((name, "container" if type(value) in CONTAINERS else "value"))
            for name, how in changes:
                now = current.get(name)
                checks = changes_read_back(kept.get(name), now, self.classes) if binding is not None else []
                try:
                    if how == "new":
                        delattr(owner, name)
                    else:
                        setattr(owner, name, copied(kept[name]))
                except Exception:  # noqa: BLE001, S112 - an attribute that will not be put back stays as it is
                    continue
                if binding is not None:
                    touched.append(
                        {"owner": binding, "attr": name, "undo": undo(owner, name, how), "checks": checks}
                    )
        return touched


def package_classes(module: Any) -> list[tuple[str, type]]:
    """The classes the module's namespace binds that come from its own package, by binding name."""
    package = module.__name__.split(".")[0]
    return [
        (name, value)
        for name, value in sorted(vars(module).items())
        if isinstance(value, type) and str(getattr(value, "__module__", "")).split(".")[0] == package
    ]


def undo(owner: type, name: str, how: str) -> str | None:
    """How a test puts an attribute back: a deep copy, the value itself, or no way (an attribute it adds)."""
    if how == "new" and not hasattr(owner, name):
        return None
    return "copy" if type(getattr(owner, name)) in CONTAINERS else "keep"


def dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def copied(value: Any) -> Any:
    """A deep copy of a plain container (what class-level registries are), the object itself otherwise."""
    if type(value) not in CONTAINERS:
        return value
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an uncopyable container is restored by identity only
        return value


def namespace_classes(module: Any) -> dict[str, list[tuple[str, str | None]]]:
    """Public classes of the module's own package bound in its namespace, with their positional
    parameters and defaults (None: required; a default that is no literal is ``<default>``)."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for name, value in package_classes(module):
        if name.startswith("_") or issubclass(value, BaseException):
            continue
        signature = positional_signature(value)
        if signature is None:
            continue
        found[name] = signature
        if len(found) >= MAX_CLASSES:
            break
    return found


def module_patterns(module: Any) -> dict[str, tuple[str, int]]:
    """The compiled regular expressions the module binds, by name, as (the pattern's literal, flags)."""
    return {
        name: (repr(value.pattern), int(value.flags))
        for name, value in sorted(vars(module).items())
        if isinstance(value, re.Pattern) and len(value.pattern) <= MAX_PATTERN
    }


def inherited_members(module: Any) -> dict[str, list[tuple[str, str, str]]]:
    """Per public class the module defines, the public members it inherits from its package's classes
    defined elsewhere: (name, the defining class, its source file). Its users call them on it."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    package = module.__name__.split(".", maxsplit=1)[0]
    for name, value in sorted(vars(module).items()):
        if name.startswith("_") or not isinstance(value, type) or value.__module__ != module.__name__:
            continue
        for attr in dir(value):
            owner = next((k for k in value.__mro__ if attr in vars(k)), None)
            if attr.startswith("_") or owner is None or owner.__module__ == module.__name__:
                continue
            if str(owner.__module__).split(".", maxsplit=1)[0] != package:
                continue
            try:
                path = inspect.getsourcefile(owner)
            except (TypeError, OSError):
                continue
            if path:
                found.setdefault(name, []).append((attr, owner.__name__, path))
    return found


def machine_strings(module_name: str) -> list[tuple[str, str]]:
    """The strings that name this interpreter, platform, host and the other installed packages, each
    with a name that must occur beside it ('' for none): a bare version means a package's only next
    to its name. The target's own distribution is left out, as its version is part of the code."""
    import importlib.metadata  # noqa: PLC0415 - read once, after the target imported on its own
    import platform  # noqa: PLC0415

    found = [
        (text, "")
        for text in (sys.version, sys.executable, sys.prefix, sys.base_prefix, platform.platform(),
                     platform.version(), platform.release(), platform.node())
        if len(text) >= MIN_MACHINE
    ]  # fmt: skip
    found.append((platform.python_version(), "python"))
    top = module_name.split(".", maxsplit=1)[0]
    own = set(importlib.metadata.packages_distributions().get(top, []))
    for dist in importlib.metadata.distributions():
        name, version = dist.metadata["Name"] or "", dist.version or ""
        if not name or not version or name in own:
            continue
        found += [(f"{name}-{version}", ""), (f"{name}=={version}", ""), (version, name)]
    return found


def run_call(call: dict[str, Any], namespace: dict[str, Any], timeout: float) -> dict[str, Any]:
    scope = dict(namespace)
    try:
        with timer(timeout), observing():
            exec(call["setup"], scope)  # noqa: S102 - the sandbox runs the engine's own generated call
            value = scope.get("result")
            after = {name: describe(scope[name]) for name in call.get("watch", ()) if name in scope}
    except CallTimeout:
        return {"status": "timeout"}
    except BaseException as error:  # noqa: BLE001 - the outcome is what is being observed
        if "PRE_DONE" not in scope:
            return {"status": "setup-failed", "exc_type": type(error).__qualname__}
        if isinstance(error, RecursionError):
            return {"status": "raised", "exc_type": "RecursionError", "exc_module": "builtins", "message": ""}
        return {"status": "raised", **exception_record(error)}
    if "obj" in scope and value is scope["obj"]:  # a method returning its instance: `with obj`, chaining
        return {"status": "ok", "type": type(value).__qualname__, "is_obj": True, "after": after}
    return {"status": "ok", **describe(value), "after": after}


def exception_record(error: BaseException) -> dict[str, Any]:
    """The exception as data; ``sandbox`` when the guard refused something, even under another exception."""
    message = str(error)
    trace = "".join(traceback.format_exception(error))
    refused = next((line.strip() for line in trace.splitlines() if SANDBOX_MARK in line), None)
    if refused is not None and SANDBOX_MARK not in message:
        message = refused[refused.index(SANDBOX_MARK) :]
    return {
        "exc_type": type(error).__qualname__,
        "exc_module": type(error).__module__,
        "message": message[:500],
        "sandbox": refused is not None,
        "trace": trace[-3000:],
    }


class ResultPlugin:
    """Shuffles the collected tests, gives each its own coverage context, records outcomes."""

    def __init__(self, seed: int, out: Any, coverage_obj: Any, test_timeout: float) -> None:
        self.seed = seed
        self.out = out
        self.coverage = coverage_obj
        self.test_timeout = test_timeout

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: list[Any]) -> None:
        random.Random(self.seed).shuffle(items)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            emit(self.out, {"collect_error": str(report.nodeid), "text": str(report.longrepr)[-4000:]})

    def pytest_runtest_protocol(self, item: Any, nextitem: Any) -> Any:
        if self.coverage is not None:
            self.coverage.switch_context(item.nodeid)
        emit(self.out, {"start": item.nodeid})
        return None

    def pytest_runtest_setup(self, item: Any) -> None:
        signal.signal(signal.SIGALRM, self._expire)
        signal.setitimer(signal.ITIMER_REAL, self.test_timeout)

    def pytest_runtest_teardown(self, item: Any) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)

    @staticmethod
    def _expire(signum: int, frame: object) -> None:
        raise CallTimeout

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or report.failed:
            emit(
                self.out,
                {
                    "test": report.nodeid,
                    "when": report.when,
                    "outcome": report.outcome,
                    "text": str(report.longrepr)[-4000:] if report.failed else "",
                },
            )


def run_pytest(request: dict[str, Any], out: Any, coverage_obj: Any) -> None:
    import pytest  # noqa: PLC0415 - the pytest mode only
    from hypothesis import settings  # noqa: PLC0415

    settings.register_profile("devcopilot-sandbox", database=None, print_blob=False)
    settings.load_profile("devcopilot-sandbox")
    plugin = ResultPlugin(request["seed"], out, coverage_obj, request["test_timeout"])
    args = [
        *request["files"],
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-p",
        "no:randomly",
        "-p",
        "no:cov",
        "-o",
        "addopts=",
        "--rootdir",
        request["rootdir"],
        "-W",
        "ignore::DeprecationWarning",
        # Hypothesis is imported above, before pytest; a suite whose configuration turns warnings
        # into errors must not fail on pytest saying so.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    code = pytest.main(args, plugins=[plugin])
    module = sys.modules.get(str(request.get("module") or ""))
    emit(out, {"exit": int(code), "module_file": getattr(module, "__file__", None)})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
