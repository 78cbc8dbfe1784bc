"""iac drift on a large export (10,000 objects) against a plain JSON diff of the same input (deepdiff).

The declared side is a multi-document YAML rendering, the live side a
``kubectl get -o json`` List with the fields the server adds and one change in
every hundred objects. Each tool runs in its own process, three times; the
figures are the median wall time and the peak resident memory. deepdiff
reports every server default as a difference; iac drift reports the changes.

    python benchmarks/iac_drift_scale.py [--objects 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).parent / "drift"
PEER = """
import json, sys, yaml
from deepdiff import DeepDiff
desired = list(yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader))
live = json.load(open(sys.argv[2]))["items"]
diff = DeepDiff(desired, live, ignore_order=False)
print(sum(len(v) for v in diff.values()))
"""


def make(count: int, folder: Path) -> tuple[Path, Path, int]:
    """The shop stack copied under many names: declared objects, live objects, and changes injected."""
    declared = [d for d in yaml.safe_load_all((HERE / "stack.yaml").read_text()) if d]
    live = list(yaml.safe_load((HERE / "stack-live.yaml").read_text())["items"])
    pairs = []
    for d in declared:
        if d["kind"] == "HorizontalPodAutoscaler":
            continue  # copies would point at the first copy only; replicas are compared instead
        match = next(
            o for o in live if o["kind"] == d["kind"] and o["metadata"]["name"] == d["metadata"]["name"]
        )
        if match["kind"] == "Deployment":
            match["spec"]["replicas"] = d["spec"]["replicas"]
        pairs.append((d, match))
    out_declared, out_live, changes = [], [], 0
    for index in range(count):
        d, lv = copy.deepcopy(pairs[index % len(pairs)])
        name = f"{d['metadata']['name']}-{index}"
        d["metadata"]["name"] = lv["metadata"]["name"] = name
        if index % 100 == 7 and d["kind"] == "Deployment":
            lv["spec"]["replicas"] = 42
            changes += 1
        elif index % 100 == 7:
            lv["metadata"].setdefault("labels", {})["edited"] = "by-hand"
            changes += 1
        out_declared.append(d)
        out_live.append(lv)
    desired_file = folder / "rendered.yaml"
    desired_file.write_text(yaml.safe_dump_all(out_declared, sort_keys=False))
    live_file = folder / "live.json"
    live_file.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": out_live}))
    return desired_file, live_file, changes


WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak": peak, "stdout": done.stdout, "code": done.returncode}))
"""


def measure(command: list[str], runs: int) -> tuple[float, float, str]:
    """Median seconds and largest peak memory (MB) of ``command``, each run under a fresh parent."""
    times, peaks, output = [], [], ""
    for _ in range(runs):
        wrapped = subprocess.run(
            [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=True
        )
        figures = json.loads(wrapped.stdout)
        times.append(figures["seconds"])
        peaks.append(figures["peak"])
        output = figures["stdout"]
    return statistics.median(times), max(peaks), output


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        desired, live, changes = make(args.objects, Path(scratch))
        mine = [
            sys.executable,
            "-m",
            "devcopilot",
            "--quiet",
            "iac",
            "drift",
            "--desired",
            str(desired),
            "--live",
            str(live),
            "--format",
            "json",
        ]
        peer = [sys.executable, "-c", PEER, str(desired), str(live)]
        peer_time, peer_peak, peer_out = measure(peer, args.runs)
        my_time, my_peak, my_out = measure(mine, args.runs)
    reported = len(json.loads(my_out)["result"]["differences"]) if my_out else -1
    print(f"{args.objects} objects, {changes} changes injected")
    print(f"{'tool':<12} {'median s':>9} {'peak MB':>9} {'differences':>12}")
    print(f"{'iac drift':<12} {my_time:>9.2f} {my_peak:>9.0f} {reported:>12}")
    print(f"{'deepdiff':<12} {peer_time:>9.2f} {peer_peak:>9.0f} {peer_out.strip():>12}")
    print(f"time: {peer_time / my_time:.2f}x deepdiff's speed; memory: {my_peak / peer_peak:.2f}x deepdiff's")
    return 0 if reported == changes and my_time <= peer_time and my_peak <= peer_peak else 1


if __name__ == "__main__":
    sys.exit(main())
