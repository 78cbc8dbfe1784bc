"""Offline review speed against running its linters directly, on a generated change.

Builds a repository of 200 Python files, changes 100 lines in each and stages
the change, then times, alternately in one run:
- `devcopilot review --staged --format json` (git, diff parsing, every analyzer);
- ruff and bandit run directly on the same 200 files, with the same rules.
Prints medians and the ratio. Target: <= 1.3x.

    python benchmarks/review_offline.py [--files 200] [--lines 100] [--runs 5]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devcopilot.jobs.review.analyzers.linters import RUFF_ERRORS, RUFF_WARNINGS

TARGET = 1.3


def module_source(index: int, lines: int, changed: bool) -> str:
    """A plausible module: functions with arithmetic, string handling, a subprocess call, a dict."""
    body = [f'"""Generated module {index}."""', "import subprocess", ""]
    for n in range(lines // 5):
        marker = "changed" if changed else "original"
        body += [
            f"def function_{n}(value: int, label: str = '{marker}') -> dict[str, int]:",
            f"    total = value * {n + 1} + len(label)",
            f"    result = {{'total': total, 'index': {n}}}",
            "    subprocess.run(['true'], check=False)"
            if n % 10 == 0
            else "    result['extra'] = total // 2",
            "    return result",
        ]
    return "\n".join(body) + "\n"


def make_repo(root: Path, files: int, lines: int) -> list[str]:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    names = [f"pkg/mod_{i:03d}.py" for i in range(files)]
    (root / "pkg").mkdir()
    for i, name in enumerate(names):
        (root / name).write_text(module_source(i, lines, changed=False))
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@b",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@b",
    }
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "commit", "-q", "--no-gpg-sign", "-m", "base"], check=True, env=env
    )
    for i, name in enumerate(names):
        (root / name).write_text(module_source(i, lines, changed=True))
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return names


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    devcopilot = str(Path(sys.executable).with_name("devcopilot"))
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        names = make_repo(repo, args.files, args.lines)
        env = {**os.environ, "DEVCOPILOT_HOME": str(Path(scratch) / "home"), "NO_COLOR": "1"}
        select = ",".join((*RUFF_ERRORS, *RUFF_WARNINGS))
        ruff = ["ruff", "check", "--isolated", "--no-cache", "--exit-zero", "--output-format=json"]
        bandit = ["bandit", "--format", "json", "--quiet", "--severity-level", "medium"]
        direct = [
            [sys.executable, "-m", *ruff, f"--select={select}", *names],
            [sys.executable, "-m", *bandit, "--confidence-level", "medium", *names],
        ]
        review = [devcopilot, "review", "--staged", "--format", "json", "--fail-on", "never"]
        timed(review, repo, env)  # warm caches
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(timed(review, repo, env))
            theirs.append(sum(timed(command, repo, env) for command in direct))
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"{args.files} files x {args.lines} changed lines, {args.runs} runs alternated")
    print(f"devcopilot review --format json   median {statistics.median(ours):6.2f} s")
    print(f"ruff + bandit directly            median {statistics.median(theirs):6.2f} s")
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio {ratio:.2f}x: {verdict} the target of <= {TARGET}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
