"""Noise and robustness of the default review on real history.

Runs `devcopilot review --range C^..C --format json` over the last 40
non-merge commits of a repository (this project's own by default) and prints
crashes (any exit other than 0 or 1: must be 0), seconds per commit, and
findings per 100 added lines, by analyzer. Target: <= 0.5 findings per 100
added lines at default settings.

    python benchmarks/review_history.py [--repo PATH] [--commits 40]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

TARGET = 0.5


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--commits", type=int, default=40)
    args = parser.parse_args()
    devcopilot = str(Path(sys.executable).with_name("devcopilot"))
    commits = [
        line.split()[0]
        for line in git(
            args.repo, "rev-list", "--no-merges", "--parents", f"--max-count={args.commits}", "HEAD"
        ).splitlines()
        if len(line.split()) == 2  # has exactly one parent: the root commit has no C^
    ]
    crashes: list[str] = []
    seconds: list[float] = []
    by_source: Counter[str] = Counter()
    added_lines = 0
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DEVCOPILOT_HOME": home, "NO_COLOR": "1"}
        for sha in commits:
            started = time.perf_counter()
            done = subprocess.run(
                [devcopilot, "review", "--range", f"{sha}^..{sha}", "--format", "json", "--no-model"],
                cwd=args.repo,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds.append(time.perf_counter() - started)
            if done.returncode not in (0, 1):
                crashes.append(f"{sha[:10]}: exit {done.returncode}: {done.stderr.strip()[:200]}")
                continue
            report = json.loads(done.stdout)["result"]
            added_lines += report["summary"]["added_lines"]
            by_source.update(f["source"] for f in report["findings"])
    total = sum(by_source.values())
    rate = 100 * total / added_lines if added_lines else 0.0
    print(f"{args.repo.name}: {len(commits)} commits, {added_lines} added lines reviewed")
    print(f"crashes: {len(crashes)}")
    for crash in crashes:
        print(f"  {crash}")
    print(f"seconds per commit: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}")
    print(f"findings: {total} ({rate:.2f} per 100 added lines)")
    for source, count in by_source.most_common():
        print(f"  {source:10s} {count:4d}  ({100 * count / added_lines:.2f} per 100 added lines)")
    verdict = "meets" if rate <= TARGET and not crashes else "MISSES"
    print(f"{verdict} the target of <= {TARGET} per 100 added lines with no crash")
    return 0


if __name__ == "__main__":
    sys.exit(main())
