"""Start-up time of `devcopilot --help` and `--version` against the floor of any rich Typer CLI.

The baseline, `python -c "import typer, rich.console"`, is measured in the same
run, alternating with the commands under test, so a noisy shared machine
affects both alike. Prints medians and the ratio; the target is <= 1.5x.

    python benchmarks/startup.py [--runs 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.5


def devcopilot() -> str:
    candidate = Path(sys.executable).with_name("devcopilot")
    return str(candidate) if candidate.exists() else "devcopilot"


def wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DEVCOPILOT_HOME": home, "NO_COLOR": "1"}
        commands = {
            "baseline (import typer, rich.console)": [sys.executable, "-c", "import typer, rich.console"],
            "devcopilot --help": [devcopilot(), "--help"],
            "devcopilot --version": [devcopilot(), "--version"],
        }
        for command in commands.values():  # warm the OS file cache and .pyc files
            wall(command, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                samples[name].append(wall(command, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["baseline (import typer, rich.console)"]
    print(f"runs per command: {args.runs} (alternated)")
    for name, median in medians.items():
        print(f"{name:40s} median {median * 1000:7.1f} ms   {median / baseline:4.2f}x baseline")
    worst = max(median / baseline for name, median in medians.items() if name.startswith("devcopilot"))
    verdict = "meets" if worst <= TARGET_RATIO else "MISSES"
    print(f"worst ratio {worst:.2f}x: {verdict} the target of <= {TARGET_RATIO}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
