"""Template mining throughput and peak memory on a 1,000,000-line log, against Drain3 in the same run.

The log is built from the messages of every Loghub-2k system under
../shared/data/loghub-2k, each written under one common header (ISO time,
level, logger; with ``--layout unseen``, a bracketed day-first time, a node,
a process id, a one-letter level and a dash, which only inference reads) with
its numbers varied: every digit run is replaced by a random number of a random
length, so the mined keys are not simply repeats.
devcopilot reads the raw file (header inference included); Drain3 (default
settings) is given the messages alone. Runs alternate; the medians are
compared. Peak memory is that of `devcopilot incident templates` on the file,
as a process of its own, with its worker processes (polled). Targets: >= 3x Drain3's lines per second, peak
memory <= 300 MB.

    python benchmarks/incident_throughput.py [--lines 1000000] [--runs 3] [--layout known|unseen]
"""

from __future__ import annotations

import argparse
import csv
import logging
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.incident_templates import DEFAULT_DATA
from devcopilot.jobs.incident.mining import mine_sources
from devcopilot.jobs.incident.reader import open_source

TARGET_RATIO = 3.0
TARGET_PEAK_MB = 300
LEVELS = {"error": "ERROR", "warn": "WARN", "warning": "WARN", "fatal": "ERROR"}


def messages(data: Path) -> list[tuple[str, str]]:
    found = []
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        table = folder / f"{folder.name}_2k.log_structured_corrected.csv"
        if table.is_file():
            with table.open(encoding="utf-8") as file:
                for row in csv.DictReader(file):
                    level = LEVELS.get((row.get("Level") or "").lower(), "INFO")
                    found.append((level, row["Content"]))
    return found


def header(layout: str, index: int, level: str) -> str:
    """The header of line ``index``: ISO and a logger (a known layout), or one no hint knows."""
    second = index // 20
    clock = f"{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    if layout == "known":
        return f"2024-03-01T{clock}.{index % 1000:03d}Z {level} app.worker{index % 7}: "
    return f"[01.03.2024 {clock}:{index % 1000:03d}] node-{index % 5} {index % 97 + 100} {level[0]} - "


def build_log(path: Path, lines: int, data: Path, layout: str = "known") -> list[str]:
    rng = random.Random(2024)  # noqa: S311 - reproducible test data, not secrets
    source = messages(data)
    vary = re.compile(r"\d+")

    def number(match: re.Match[str]) -> str:
        return str(rng.randrange(10 ** rng.randint(1, len(match.group()) + 1)))

    contents = []
    with path.open("w", encoding="utf-8") as file:
        for index in range(lines):
            level, content = source[index % len(source)]
            content = vary.sub(number, content)
            contents.append(content)
            file.write(f"{header(layout, index, level)}{content}\n")
    return contents


def time_devcopilot(path: Path) -> float:
    started = time.perf_counter()
    source = open_source(str(path))
    result = mine_sources([source], default_year=2024, per_line=False)
    source.close()
    elapsed = time.perf_counter() - started
    assert result.lines > 0
    return elapsed


def time_drain3(contents: list[str]) -> float:
    from drain3 import TemplateMiner

    logging.disable(logging.CRITICAL)
    miner = TemplateMiner()
    started = time.perf_counter()
    for content in contents:
        miner.add_log_message(content)
    return time.perf_counter() - started


def peak_memory_mb(path: Path) -> float:
    """The highest total resident memory of `devcopilot incident templates` and its workers, polled."""
    process = subprocess.Popen(
        [sys.executable, "-m", "devcopilot", "incident", "templates", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(0.01)
    if process.returncode != 0 or peak == 0:
        raise SystemExit("devcopilot incident templates failed, or its memory could not be read")
    return peak / 1024


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, from /proc (Linux)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("Pid", "0")) == pid or int(fields.get("PPid", "0")) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--layout",
        choices=("known", "unseen"),
        default="known",
        help="the header: ISO, level, logger (a hand-written layout), or one only inference reads",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.log"
        contents = build_log(path, args.lines, args.data, args.layout)
        size_mb = path.stat().st_size / 1e6
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(time_devcopilot(path))
            theirs.append(time_drain3(contents))
        peak = peak_memory_mb(path)
    ours_rate = args.lines / statistics.median(ours)
    theirs_rate = args.lines / statistics.median(theirs)
    ratio = ours_rate / theirs_rate
    print(f"log: {args.lines} lines, {size_mb:.0f} MB")
    print(f"devcopilot: {ours_rate:,.0f} lines/s (raw lines, header detection included)")
    print(f"drain3:     {theirs_rate:,.0f} lines/s (given the messages)")
    print(f"ratio: {ratio:.2f}x (target >= {TARGET_RATIO:.0f}x)")
    print(f"peak memory of devcopilot incident templates: {peak:.0f} MB (target <= {TARGET_PEAK_MB} MB)")
    return 0 if ratio >= TARGET_RATIO and peak <= TARGET_PEAK_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
