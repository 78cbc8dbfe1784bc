"""A temporary copy of the repository where generated code runs, and the one way to run it there.

Every job that runs code it did not write (generated tests, a documentation's
code blocks) runs it here. The copy is made once per job; a candidate only
adds or replaces its own file in it, so verifying one costs a file write, not a
copy. Each run is a fresh interpreter in its own session running the job's
``driver`` module on a JSON request, with a wall-clock timeout that kills the
whole process group, an address-space limit, HOME and TMPDIR inside the copy,
and the guard's audit hook (``sandbox_guard``, which the driver installs)
refusing network access, process starts and writes outside the copy.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devcopilot.core.git import git

SKIPPED_DIRS = shutil.ignore_patterns(
    ".git", ".venv", "venv", "__pycache__", "node_modules", ".devcopilot", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hypothesis", ".tox", ".nox", "build", "dist", "*.egg-info",
)  # fmt: skip
DEFAULT_MEMORY_MB = 2048
HOME_DIR = ".home"
"""The HOME of every sandboxed run, inside the copy."""
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "PYTHONHASHSEED")


@dataclass
class RunResult:
    records: list[dict[str, Any]]
    timed_out: bool
    returncode: int | None
    stderr: str
    coverage_file: Path | None = None

    def started(self) -> list[str]:
        return [r["start"] for r in self.records if "start" in r]


@dataclass
class Sandbox:
    repo: Path
    """The user's repository (or the workspace the target is tested from)."""
    driver: str
    """The module run with ``python -m`` on each request (it installs the guard first)."""
    memory_mb: int = DEFAULT_MEMORY_MB
    overrides: Mapping[str, bytes] = field(default_factory=dict)
    """Files whose content differs from the working tree's (a staged change's), by relative path."""
    root: Path = field(init=False)
    copy: Path = field(init=False)

    def __post_init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="devcopilot-sandbox-"))
        self.copy = self.root / "repo"
        copy_repository(self.repo, self.copy)
        for relative, content in self.overrides.items():
            target = self.copy / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        for name in (HOME_DIR, ".tmp", ".runs"):
            (self.copy / name).mkdir(exist_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def inside(self, path: Path) -> Path:
        """Where ``path`` of the repository is in the copy; paths outside the repository stay as they are."""
        try:
            return self.copy / path.resolve().relative_to(self.repo.resolve())
        except ValueError:
            return path

    def write(self, relative: str, text: str) -> Path:
        target = self.copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def run(self, request: dict[str, Any], *, timeout: float, python_path: list[Path]) -> RunResult:
        """Run the driver on ``request`` in a fresh interpreter; nothing the tested code does raises here."""
        return self.run_many([request], timeout=timeout, python_path=python_path)[0]

    def run_many(
        self, requests: list[dict[str, Any]], *, timeout: float, python_path: list[Path], parallel: int = 2
    ) -> list[RunResult]:
        """Run several requests, ``parallel`` at a time, each in its own interpreter with its own timeout."""
        pending = list(enumerate(requests))
        running: list[tuple[int, Started]] = []
        done: dict[int, RunResult] = {}
        while pending or running:
            while pending and len(running) < parallel:
                index, request = pending.pop(0)
                running.append((index, self._start(request, python_path, timeout)))
            still = []
            for index, started in running:
                if started.poll():
                    done[index] = started.result()
                else:
                    still.append((index, started))
            running = still
            if running:
                time.sleep(0.01)
        return [done[i] for i in range(len(requests))]

    def start(self, request: dict[str, Any], *, timeout: float, python_path: list[Path]) -> Started:
        """Start a run and return at once: the caller does its own work meanwhile, then ``wait()``s."""
        return self._start(request, python_path, timeout)

    def _start(self, request: dict[str, Any], python_path: list[Path], timeout: float) -> Started:
        run_id = uuid.uuid4().hex[:12]
        runs = self.copy / ".runs"
        request = {
            **request,
            "results": str(runs / f"{run_id}.jsonl"),
            "allowed_roots": [str(self.copy)],
            "rootdir": str(self.copy),
        }
        if request.get("measure"):
            request["coverage_file"] = str(runs / f"{run_id}.coverage")
        request_file = runs / f"{run_id}.json"
        request_file.write_text(json.dumps(request), encoding="utf-8")
        with (runs / f"{run_id}.stderr").open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", self.driver, str(request_file)],
                cwd=self.copy,
                env=self.environment(python_path),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
                preexec_fn=self._limits,  # noqa: PLW1509 - the parent starts no threads
            )
        return Started(process, request, time.monotonic() + timeout)

    def environment(self, python_path: list[Path]) -> dict[str, str]:
        env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
        env.update(
            HOME=str(self.copy / HOME_DIR),
            TMPDIR=str(self.copy / ".tmp"),
            PYTHONPATH=os.pathsep.join(dict.fromkeys(str(p) for p in python_path)),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONNOUSERSITE="1",
            NO_COLOR="1",
            no_proxy="*",
        )
        return env

    def _limits(self) -> None:
        limit = self.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@dataclass
class Started:
    process: subprocess.Popen[bytes]
    request: dict[str, Any]
    deadline: float
    timed_out: bool = False

    def poll(self) -> bool:
        if self.process.poll() is not None:
            return True
        if time.monotonic() > self.deadline:
            self.timed_out = True
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            return True
        return False

    def stop(self) -> None:
        """Kill the run if it is still going (the caller gave up on it)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def wait(self) -> RunResult:
        while not self.poll():
            time.sleep(0.01)
        return self.result()

    def result(self) -> RunResult:
        err = Path(self.request["results"]).with_suffix(".stderr").read_bytes()
        coverage_file = Path(self.request["coverage_file"]) if self.request.get("coverage_file") else None
        return RunResult(
            read_records(Path(self.request["results"])),
            self.timed_out,
            self.process.returncode,
            err.decode("utf-8", "replace")[-4000:],
            coverage_file,
        )


def read_records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break  # the last line of a killed run
    return records


def copy_repository(repo: Path, destination: Path) -> None:
    """Copy what git tracks or would track (ignored files left out); a plain copy outside git."""
    listed = git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard", check=False)
    if listed.returncode != 0:
        shutil.copytree(repo, destination, ignore=SKIPPED_DIRS, symlinks=True)
        return
    destination.mkdir(parents=True)
    for raw in listed.stdout.split(b"\0"):
        if not raw:
            continue
        relative = os.fsdecode(raw)
        source = repo / relative
        if not source.is_file():
            continue  # deleted in the working tree, or a submodule
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
