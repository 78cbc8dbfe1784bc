"""The offline review: gather the change, run every analyzer, keep what the filter shows.

Filters follow reviewdog's conventions: ``added`` (the default) keeps findings
that touch a line the change adds, ``context`` any line its hunks show,
``file`` and ``all`` anything in a changed file.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from devcopilot.core import suppressions
from devcopilot.core.change.diff import (
    BlobReader,
    DiffSource,
    Mode,
    ParsedDiff,
    base_commit,
    choose_source,
    load_diff,
)
from devcopilot.core.errors import InputError
from devcopilot.core.findings import SEVERITY_RANK, Finding, SuppressionCounts, visible
from devcopilot.core.router import ModelRouter
from devcopilot.core.runner import JobRun
from devcopilot.core.tools import ToolFailedError
from devcopilot.core.verdicts import ModelPass
from devcopilot.jobs.review.analyzers import ANALYZERS, Analyzer
from devcopilot.jobs.review.analyzers.base import ReviewInput
from devcopilot.jobs.review.files import ReviewFile, gather_files
from devcopilot.jobs.review.findings import AnalyzerStatus, Coverage, ReviewResult, SkippedFile, Summary
from devcopilot.jobs.review.model_pass import run_model_pass
from devcopilot.jobs.review.patch import build_patch
from devcopilot.jobs.review.settings import ReviewSettings

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
    settings: ReviewSettings = field(default_factory=ReviewSettings)
    """``[review]`` from the change's base commit; ``run_review`` fills it in."""
    use_baseline: bool = True
    """Off when the baseline is being written: it must list every finding."""


@dataclass(frozen=True)
class EngineRun:
    result: ReviewResult
    files: list[ReviewFile]
    diff: ParsedDiff


def run_review(run: JobRun, options: ReviewOptions) -> ReviewResult:
    """Review the chosen change: the engine, then the model when the route has one."""
    repo = run.context.workspace.repo_root
    if repo is None:
        raise InputError("not inside a git repository", hint="run devcopilot review from within a repository")
    if options.filter not in FILTERS:
        raise InputError(f"--filter {options.filter!r} is not one of {', '.join(FILTERS)}")
    source = choose_source(
        repo, staged=options.staged, range_=options.range, base=options.base, diff_file=options.diff_file
    )
    # ``[review]`` as the change's base commit has it: a change must not be able to exclude itself.
    base = base_commit(repo, source)
    options = replace(options, settings=run.settings(ReviewSettings, base=base))
    engine_run = review(repo, options, source)
    run.replay_as(_replay_arguments(run, options, engine_run.diff))
    result = engine_run.result
    router = run.router()
    if router is not None and engine_run.files:
        result = _with_model(run, router, engine_run, options)
    return _without_suppressed(repo, base, engine_run.files, result, use_baseline=options.use_baseline)


def _replay_arguments(run: JobRun, options: ReviewOptions, diff: ParsedDiff) -> list[str]:
    """The same change again: commits name themselves; a staged, working-tree or file diff is kept."""
    if diff.source.mode in (Mode.RANGE, Mode.BASE) and diff.old_side and diff.new_side:
        change = ["--range", f"{diff.old_side}..{diff.new_side}"]
    else:
        change = [
            "--diff-file",
            run.keep_input("change.diff", data=diff.text.encode("utf-8", "surrogateescape")),
        ]
    paths = [argument for path in options.paths for argument in ("--paths", path)]
    return [*change, "--filter", options.filter, *paths]


def _without_suppressed(
    repo: Path, base: str | None, files: list[ReviewFile], result: ReviewResult, *, use_baseline: bool
) -> ReviewResult:
    """Leave out what the base commit's inline comments and baseline accept, and count it."""
    texts = {file.path: file.text for file in files}
    kept, counts = suppressions.apply_at_base(
        repo, base, "review", result.findings, texts, use_baseline=use_baseline
    )
    if counts == SuppressionCounts():
        return result
    summary = _summary(kept, result.summary, model=result.summary.model)
    summary = summary.model_copy(update={"left_out": counts})
    patch = build_patch(files, kept) if result.patch else ""
    return result.model_copy(update={"findings": kept, "summary": summary, "patch": patch})


def _with_model(
    run: JobRun, router: ModelRouter, engine_run: EngineRun, options: ReviewOptions
) -> ReviewResult:
    result = engine_run.result
    outcome = run_model_pass(
        router,
        run.context.prompts,
        engine_run.files,
        result.findings,
        run.verdicts,
        filter_=options.filter,
        concurrency=options.settings.concurrency,
    )
    if outcome.warning:
        log.warning("%s; the engine's findings are reported", outcome.warning)
    findings = _sorted([*outcome.engine_findings, *outcome.findings])
    model = run.model_pass(warning=outcome.warning, details=outcome.details)
    summary = _summary(findings, result.summary, model=model)
    coverage = result.coverage.model_copy(update={"model": outcome.coverage})
    patch = build_patch(engine_run.files, findings)
    return ReviewResult(findings=findings, coverage=coverage, summary=summary, patch=patch)


def review(repo: Path, options: ReviewOptions, source: DiffSource | None = None) -> EngineRun:
    """The offline engine: gather the change, run every analyzer, keep what the filter shows."""
    if source is None:
        source = choose_source(
            repo, staged=options.staged, range_=options.range, base=options.base, diff_file=options.diff_file
        )
    diff = load_diff(repo, source)
    with BlobReader(repo) as blobs:
        files, skipped = gather_files(blobs, diff, options.paths, tuple(options.settings.exclude))
        statuses, raw = _run_analyzers(ReviewInput(files, Path(), repo, diff, blobs, options.settings))
    changed = {file.path: file for file in diff.files}
    shown_raw = (
        f
        for f in raw
        if f.path in changed
        and visible(f, changed[f.path].added_lines, changed[f.path].hunk_lines, options.filter)
    )
    shown = _with_code(_dedupe(shown_raw), {file.path: file.text.splitlines() for file in files})
    coverage = Coverage(
        source=source.label,
        reviewed=[file.path for file in files],
        skipped=[SkippedFile(path=path, reason=reason) for path, reason in skipped],
        analyzers=statuses,
        notes=diff.notes,
    )
    counts = Summary(
        files_changed=len(diff.files),
        files_reviewed=len(files),
        added_lines=sum(len(file.changed.added_lines) for file in files),
        findings=0,
        by_severity={},
        by_source={},
        filtered_out=len(raw) - len(shown),
    )
    return EngineRun(
        ReviewResult(findings=shown, coverage=coverage, summary=_summary(shown, counts)), files, diff
    )


def _summary(findings: list[Finding], base: Summary, model: ModelPass | None = None) -> Summary:
    return base.model_copy(
        update={
            "findings": len(findings),
            "by_severity": dict(Counter(f.severity for f in findings)),
            "by_source": dict(
                Counter(
                    f.source.split(":")[0] if f.source.startswith("model:") else f.source for f in findings
                )
            ),
            "model": model,
        }
    )


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
    return _sorted(unique.values())


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.path, f.line, -SEVERITY_RANK[f.severity], f.rule))
