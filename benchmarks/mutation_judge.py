"""mutmut 3 as the judge of a generated test file: the share of a module's mutants its tests kill.

The tool under test makes its own mutants while it chooses tests; the judge is
other code. mutmut runs in its own virtualenv (``mutmut==3.8.1`` with this
environment's pytest and Hypothesis). Each module's top-level package is copied
into a scratch project's ``src/``; every other installed package is reachable
through a folder of links that leaves the target's package out, so the tests
import the copy mutmut mutates and nothing else. Tests that fail on the
unchanged code are deselected first (mutmut refuses a red suite). Mutants are
capped and drawn with a fixed seed; a time-out counts as killed, a mutant no
test reaches as surviving. When mutmut still checks no mutant (a test failed in
its own clean run), the module's score is missing, never 0%.

mutmut 3 makes no mutant of a decorated function (a ``@property``, a
``@contextmanager``), so on a module of properties it judges only the plain
functions and methods beside them: the same code for every tool. mutmut runs
the tests in its own process, which has imported click already; a conftest
drops such a copy so the tests import the mutated one.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

MUTMUT = "mutmut==3.8.1"
RESULT = re.compile(r"^\s*(\S+): (.+)$")
KILLED = {"killed", "timeout"}
UNCHECKED = "not checked"
CLEAN_RUNS = 3
"""A test that fails once in three clean runs is deselected: mutmut refuses a suite that fails at all."""
JUDGE_TIMEOUT_S = 900
EVICT = """import sys

# mutmut imports some packages itself (click): the tests must import the copy it mutates.
for _name in [n for n in sys.modules if n == {top!r} or n.startswith({top!r} + ".")]:
    if "mutants" not in str(getattr(sys.modules[_name], "__file__", "") or "mutants"):
        del sys.modules[_name]
"""


def ensure_mutmut(venv: Path) -> Path:
    tool = venv / "bin" / "mutmut"
    if not tool.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pins = [f"pytest=={version('pytest')}", f"hypothesis=={version('hypothesis')}"]
        python = str(venv / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", MUTMUT, *pins], check=True)
    return tool


def _package_of(module: str) -> tuple[str, Path]:
    top = module.split(".", 1)[0]
    spec = importlib.util.find_spec(top)
    if spec is None or (spec.origin is None and not spec.submodule_search_locations):
        raise SystemExit(f"{module}: not installed")
    if spec.submodule_search_locations:
        return top, Path(next(iter(spec.submodule_search_locations)))
    return top, Path(str(spec.origin))


def _links_without(top: str, root: Path) -> Path:
    """Every installed top-level name but ``top``, as links in one folder for PYTHONPATH."""
    links = root / "deps"
    links.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        name = entry.name
        code = name in (top, f"{top}.py") or name.startswith((f"{top}.", f"{top}-"))
        if name == "__pycache__" or (code and not name.endswith(".dist-info")):
            continue  # the package's metadata stays: code may read its own version
        (links / name).symlink_to(entry)
    return links


def _failing(project: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "tests"],
        cwd=project, env=env, capture_output=True, text=True, timeout=JUDGE_TIMEOUT_S, check=False,
    )  # fmt: skip
    return [line.split()[1] for line in done.stdout.splitlines() if line.startswith("FAILED ")]


def score(tool: Path, module: str, target: Path, test_file: Path, *, cap: int, seed: int) -> dict[str, Any]:
    """Kill figures of ``test_file`` on at most ``cap`` of ``module``'s mutants, drawn with ``seed``."""
    root = Path(tempfile.mkdtemp(prefix="bench-mutmut-"))
    try:
        top, package = _package_of(module)
        project = root / "project"
        source = project / "src" / package.name
        if package.is_dir():
            shutil.copytree(package, source, ignore=shutil.ignore_patterns("__pycache__"))
            relative = Path("src", top, target.relative_to(package))
        else:
            source.parent.mkdir(parents=True)
            shutil.copy(package, source)
            relative = Path("src", package.name)
        (project / "tests").mkdir()
        (project / "tests" / "conftest.py").write_text(EVICT.format(top=top))
        shutil.copy(test_file, project / "tests" / test_file.name)
        links = _links_without(top, root)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project / "src"), str(links)])}
        env.pop("PYTHONHOME", None)
        failing = sorted({test for _ in range(CLEAN_RUNS) for test in _failing(project, env)})
        deselect = [arg for test in failing for arg in ("--deselect", test)]
        (project / "pyproject.toml").write_text(
            "[tool.mutmut]\n"
            f"source_paths = [{str(relative)!r}]\n"
            'also_copy = ["src/"]\n'
            'pytest_add_cli_args_test_selection = ["tests/"]\n'
            f"pytest_add_cli_args = {['-p', 'no:cacheprovider', *deselect]!r}\n".replace("'", '"')
        )
        env["PYTHONPATH"] = str(links)
        mutmut = [str(tool)]
        # A filter that matches nothing makes mutmut generate every mutant and stop: then they can be listed.
        generate = [*mutmut, "run", "no.such.mutant"]
        subprocess.run(generate, cwd=project, env=env, capture_output=True, check=False)
        names = [n for n, _ in _results(mutmut, project, env) if n.startswith(f"{module}.")]
        if not names:
            return {"mutants": 0, "killed": 0, "score": None, "deselected": len(deselect) // 2}
        chosen = sorted(random.Random(seed).sample(names, min(cap, len(names))))  # noqa: S311 - a sample
        subprocess.run(
            [*mutmut, "run", "--max-children", "2", *chosen], cwd=project, env=env,
            capture_output=True, timeout=JUDGE_TIMEOUT_S, check=False,
        )  # fmt: skip
        statuses = dict(_results(mutmut, project, env))
        if all(statuses.get(name, UNCHECKED) == UNCHECKED for name in chosen):
            # mutmut stops before the first mutant when a test fails in its own clean run
            return {"mutants": len(chosen), "of": len(names), "score": None, "deselected": len(failing)}
        killed = sum(1 for name in chosen if statuses.get(name) in KILLED)
        return {
            "mutants": len(chosen),
            "of": len(names),
            "killed": killed,
            "score": round(100.0 * killed / len(chosen), 1),
            "deselected": len(failing),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _results(mutmut: list[str], project: Path, env: dict[str, str]) -> list[tuple[str, str]]:
    command = [*mutmut, "results", "--all", "true"]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    return [(m.group(1), m.group(2).strip()) for m in map(RESULT.match, done.stdout.splitlines()) if m]
