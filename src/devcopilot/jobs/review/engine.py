"""The offline review: gather the change, run every analyzer, keep what the filter shows.

Filters follow reviewdog's conventions: ``added`` (the default) keeps findings
that touch a line the change adds, ``context`` any line its hunks show,
``file`` and ``all`` anything in a changed file.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from devcopilot.core.context import Context
from devcopilot.core.errors import InputError
from devcopilot.jobs.review.analyzers import ANALYZERS, Analyzer, ToolFailedError
from devcopilot.jobs.review.analyzers.base import ReviewInput
from devcopilot.jobs.review.diff import BlobReader, ChangedFile, choose_source, load_diff
from devcopilot.jobs.review.files import gather_files
from devcopilot.jobs.review.findings import (
    SEVERITY_RANK,
    AnalyzerStatus,
    Coverage,
    Finding,
    ReviewResult,
    SkippedFile,
    Summary,
)

FILTERS = ("added", "context", "file", "all")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReviewOptions:
    staged: bool = False
    range: str | None = None
    base: str | None = None
    diff_file: str | None = None
    filter: str = "added"
    paths: tuple[str, ...] = ()


def run_review(context: Context, options: ReviewOptions) -> ReviewResult:
    """Review the chosen change and record the run in provenance."""
    started = time.perf_counter()
    repo = context.workspace.repo_root
    if repo is None:
        raise InputError("not inside a git repository", hint="run devcopilot review from within a repository")
    if options.filter not in FILTERS:
        raise InputError(f"--filter {options.filter!r} is not one of {', '.join(FILTERS)}")
    result = review(repo, options)
    provenance = context.provenance
    provenance.append(
        provenance.new_record(
            "job_run",
            job="review",
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            **{
                "review.source": result.coverage.source,
                "review.files_reviewed": result.summary.files_reviewed,
                "review.findings": result.summary.findings,
                "review.by_source": result.summary.by_source,
            },
        )
    )
    return result


def review(repo: Path, options: ReviewOptions) -> ReviewResult:
    source = choose_source(
        repo, staged=options.staged, range_=options.range, base=options.base, diff_file=options.diff_file
    )
    diff = load_diff(repo, source)
    with BlobReader(repo) as blobs:
        files, skipped = gather_files(blobs, diff, options.paths)
        statuses, raw = _run_analyzers(ReviewInput(files, Path(), repo, diff, blobs))
    changed = {file.path: file for file in diff.files}
    visible = (f for f in raw if f.path in changed and _visible(f, changed[f.path], options.filter))
    shown = _with_code(_dedupe(visible), {file.path: file.text.splitlines() for file in files})
    coverage = Coverage(
        source=source.label,
        reviewed=[file.path for file in files],
        skipped=[SkippedFile(path=path, reason=reason) for path, reason in skipped],
        analyzers=statuses,
        notes=diff.notes,
    )
    summary = Summary(
        files_changed=len(diff.files),
        files_reviewed=len(files),
        added_lines=sum(len(file.changed.added_lines) for file in files),
        findings=len(shown),
        by_severity=dict(Counter(f.severity for f in shown)),
        by_source=dict(Counter(f.source for f in shown)),
        filtered_out=len(raw) - len(shown),
    )
    return ReviewResult(findings=shown, coverage=coverage, summary=summary)


def _run_analyzers(review: ReviewInput) -> tuple[list[AnalyzerStatus], list[Finding]]:
    """Every analyzer at once: the external tools wait on their processes while the others compute."""
    with tempfile.TemporaryDirectory(prefix="devcopilot-review-") as scratch:
        workdir = Path(scratch)
        for file in review.files:
            target = workdir / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.text.encode("utf-8", "surrogateescape"))
        review = replace(review, workdir=workdir)
        with ThreadPoolExecutor(max_workers=len(ANALYZERS)) as pool:
            outcomes = list(pool.map(lambda item: _run_one(item[0], item[1], review), ANALYZERS.items()))
    statuses = [status for status, _ in outcomes]
    return statuses, [finding for _, found in outcomes for finding in found]


def _run_one(name: str, analyzer: Analyzer, review: ReviewInput) -> tuple[AnalyzerStatus, list[Finding]]:
    reason = analyzer.unavailable_reason()
    if reason is not None:
        return AnalyzerStatus(name=name, status="skipped", reason=reason), []
    try:
        found = analyzer.analyze(review)
    except (ToolFailedError, ValueError, KeyError, OSError) as error:
        log.warning("analyzer %s failed and was skipped: %s", name, error)
        return AnalyzerStatus(name=name, status="failed", reason=str(error)), []
    return AnalyzerStatus(name=name, status="ran", findings=len(found)), found


def _visible(finding: Finding, changed: ChangedFile, how: str) -> bool:
    if finding.scope == "file":
        return True
    lines = set(range(finding.line, finding.end_line + 1))
    if how == "added":
        return bool(lines & changed.added_lines)
    if how == "context":
        return bool(lines & changed.hunk_lines)
    return True


def _with_code(findings: list[Finding], lines: dict[str, list[str]]) -> list[Finding]:
    """Attach the reviewed lines: renderers and fingerprints must not read a working tree that may differ."""
    attached = []
    for finding in findings:
        text = "\n".join(lines.get(finding.path, [])[finding.line - 1 : finding.end_line])
        attached.append(Finding.model_validate(finding.model_dump() | {"code": text or None}))
    return attached


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    unique: dict[tuple[str, int, str], Finding] = {}
    for finding in findings:
        unique.setdefault((finding.path, finding.line, finding.rule), finding)
    return sorted(unique.values(), key=lambda f: (f.path, f.line, -SEVERITY_RANK[f.severity], f.rule))
