"""A pre-commit run with nothing to review must stay instant.

In a repository with a clean index, times `devcopilot review --staged` against
`devcopilot --version`, alternately in one run. Target: <= 1.3x.

    python benchmarks/review_empty.py [--runs 30]
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

TARGET = 1.3


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{command} failed: {done.stderr.decode()}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    devcopilot = str(Path(sys.executable).with_name("devcopilot"))
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        repo.mkdir()
        env = {**os.environ, "DEVCOPILOT_HOME": str(Path(scratch) / "home"), "NO_COLOR": "1"}
        identity = {
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@b",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@b",
        }
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        (repo / "app.py").write_text("x = 1\n")
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
        subprocess.run(
            ["git", "-C", str(repo), "commit", "-q", "--no-gpg-sign", "-m", "i"],
            check=True,
            env={**env, **identity},
        )
        commands = {
            "devcopilot --version": [devcopilot, "--version"],
            "devcopilot review --staged": [devcopilot, "review", "--staged"],
        }
        for command in commands.values():
            timed(command, repo, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                samples[name].append(timed(command, repo, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, median in medians.items():
        print(f"{name:30s} median {median * 1000:7.1f} ms")
    ratio = medians["devcopilot review --staged"] / medians["devcopilot --version"]
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio {ratio:.2f}x: {verdict} the target of <= {TARGET}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
