"""docs refresh on real history: stale paragraphs the offline engine repairs, and sections refreshed twice.

1. Repairs. At every breaking commit of ``docs_history.py`` (griffe's removed
   public names, the documents that still cite them), ``docs refresh --since
   <parent> --write`` runs offline in a scratch checkout. A stale (name,
   document) pair counts as repaired correctly when the engine rewrote it, and
   then ``docs check --since <parent>`` no longer flags that name in that
   document, and every line the rewrite changed held the old name. It agrees
   with the authors when the fix they later committed to that document uses
   the same new name.
2. Idempotence and speed. At HEAD, a document with an ``api``, a ``diagram``
   and an ``env`` section (and a ``cli`` section where the project has a CLI)
   is refreshed with ``--write`` twice: the second run must write nothing, and
   ``--check`` must then pass. Both runs are timed.

    python benchmarks/docs_refresh.py [--repos click httpx]
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.docs_history import (
    DATA,
    candidates,
    checkout,
    clone,
    git,
    mention_patterns,
    removed_names,
    stale_docs,
)
from devcopilot.jobs.docs.check import Request as CheckRequest
from devcopilot.jobs.docs.check import run_check
from devcopilot.jobs.docs.cli_spec import entry_points
from devcopilot.jobs.docs.refresh.run import Request, run_refresh


@dataclass
class Repairs:
    stale: int = 0
    attempted: int = 0
    correct: int = 0
    agreed: int = 0
    compared: int = 0
    notes: list[str] = field(default_factory=list)


def repairs(repo: Path, name: str, tip: str) -> Repairs:
    found = Repairs()
    for commit in candidates(repo, name):
        names, left = removed_names(repo, name, commit)
        if not names or checkout(repo, name, commit) is None:
            continue
        truth = stale_docs(repo, names, name, left)
        if not truth:
            continue
        before = {doc: (repo / doc).read_text("utf-8") for _, doc in truth}
        result = run_refresh(Request(repo, since=f"{commit}^", write=True))
        after_check = run_check(CheckRequest(repo, since=f"{commit}^", run_code=False))
        still = {(b.name.rsplit(".", 1)[-1], doc) for b in after_check.breakages for doc in b.documents}
        for path, doc in truth:
            found.stale += 1
            short = path.rsplit(".", 1)[-1]
            rewrites = [r for r in result.rewrites if r.path == doc and r.name.rsplit(".", 1)[-1] == short]
            kept = [r for r in rewrites if r.kept and r.replacement]
            if rewrites and any(r.replacement for r in rewrites):
                found.attempted += 1
            if not kept:
                found.notes.append(f"{commit[:10]} {path} in {doc}: not repaired")
                continue
            changed = _changed_lines(before[doc], (repo / doc).read_text("utf-8"))
            if (short, doc) not in still and all(short in line for line in changed):
                found.correct += 1
            else:
                found.notes.append(f"{commit[:10]} {path} in {doc}: rewritten, but not clean")
            authors = _authors_fix(repo, tip, commit, doc, mention_patterns(path, name, left))
            if authors is not None:
                found.compared += 1
                found.agreed += kept[0].replacement.rsplit(".", 1)[-1] in authors  # type: ignore[union-attr]
    return found


def _changed_lines(before: str, after: str) -> list[str]:
    """The original lines a rewrite replaced."""
    old = before.splitlines()
    matcher = difflib.SequenceMatcher(None, old, after.splitlines(), autojunk=False)
    return [line for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal" for line in old[i1:i2]]


def _authors_fix(repo: Path, tip: str, commit: str, doc: str, patterns: list) -> str | None:  # type: ignore[type-arg]
    """The document as the authors fixed it: the first later version that no longer cites the name."""
    for line in git(repo, "log", "--reverse", "--format=%H", f"{commit}..{tip}", "--", doc).splitlines():
        try:
            text = git(repo, "show", f"{line}:{doc}")
        except subprocess.CalledProcessError:
            return None
        if not any(p.search(text) for p in patterns):
            return text
    return None


def idempotence(repo: Path, name: str) -> str:
    git(repo, "checkout", "-q", "-f", "HEAD")
    sections = [f"api object={name}", f"diagram package={name}", "env"]
    programs = entry_points(repo)
    if programs:
        sections.append(f"cli prog={next(iter(programs))}")
    page = "\n\n".join(
        f"<!-- devcopilot:begin {section} -->\n<!-- devcopilot:end {section.split()[0]} -->"
        for section in sections
    )
    target = repo / "devcopilot-generated.md"
    target.write_text(f"# Generated\n\n{page}\n")
    started = time.perf_counter()
    first = run_refresh(Request(repo, [str(target)], write=True))
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = run_refresh(Request(repo, [str(target)], write=True))
    second_s = time.perf_counter() - started
    check = run_refresh(Request(repo, [str(target)], check=True))
    states = ", ".join(f"{s.name}: {s.state}" for s in first.sections)
    return (
        f"{len(first.sections)} sections ({states}); first --write {first_s:.2f} s, second {second_s:.2f} s "
        f"writing {'nothing' if not second.patch else 'a change (NOT idempotent)'}; "
        f"--check {'passes' if not check.reaches('error') else 'FAILS'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", nargs="+", default=["click", "httpx"])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    for name in args.repos:
        scratch = Path(tempfile.mkdtemp(prefix=f"docs-refresh-{name}-"))
        repo = scratch / name
        try:
            clone(args.data / f"{name}.bundle", repo)
            tip = git(repo, "rev-parse", "HEAD").strip()
            found = repairs(repo, name, tip)
            print(
                f"{name}: {found.stale} stale (name, document) pairs at breaking commits; "
                f"the engine knew a rename for {found.attempted}, repaired {found.correct} correctly; "
                f"of {found.compared} the authors fixed later, {found.agreed} with the same new name"
            )
            for note in found.notes[:10]:
                print(f"  {note}")
            git(repo, "checkout", "-q", "-f", tip)
            git(repo, "clean", "-qfdx")
            print(f"  idempotence at HEAD: {idempotence(repo, name)}")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
