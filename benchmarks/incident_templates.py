"""Template mining accuracy on the Loghub-2k systems, against Drain3 in the same run.

devcopilot is given the raw log lines and finds the header itself
(`devcopilot incident templates FILE --format json`, one entry per line);
Drain3 (the `drain3` package, default settings) is given the ground truth's
Content column. Both are scored against the corrected ground truth with GA,
PA, FGA and FTA (benchmarks/loghub_metrics.py). Target: mean GA >= 0.90 and
devcopilot's GA >= Drain3's on every system.

    python benchmarks/incident_templates.py [--data ../shared/data/loghub-2k]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.loghub_metrics import Scores, score

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub-2k"
TARGET_MEAN_GA = 0.90


def ground_truth(data: Path, system: str) -> list[dict[str, str]]:
    with (data / system / f"{system}_2k.log_structured_corrected.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def devcopilot_scores(data: Path, system: str, truth: list[str]) -> Scores:
    log = data / system / f"{system}_2k.log"
    done = subprocess.run(
        [sys.executable, "-m", "devcopilot", "incident", "templates", str(log), "--format", "json"],
        capture_output=True,
        check=True,
    )
    lines = json.loads(done.stdout)["result"]["lines"]
    if len(lines) != len(truth):
        raise SystemExit(f"{system}: {len(lines)} lines mapped, the ground truth has {len(truth)}")
    return score(truth, [e["template_id"] for e in lines], [e["template"] or "" for e in lines])


def drain3_scores(rows: list[dict[str, str]], truth: list[str]) -> Scores:
    from drain3 import TemplateMiner

    logging.disable(logging.CRITICAL)
    miner = TemplateMiner()
    ids = [miner.add_log_message(row["Content"])["cluster_id"] for row in rows]
    templates = {cluster.cluster_id: cluster.get_template() for cluster in miner.drain.clusters}
    return score(truth, ids, [templates[i] for i in ids])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    systems = sorted(p.name for p in args.data.iterdir() if (p / f"{p.name}_2k.log").is_file())
    if not systems:
        raise SystemExit(f"no Loghub-2k systems under {args.data}")
    print(f"{'system':<10} {'':>10} {'GA':>6} {'PA':>6} {'FGA':>6} {'FTA':>6} {'templates':>10} {'truth':>6}")
    ours_ga, theirs_ga, behind = [], [], []
    for system in systems:
        rows = ground_truth(args.data, system)
        truth = [row["EventTemplate"] for row in rows]
        ours = devcopilot_scores(args.data, system, truth)
        theirs = drain3_scores(rows, truth)
        for name, s in (("devcopilot", ours), ("drain3", theirs)):
            label = system if name == "devcopilot" else ""
            figures = (
                f"{s.ga:6.3f} {s.pa:6.3f} {s.fga:6.3f} {s.fta:6.3f} {s.templates:>10} {len(set(truth)):>6}"
            )
            print(f"{label:<10} {name:>10} {figures}")
        ours_ga.append(ours.ga)
        theirs_ga.append(theirs.ga)
        if ours.ga < theirs.ga:
            behind.append(system)
    mean_ours, mean_theirs = statistics.fmean(ours_ga), statistics.fmean(theirs_ga)
    print(f"mean GA: devcopilot {mean_ours:.3f}, drain3 {mean_theirs:.3f} (target >= {TARGET_MEAN_GA:.2f})")
    print(f"systems where drain3 groups better: {', '.join(behind) or 'none'}")
    return 0 if mean_ours >= TARGET_MEAN_GA and not behind else 1


if __name__ == "__main__":
    raise SystemExit(main())
