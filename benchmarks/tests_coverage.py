"""Coverage of generated tests: devcopilot tests (offline), the Hypothesis ghostwriter and Pynguin 0.48.

On real pure-Python modules installed with devcopilot's dependencies, each
tool generates tests with the same 60-second budget, and each tool's output
is then run the same way: five times, in five seeded random orders, under
coverage.py with branch measurement of the target module only. Printed per
module and as means: line, branch and combined coverage, the pass rate over
the five runs, and each tool's wall time. Unless ``--no-mutmut``, mutmut 3 then
judges each tool's tests: the share of the module's mutants (capped at
``--mutants``, drawn with a fixed seed) they kill (``mutation_judge``).

Pynguin runs in its own virtualenv (``--pynguin-venv``, created on first use
with pynguin==0.48.0 and the same versions of the target packages) with
``PYNGUIN_DANGER_AWARE=1`` and ``--maximum-search-time``. A tool still running
after ten budgets is stopped (with every process it started) and counted as
writing no tests; its line says so.

A second measurement times verifying one candidate test (writing it into the
job's sandbox copy and the five runs) against a module's suite of generated
tests, with the one-time copy of the repository reported apart.

    python benchmarks/tests_coverage.py                 # the ten modules, all tools
    python benchmarks/tests_coverage.py --set development   # those and six more
    python benchmarks/tests_coverage.py --set held-back     # modules held back while tuning
    python benchmarks/tests_coverage.py --modules yaml.reader --tools devcopilot ghostwriter
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mutation_judge import ensure_mutmut, score

MODULES = [
    "jinja2.tests",
    "jinja2.nativetypes",
    "yaml.reader",
    "yaml.resolver",
    "tomli_w._writer",
    "markupsafe",
    "pydantic.version",
    "pydantic._internal._repr",
    "yaml.serializer",
    "platformdirs.unix",
]
MORE_DEVELOPMENT = [
    "dateutil.easter",
    "jmespath.lexer",
    "idna.intranges",
    "h11._headers",
    "pygments.util",
    "click.parser",
]
"""Six modules a user's run showed devcopilot behind Pynguin on; development data since."""
HELD_BACK = [
    "jsonpointer",
    "dotenv.parser",
    "markdown_it.common.utils",
    "mdurl._encode",
    "charset_normalizer.utils",
    "unidiff.patch",
]
"""Chosen by name and size before the mutation-guided selection was tuned, and not read while tuning:
``--set held-back`` reports them apart."""
SETS = {"benchmark": MODULES, "development": MODULES + MORE_DEVELOPMENT, "held-back": HELD_BACK}
PYNGUIN = "pynguin==0.48.0"
OVERTIME = 10
"""A tool still generating after ten budgets is stopped and counted as writing no tests (Pynguin has hung)."""
SAME_VERSIONS = (
    "jinja2", "markupsafe", "pyyaml", "tomli-w", "pydantic", "platformdirs", "python-dateutil", "jmespath",
    "idna", "h11", "pygments", "click", "jsonpointer", "python-dotenv", "markdown-it-py", "mdurl",
    "charset-normalizer", "unidiff",
)  # fmt: skip
TOOLS = ("devcopilot", "ghostwriter", "pynguin")
RUNS = 5
MEASURE_MEMORY_BYTES = 4 << 30
SHUFFLE_PLUGIN = """\
import json, os, random


def pytest_collection_modifyitems(session, config, items):
    random.Random(int(os.environ.get("BENCH_SEED", "0"))).shuffle(items)


def pytest_runtest_logreport(report):
    out = os.environ.get("BENCH_OUTCOMES")
    if not out or not (report.when == "call" or report.outcome != "passed"):
        return
    outcome = "passed" if hasattr(report, "wasxfail") else report.outcome
    with open(out, "a") as handle:
        handle.write(json.dumps({"test": report.nodeid, "when": report.when, "outcome": outcome}) + "\\n")
"""


def module_file(name: str) -> Path:
    from devcopilot.jobs.testgen.target import find_module_file

    found = find_module_file(name)
    if found is None:
        raise SystemExit(f"{name}: not installed")
    return found


def workspace(root: Path) -> Path:
    repo = root / "work"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "conftest.py").write_text(SHUFFLE_PLUGIN)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.com",
            "commit",
            "-qm",
            "init",
        ],
        check=True,
    )
    return repo


def timed(command: list[str], budget: float, **kwargs: Any) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a tool with a deadline of ``OVERTIME`` budgets, stopping it with every process it started."""
    started = time.perf_counter()
    limit = OVERTIME * budget
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs
    ) as process:
        try:
            out, err = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            err = f"{err}\nstopped after {limit:.0f} s"
    return subprocess.CompletedProcess(command, process.returncode, out, err), time.perf_counter() - started


def run_devcopilot(repo: Path, module: str, budget: float) -> tuple[Path | None, float, str]:
    out = repo / "tests" / f"test_dc_{module.replace('.', '_')}.py"
    devcopilot = str(Path(sys.executable).with_name("devcopilot"))
    done, seconds = timed(
        [devcopilot, "-q", "tests", "generate", module, "--no-model", "--json", "--write",
         "--budget-seconds", str(budget), "--out", str(out)],
        budget,
        cwd=repo,
    )  # fmt: skip
    problem = done.stderr.strip()[-300:]
    try:  # a possible bug on released, widely used code is almost always a false report
        bugs = [b for r in json.loads(done.stdout)["result"]["reports"] for b in r["possible_bugs"]]
    except (ValueError, KeyError):
        bugs = []
    if bugs:
        problem = f"{len(bugs)} possible bugs: " + "; ".join(f"{b['function']}: {b['message']}" for b in bugs)
    return (out if out.exists() else None), seconds, problem


def run_ghostwriter(repo: Path, module: str, budget: float) -> tuple[Path | None, float, str]:
    out = repo / "tests" / f"test_gw_{module.replace('.', '_')}.py"
    hypothesis = str(Path(sys.executable).with_name("hypothesis"))
    done, seconds = timed([hypothesis, "write", module], budget, cwd=repo)
    if done.returncode != 0 or "def test_" not in done.stdout:
        return None, seconds, done.stderr.strip()[-300:]
    out.write_text(done.stdout)
    return out, seconds, ""


def ensure_pynguin(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not (venv / "bin" / "pynguin").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        from importlib.metadata import version

        pins = [f"{name}=={version(name)}" for name in SAME_VERSIONS]
        subprocess.run([str(python), "-m", "pip", "install", "-q", PYNGUIN, *pins], check=True)
    return venv / "bin" / "pynguin"


def run_pynguin(pynguin: Path, repo: Path, module: str, budget: float) -> tuple[Path | None, float, str]:
    out = repo / "pynguin-out" / module
    out.mkdir(parents=True, exist_ok=True)
    project = repo.parent / "pynguin-project"
    project.mkdir(exist_ok=True)
    env = {**os.environ, "PYNGUIN_DANGER_AWARE": "1"}
    done, seconds = timed(
        [str(pynguin), "--project-path", str(project), "--module-name", module, "--output-path", str(out),
         "--maximum-search-time", str(int(budget)), "-v"],
        budget,
        env=env,
        cwd=out,  # Pynguin writes its pynguin-report folder into the working directory
    )  # fmt: skip
    produced = sorted(out.glob("test_*.py"))
    if not produced:
        return None, seconds, (done.stderr or done.stdout).strip()[-300:]
    target = repo / "tests" / f"test_pn_{module.replace('.', '_')}.py"
    shutil.copy(produced[0], target)
    return target, seconds, ""


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEASURE_MEMORY_BYTES, MEASURE_MEMORY_BYTES))


def measure(repo: Path, test_file: Path, target: Path) -> dict[str, Any]:
    """Run a test file five times in seeded random orders; coverage of ``target`` from the first run."""
    runs_dir = Path(tempfile.mkdtemp(prefix="bench-runs-"))
    outcomes: list[dict[str, str]] = []
    coverage_file = runs_dir / ".coverage"
    for seed in range(RUNS):
        record = runs_dir / f"outcomes-{seed}.jsonl"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)]
        if seed == 0:
            command = [sys.executable, "-m", "coverage", "run", "--branch", f"--include={target}",
                       f"--data-file={coverage_file}", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)]  # fmt: skip
        env = {
            **os.environ,
            "BENCH_SEED": str(seed),
            "BENCH_OUTCOMES": str(record),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        subprocess.run(
            command, cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False,
            preexec_fn=limit_memory,  # a generated test asking for gigabytes fails instead of swapping
        )  # fmt: skip
        if record.exists():
            outcomes += [json.loads(line) for line in record.read_text().splitlines()]
    from coverage import Coverage

    totals = {
        "percent_covered": 0.0,
        "covered_lines": 0,
        "num_statements": 0,
        "covered_branches": 0,
        "num_branches": 0,
    }
    if coverage_file.exists():
        measured = Coverage(data_file=str(coverage_file), branch=True)
        report = runs_dir / "coverage.json"
        try:  # a run that died (out of memory, say) may leave no data or a broken file
            measured.load()
            measured.json_report(outfile=str(report), include=[str(target)])
            totals = json.loads(report.read_text())["totals"]
        except Exception as error:  # noqa: BLE001 - no data for the file: zero coverage
            print(f"  no coverage data for {target.name}: {error}", file=sys.stderr)
    shutil.rmtree(runs_dir, ignore_errors=True)
    passed = sum(1 for o in outcomes if o["outcome"] == "passed")
    executed = sum(1 for o in outcomes if o["when"] == "call" or o["outcome"] != "passed")
    lines = 100.0 * totals["covered_lines"] / totals["num_statements"] if totals["num_statements"] else 0.0
    branches = 100.0 * totals["covered_branches"] / totals["num_branches"] if totals["num_branches"] else 0.0
    return {
        "combined": round(totals["percent_covered"], 1),
        "lines": round(lines, 1),
        "branches": round(branches, 1),
        "pass_rate": round(100.0 * passed / executed, 1) if executed else 0.0,
        "tests_per_run": executed // RUNS if executed else 0,
    }


def verify_time(module: str, suite: Path, project_repo: Path, samples: int) -> dict[str, Any] | None:
    """Median time to verify one candidate (write into the sandbox copy + five runs) against ``suite``."""
    from devcopilot.core.sandbox import Sandbox
    from devcopilot.jobs.testgen.candidates import Candidate
    from devcopilot.jobs.testgen.compose import defined_names
    from devcopilot.jobs.testgen.coverage_data import FileShape
    from devcopilot.jobs.testgen.job import DRIVER
    from devcopilot.jobs.testgen.target import module_name
    from devcopilot.jobs.testgen.verify import Verifier

    text = suite.read_text()
    names = sorted(n for n in defined_names(text) if n.startswith("test_"))
    if not names:
        return None
    target = module_file(module)
    started = time.perf_counter()
    sandbox = Sandbox(project_repo, DRIVER)
    copy_seconds = time.perf_counter() - started
    try:
        test_path = "tests/test_bench_verify.py"
        verifier = Verifier(
            sandbox=sandbox, test_path=test_path, existing=text, module=module, measured=target,
            shape=FileShape.of(target), python_path=[module_name(target)[1]], deadline=time.monotonic() + 3600,
        )  # fmt: skip
        timings = []
        for index in range(samples):
            package = module.split(".", maxsplit=1)[0]
            body = (
                f"def test_bench_candidate_{index}():\n    import {package}\n    assert {index} == {index}\n"
            )
            candidate = Candidate(name=f"test_bench_candidate_{index}", kind="model", function="-", code=body)
            started = time.perf_counter()
            verifier.judge_one(candidate)
            timings.append(time.perf_counter() - started)
    finally:
        sandbox.close()
    return {
        "module": module,
        "suite_tests": len(names),
        "median_s": round(statistics.median(timings), 2),
        "copy_once_s": round(copy_seconds, 2),
        "copied_files": sum(1 for _ in project_repo.rglob("*") if _.is_file() and ".git" not in _.parts),
    }


def judge_tool(
    tool_name: str, generate: Any, repo: Path, *, module: str, target: Path, mutmut: Path | None, mutants: int
) -> dict[str, Any]:
    """One tool's tests for one module: generated, measured five times, judged by mutmut; printed."""
    produced, seconds, problem = generate()
    figures = (
        measure(repo, produced, target)
        if produced
        else {"combined": 0.0, "lines": 0.0, "branches": 0.0, "pass_rate": 0.0, "tests_per_run": 0}
    )
    killed = ""
    if mutmut is not None:
        judged = score(mutmut, module, target, produced, cap=mutants, seed=0) if produced else None
        figures["mutation"] = judged["score"] if judged else 0.0
        figures["mutants"] = judged["mutants"] if judged else 0
        shown = "judge failed" if figures["mutation"] is None else f"{figures['mutation']:5.1f}%"
        killed = f"mutants killed {shown} of {figures['mutants']} "
    print(f"{module:28} {tool_name:12} {figures['combined']:5.1f}% (lines {figures['lines']:5.1f}%, branches {figures['branches']:5.1f}%) "
          f"pass {figures['pass_rate']:5.1f}% tests {figures['tests_per_run']:3d} in {seconds:6.1f} s {killed}{problem[:80]}", flush=True)  # fmt: skip
    return {
        **figures,
        "seconds": round(seconds, 1),
        "file": str(produced) if produced else None,
        "problem": problem,
    }


def compare_mutation(rows: list[dict[str, Any]], tools_seen: list[str]) -> None:
    judged = [r for r in rows if all(r[t]["mutation"] is not None for t in tools_seen)]
    if len(judged) < len(rows):
        print(
            f"mutmut checked no mutant for some tool on {len(rows) - len(judged)} modules: left out of the means"
        )
    if judged:
        killed = {t: statistics.mean(r[t]["mutation"] for r in judged) for t in tools_seen}
        print("mean mutation score (mutmut): " + ", ".join(f"{t} {killed[t]:.1f}%" for t in tools_seen))
    else:  # a mean of nothing is no figure, never 0%
        print("mean mutation score (mutmut): no module was judged for every tool")
    own = {t: [r[t]["mutation"] for r in rows if r[t]["mutation"] is not None] for t in tools_seen}
    print(
        "mean mutation score over each tool's own judged modules: "
        + ", ".join(
            f"{t} {statistics.mean(v):.1f}% of {len(v)}" if v else f"{t} none" for t, v in own.items()
        )
    )
    for peer in (t for t in tools_seen if t != "devcopilot" and "devcopilot" in tools_seen):
        # Pairwise: a third tool the judge could not run must not hide a module from this comparison.
        both = [
            r for r in rows if r[peer]["mutation"] is not None and r["devcopilot"]["mutation"] is not None
        ]
        if both:
            ours, theirs = (statistics.mean(r[t]["mutation"] for r in both) for t in ("devcopilot", peer))
            print(f"mean mutation score on the {len(both)} modules judged for devcopilot and {peer}: "
                  f"devcopilot {ours:.1f}%, {peer} {theirs:.1f}%")  # fmt: skip
        ahead = [r["module"] for r in both if r[peer]["mutation"] > r["devcopilot"]["mutation"]]
        print(f"modules where {peer} kills more mutants: {', '.join(ahead) or 'none'}")


def compare(rows: list[dict[str, Any]], means: dict[str, float], times: dict[str, float]) -> None:
    """Print devcopilot's figures against each peer measured in the same run."""
    print(
        f"devcopilot pass rate over {RUNS} runs: min {min(r['devcopilot']['pass_rate'] for r in rows):.1f}%"
    )
    if means.get("ghostwriter"):
        print(f"coverage vs ghostwriter: {means['devcopilot'] / means['ghostwriter']:.2f}x")
    if "pynguin" in means:
        print(f"coverage vs pynguin: {means['devcopilot'] - means['pynguin']:+.1f} points; "
              f"time vs pynguin: {times['devcopilot'] / times['pynguin']:.2f}x")  # fmt: skip
    for peer in (t for t in means if t != "devcopilot"):
        ahead = [r["module"] for r in rows if r[peer]["combined"] > r["devcopilot"]["combined"]]
        print(f"modules where {peer} covers more: {', '.join(ahead) or 'none'}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--modules", nargs="*", help="Modules to measure (default: the --set).")
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default="benchmark",
        help="benchmark (10), development (16) or held-back (6).",
    )
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument(
        "--pynguin-venv", type=Path, default=Path.home() / ".cache/devcopilot-bench/pynguin-0.48.0"
    )
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--verify-samples", type=int, default=9)
    parser.add_argument(
        "--no-mutmut",
        action="store_true",
        help="Skip the mutation score (mutmut 3 judges every tool's tests).",
    )
    parser.add_argument(
        "--mutants", type=int, default=150, help="Mutants per module the judge runs (seeded)."
    )
    parser.add_argument(
        "--mutmut-venv", type=Path, default=Path.home() / ".cache/devcopilot-bench/mutmut-3.8.1"
    )
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()
    args.modules = args.modules or SETS[args.set]

    root = Path(tempfile.mkdtemp(prefix="bench-tests-"))
    repo = workspace(root)
    pynguin = ensure_pynguin(args.pynguin_venv) if "pynguin" in args.tools else None
    mutmut = None if args.no_mutmut else ensure_mutmut(args.mutmut_venv)
    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for module in args.modules:
        target = module_file(module)
        row: dict[str, Any] = {"module": module, "lines": len(target.read_text().splitlines())}
        generators = {
            "devcopilot": lambda m=module: run_devcopilot(repo, m, args.budget),
            "ghostwriter": lambda m=module: run_ghostwriter(repo, m, args.budget),
            "pynguin": lambda m=module: run_pynguin(pynguin, repo, m, args.budget),
        }
        for tool in args.tools:
            row[tool] = judge_tool(
                tool,
                generators[tool],
                repo,
                module=module,
                target=target,
                mutmut=mutmut,
                mutants=args.mutants,
            )
        rows.append(row)

    tools_seen = [t for t in TOOLS if t in args.tools]
    print("\nmodule                        lines " + " ".join(f"{t:>24}" for t in tools_seen))
    for row in rows:
        cells = " ".join(
            f"{row[t]['combined']:6.1f}% {row[t]['pass_rate']:5.1f}% {row[t]['seconds']:6.1f}s "
            for t in tools_seen
        )
        print(f"{row['module']:28} {row['lines']:6} {cells}")
    means = {t: statistics.mean(r[t]["combined"] for r in rows) for t in tools_seen}
    times = {t: statistics.mean(r[t]["seconds"] for r in rows) for t in tools_seen}
    print("\nmean line+branch coverage: " + ", ".join(f"{t} {means[t]:.1f}%" for t in tools_seen))
    print("mean wall time per module: " + ", ".join(f"{t} {times[t]:.1f} s" for t in tools_seen))
    if mutmut is not None:
        compare_mutation(rows, tools_seen)
    print(f"benchmark wall time: {time.perf_counter() - started:.0f} s")
    if "devcopilot" in means:
        compare(rows, means, times)

    verification = []
    project = Path(__file__).resolve().parents[1]
    for row in rows:
        suite = row.get("devcopilot", {}).get("file")
        if suite and len(verification) < 3:
            found = verify_time(row["module"], Path(suite), project, args.verify_samples)
            if found:
                verification.append(found)
                print(f"verify one candidate against {row['module']} ({found['suite_tests']} suite tests): "
                      f"median {found['median_s']} s; the sandbox copy of {found['copied_files']} files "
                      f"took {found['copy_once_s']} s once, and each candidate only writes its test file")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"modules": rows, "verification": verification}, indent=2))
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
