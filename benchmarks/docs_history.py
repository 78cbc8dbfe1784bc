"""docs check --since on real history: at every commit that removed a public name, which docs it left stale.

For each repository bundle (click is the development history the detector was
tuned on; httpx is held back and was run once, after tuning), in a scratch
clone:

1. Breaking commits, found without the detector: non-merge commits whose diff
   of the package deletes a definition, an assignment, an import or an
   ``__all__`` entry, then confirmed by griffe: the public names griffe's
   breaking-change API reports removed between the parent and the commit,
   plus the package's top-level exports that disappeared, minus names the new
   code still serves through a module ``__getattr__``.
2. Ground truth: the documentation files at that commit (Markdown and
   reStructuredText; changelogs and upgrade guides left out) that still
   mention a removed name as code: its full path, ``pkg.name``,
   ``Owner.member``, or, for a module-level name, the name alone in backticks.
3. Recall: of those (name, document) pairs, the share ``docs check --since
   <parent>`` flags at that commit.
4. Precision, judged independently of the detector: each flagged name is
   looked up by importing the package at that commit and walking the getattr
   chain in a fresh interpreter. A name that resolves is a false alarm; a
   package that cannot be imported there is "unknown" and left out.
5. How long the staleness lived: from the breaking commit to the first later
   commit where the document no longer mentions the name (or HEAD, counted as
   still stale).

    python benchmarks/docs_history.py [--repos click httpx] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from devcopilot.jobs.docs.check import Request, run_check
from devcopilot.jobs.docs.history_words import is_history_file
from devcopilot.jobs.docs.report import DocsCheckResult

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "repos"
HELD_BACK = {"httpx"}
REMOVAL = re.compile(
    r'^-\s*(?:async\s+)?(?:def|class)\s+[A-Za-z]|^-[A-Za-z]\w*\s*[:=]|^-from \.|^-\s+"[A-Za-z]\w*",?$'
)
DOC_SUFFIXES = (".md", ".rst", ".markdown")
MODULE_MARK = "module:"
EXTRA_PINS = ("hstspreload==2025.1.1", "rfc3986==1.5.0", "chardet==5.2.0")
LEGACY_PINS = ("httpcore==0.12.3", "h11==0.12.0")
JUDGE = r"""
import importlib, json, sys
sys.path[:0] = [sys.argv[1], *json.loads(sys.argv[3])]
sys.path += json.loads(sys.argv[4])
out = {}
for name in json.loads(sys.argv[2]):
    parts = name.split(".")
    try:
        obj = importlib.import_module(parts[0])
    except Exception as error:
        out[name] = "unknown"
        continue
    state = "resolves"
    for index, part in enumerate(parts[1:], 1):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:
                obj = importlib.import_module(".".join(parts[: index + 1]))
            except Exception:
                state = "missing"
                break
        except Exception:
            state = "unknown"
            break
    out[name] = state
print(json.dumps(out))
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@dataclass
class Tally:
    """Flags judged by import: confirmed missing, false alarms (the name resolves), unknown."""

    commits: int = 0
    confirmed: int = 0
    false_alarms: list[str] = field(default_factory=list)
    unknown: int = 0

    def add(self, commit: str, verdicts: dict[str, str]) -> None:
        self.commits += 1
        for flagged, state in verdicts.items():
            if state == "missing":
                self.confirmed += 1
            elif state == "resolves":
                self.false_alarms.append(f"{commit[:10]} {flagged}")
            else:
                self.unknown += 1

    def line(self) -> str:
        judged = self.confirmed + len(self.false_alarms)
        share = self.confirmed / judged if judged else float("nan")
        return (
            f"precision {self.confirmed}/{judged} = {share:.1%} over {self.commits} flagged commits "
            f"({self.unknown} flags unknown: the package does not import there)"
        )


@dataclass
class Figures:
    commits: int = 0
    breaking: int = 0
    pairs: int = 0
    found: int = 0
    at_break: Tally = field(default_factory=Tally)
    sampled_commits: int = 0
    sampled: Tally = field(default_factory=Tally)
    lifetimes_days: list[float] = field(default_factory=list)
    still_stale: int = 0
    missed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def clone(bundle: Path, repo: Path) -> Path:
    """A scratch clone of a history bundle (its HEAD is detached: no advice printed)."""
    subprocess.run(
        ["git", "-c", "advice.detachedHead=false", "clone", "-q", str(bundle), str(repo)], check=True
    )
    return repo


def package_dir(repo: Path, name: str) -> tuple[str, str] | None:
    for base in ("src", "."):
        if (repo / base / name / "__init__.py").is_file():
            return base, f"{base}/{name}".removeprefix("./")
    return None


def candidates(repo: Path, name: str) -> list[str]:
    log = git(
        repo, "log", "--no-merges", "--reverse", "--format=@@C %H", "-p", "-U0", "--", f"src/{name}", name
    )
    found: list[str] = []
    current = ""
    for line in log.splitlines():
        if line.startswith("@@C "):
            current = line[4:]
        elif current and REMOVAL.match(line) and (not found or found[-1] != current):
            found.append(current)
    return found


def removed_names(repo: Path, name: str, commit: str) -> tuple[dict[str, str], set[str]]:
    """Full path to short name, of the public names griffe sees the commit remove; and the names left."""
    import griffe

    old = _load(repo, name, f"{commit}^")
    new = _load(repo, name, commit)
    if old is None or new is None:
        return {}, set()
    names: set[str] = set()
    modules: set[str] = set()
    try:
        for breakage in griffe.find_breaking_changes(old, new):
            if breakage.kind == griffe.BreakageKind.OBJECT_REMOVED:
                names.add(breakage.obj.path)
                if breakage.obj.is_module:
                    modules.add(breakage.obj.path)
    except Exception:  # noqa: BLE001 - griffe cannot compare every historical tree
        return {}, set()
    for member, value in old.members.items():
        if not member.startswith("_") and member not in new.members and not value.is_module:
            names.add(f"{name}.{member}")
    served, left = _dynamic_sources(new)
    left |= {f"{MODULE_MARK}{path}" for path in modules}
    removed = {
        path: path.rsplit(".", 1)[-1]
        for path in names
        if not any(f'"{path.rsplit(".", 1)[-1]}"' in source for source in served)
    }
    return removed, left


def _load(repo: Path, name: str, ref: str):  # type: ignore[no-untyped-def]
    import griffe

    try:
        return griffe.load_git(name, ref=ref, repo=repo, search_paths=["src", "."], allow_inspection=False)
    except Exception:  # noqa: BLE001 - a tree griffe cannot read is not a data point
        return None


def _dynamic_sources(module) -> tuple[list[str], set[str]]:  # type: ignore[no-untyped-def]
    """The source of every module with a ``__getattr__``, and every module-level name (top ones dotted)."""
    sources = []
    left = {f"{module.path}.{m}" for m in module.members}
    stack = [module]
    while stack:
        current = stack.pop()
        left |= set(current.members)
        if "__getattr__" in current.members:
            sources.append(current.source if isinstance(current.source, str) else "")
        stack += [m for m in current.members.values() if not m.is_alias and m.is_module]
    return sources, left


def mention_patterns(path: str, package: str, left: set[str]) -> list[re.Pattern[str]]:
    """How docs write the name as code, leaving out the forms that still name something (a moved name)."""
    parts = path.split(".")
    short = parts[-1]
    found = [re.escape(path)]
    if f"{package}.{short}" not in left:
        found.append(re.escape(f"{package}.{short}"))
    owner = parts[-2] if len(parts) > 2 else None
    if owner and owner[:1].isupper():
        found.append(re.escape(f"{owner}.{short}"))
    elif short not in left and f"{MODULE_MARK}{path}" not in left:  # a module is written with its dots
        found.append(r"`" + re.escape(short) + r"(?:\(\))?`")
    return [
        re.compile(r"(?<![\w.])" + p + r"(?![\w])") if not p.startswith("[") else re.compile(p) for p in found
    ]


def stale_docs(
    repo: Path, names: dict[str, str], package: str, left: set[str]
) -> dict[tuple[str, str], list[re.Pattern[str]]]:
    pairs: dict[tuple[str, str], list[re.Pattern[str]]] = {}
    for doc in git(repo, "ls-files").splitlines():
        if not doc.endswith(DOC_SUFFIXES) or is_history_file(doc):
            continue
        text = (repo / doc).read_text("utf-8", "replace")
        for path in names:
            patterns = mention_patterns(path, package, left)
            if any(p.search(text) for p in patterns):
                pairs[(path, doc)] = patterns
    return pairs


def judge_dependencies() -> tuple[Path, Path]:
    """Packages old commits import that today's environment lacks or has moved past, installed once.

    ``extra`` is searched after the environment (packages httpx once needed);
    ``legacy`` before it, and only on a second try (the httpcore and h11 that
    httpx 0.14 to 0.17 were written against).
    """
    cache = Path.home() / ".cache" / "devcopilot-bench" / "docs-judge"
    for folder, pins in ((cache / "extra", EXTRA_PINS), (cache / "legacy", LEGACY_PINS)):
        if not (folder / ".done").exists():
            pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(folder)]
            subprocess.run([*pip, *pins],
                           check=True)  # fmt: skip
            (folder / ".done").write_text("ok")
    return cache / "extra", cache / "legacy"


def judge(repo: Path, base: str, flagged: list[str], dependencies: tuple[Path, Path]) -> dict[str, str]:
    """Each flagged name: ``missing`` or ``resolves`` by import at that commit, else ``unknown``."""
    extra, legacy = dependencies
    verdicts = dict.fromkeys(flagged, "unknown")
    for before in ([], [str(legacy)]):
        pending = [name for name, state in verdicts.items() if state == "unknown"]
        if not pending:
            break
        done = subprocess.run(
            [sys.executable, "-c", JUDGE, str(repo / base), json.dumps(pending), json.dumps(before),
             json.dumps([str(extra)])],
            capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir(), check=False,
        )  # fmt: skip
        try:
            verdicts.update(json.loads(done.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            continue
    return verdicts


def lifetime(
    repo: Path, tip: str, commit: str, doc: str, patterns: list[re.Pattern[str]]
) -> tuple[float, bool]:
    start = int(git(repo, "show", "-s", "--format=%ct", commit).strip())
    for line in git(repo, "log", "--reverse", "--format=%H %ct", f"{commit}..{tip}", "--", doc).splitlines():
        later, when = line.split()
        try:
            text = git(repo, "show", f"{later}:{doc}")
        except subprocess.CalledProcessError:
            return (int(when) - start) / 86400, False  # the document was deleted
        if not any(p.search(text) for p in patterns):
            return (int(when) - start) / 86400, False
    head = int(git(repo, "show", "-s", "--format=%ct", tip).strip())
    return (head - start) / 86400, True


def sample_history(
    repo: Path, name: str, figures: Figures, dependencies: tuple[Path, Path], sample: int
) -> None:
    """Precision of the plain check (no --since) at commits spread evenly over the history."""
    history = git(
        repo, "rev-list", "--no-merges", "--reverse", "--all", "--", f"src/{name}", name, "docs"
    ).split()
    step = max(1, len(history) // sample) if sample else len(history) + 1
    for commit in history[::step][:sample]:
        layout = checkout(repo, name, commit)
        if layout is None:
            continue
        figures.sampled_commits += 1
        stale = stale_names(run(Request(repo, run_code=False), commit))
        if stale:
            figures.sampled.add(commit, judge(repo, layout[0], stale, dependencies))


def checkout(repo: Path, name: str, commit: str) -> tuple[str, str] | None:
    git(repo, "checkout", "-q", "-f", commit)
    git(repo, "clean", "-qfdx")
    return package_dir(repo, name)


def run(request: Request, commit: str) -> DocsCheckResult | None:
    try:
        return run_check(request)
    except Exception as error:  # noqa: BLE001 - said, and counted as finding nothing
        print(f"  {commit[:10]}: docs check failed: {error}", file=sys.stderr)
        return None


def stale_names(result: DocsCheckResult | None) -> list[str]:
    findings = result.findings if result else []
    return sorted({_flagged_name(f.message) for f in findings if f.rule == "docs/stale-reference"} - {""})


def measure_commit(
    repo: Path, name: str, commit: str, figures: Figures, context: tuple[str, tuple[Path, Path]]
) -> None:
    tip, dependencies = context
    names, left = removed_names(repo, name, commit)
    if not names:
        return
    figures.breaking += 1
    layout = checkout(repo, name, commit)
    if layout is None:
        return
    truth = stale_docs(repo, names, name, left)
    result = run(Request(repo, since=f"{commit}^", run_code=False), commit)
    flagged_docs = {
        (b.name.rsplit(".", 1)[-1], doc) for b in (result.breakages if result else []) for doc in b.documents
    }
    for (path, doc), patterns in truth.items():
        figures.pairs += 1
        if (path.rsplit(".", 1)[-1], doc) in flagged_docs:
            figures.found += 1
            days, open_ = lifetime(repo, tip, commit, doc, patterns)
            figures.lifetimes_days.append(days)
            figures.still_stale += open_
        else:
            figures.missed.append(f"{commit[:10]} {path} in {doc}")
    stale = stale_names(result)
    if stale:
        figures.at_break.add(commit, judge(repo, layout[0], stale, dependencies))


def measure(bundle: Path, name: str, limit: int | None, sample: int) -> Figures:
    figures = Figures()
    dependencies = judge_dependencies()
    scratch = Path(tempfile.mkdtemp(prefix=f"docs-history-{name}-"))
    repo = scratch / name
    started = time.perf_counter()
    try:
        clone(bundle, repo)
        tip = git(repo, "rev-parse", "HEAD").strip()
        commits = candidates(repo, name)[: limit or None]
        figures.commits = len(commits)
        for commit in commits:
            measure_commit(repo, name, commit, figures, (tip, dependencies))
        sample_history(repo, name, figures, dependencies, sample)
    finally:
        figures.seconds = time.perf_counter() - started
        shutil.rmtree(scratch, ignore_errors=True)
    return figures


def _flagged_name(message: str) -> str:
    match = re.search(r": `([^`]+)` does not exist", message)
    return match.group(1) if match else ""


def report(name: str, figures: Figures) -> None:
    label = "held back" if name in HELD_BACK else "development"
    recall = figures.found / figures.pairs if figures.pairs else float("nan")
    median = statistics.median(figures.lifetimes_days) if figures.lifetimes_days else float("nan")
    print(f"{name} ({label}): {figures.commits} candidate commits, {figures.breaking} removed a public name")
    print(f"  recall at the breaking commit: {figures.found}/{figures.pairs} = {recall:.1%}")
    print(f"  at the breaking commits: {figures.at_break.line()}")
    print(f"  plain check at {figures.sampled_commits} sampled commits: {figures.sampled.line()}")
    print(
        f"  staleness lived a median of {median:.0f} days ({figures.still_stale} of "
        f"{len(figures.lifetimes_days)} still stale at HEAD); {figures.seconds:.0f} s"
    )
    for line in figures.missed[:15]:
        print(f"  missed: {line}")
    for line in (figures.at_break.false_alarms + figures.sampled.false_alarms)[:15]:
        print(f"  false alarm: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", nargs="+", default=["click", "httpx"])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=None, help="only the first N candidate commits")
    parser.add_argument(
        "--sample", type=int, default=80, help="commits sampled for the plain check's precision"
    )
    args = parser.parse_args()
    for name in args.repos:
        report(name, measure(args.data / f"{name}.bundle", name, args.limit, args.sample))


if __name__ == "__main__":
    main()
