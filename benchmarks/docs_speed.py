"""docs check against griffe's own load of the same package, in one run, on real repositories at HEAD.

Each repository bundle is cloned once; then, alternating so that the machine's
noise falls on both, griffe loads the package (the peer: the static API load
every check starts with) and ``docs check`` runs in-process: once with
``--no-run`` and once running the documentation's code in the sandbox. Medians
of five rounds, and the ratio to griffe's load.

    python benchmarks/docs_speed.py [--repos click httpx] [--rounds 5]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import griffe

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.docs_history import DATA, clone
from devcopilot.jobs.docs.api import find_packages
from devcopilot.jobs.docs.check import Request, run_check


def seconds(work: object) -> float:
    started = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - started


def measure(repo: Path, rounds: int) -> dict[str, list[float]]:
    source_root, packages = find_packages(repo)
    logging.getLogger("griffe").setLevel(logging.CRITICAL)
    times: dict[str, list[float]] = {"griffe": [], "check --no-run": [], "check": []}
    for _ in range(rounds):
        times["griffe"].append(
            seconds(
                lambda: [griffe.load(p, search_paths=[source_root], allow_inspection=False) for p in packages]
            )
        )
        times["check --no-run"].append(seconds(lambda: run_check(Request(repo, run_code=False))))
        times["check"].append(seconds(lambda: run_check(Request(repo))))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", nargs="+", default=["click", "httpx"])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="docs-speed-"))
    try:
        for name in args.repos:
            repo = scratch / name
            clone(args.data / f"{name}.bundle", repo)
            run_check(Request(repo, run_code=False))  # first imports, outside the timing
            times = measure(repo, args.rounds)
            peer = statistics.median(times["griffe"])
            shown = ", ".join(
                f"{label} {statistics.median(values):.3f} s ({statistics.median(values) / peer:.1f}x)"
                for label, values in times.items()
            )
            print(f"{name}: {shown}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
