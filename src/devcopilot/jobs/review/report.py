"""The terminal rendering of a review. It only formats: every figure comes from the result."""

from __future__ import annotations

from collections import defaultdict

from devcopilot.core.console import stdout_console
from devcopilot.jobs.review.findings import ReviewResult

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def print_text(result: ReviewResult) -> None:
    """Findings grouped by file, each with its line of code; then a one-line summary."""
    from rich.markup import escape  # noqa: PLC0415 - drawn only for the terminal format

    console = stdout_console()
    by_file = defaultdict(list)
    for finding in result.findings:
        by_file[finding.path].append(finding)
    for path, findings in by_file.items():
        console.print(f"[bold]{escape(path)}[/bold]")
        for finding in findings:
            style = _STYLE[finding.severity]
            message = escape(finding.shown_message)
            console.print(
                f"  {finding.line:>5}  [{style}]{finding.severity:<7}[/{style}] {message}"
                f"  [dim]{escape(finding.rule)}[/dim]"
            )
            for code_line in (finding.code or "").splitlines()[:3]:
                console.print(f"         [dim]│[/dim] {escape(code_line.rstrip())}")
        console.print()
    summary = result.summary
    skipped = len(result.coverage.skipped)
    console.print(
        escape(f"{result.headline()} (source: {result.coverage.source})")
        + (f"; {skipped} skipped" if skipped else "")
    )
    if summary.left_out.not_applied:
        console.print(
            f"[dim]  {summary.left_out.not_applied} suppression comment(s) added by this change "
            "take effect once it is merged[/dim]"
        )
    model = summary.model
    if model is not None:
        console.print(escape(model.describe()))
        for entry in result.coverage.model or []:
            if entry.seen != "full":
                reason = escape(entry.reason or "")
                console.print(f"[dim]  model saw {escape(entry.path)}: {entry.seen} ({reason})[/dim]")
    for status in result.coverage.analyzers:
        if status.status != "ran":
            console.print(f"[dim]  {status.name}: {status.status} ({escape(status.reason or '')})[/dim]")
    for note in result.coverage.notes:
        console.print(f"[dim]  note: {escape(note)}[/dim]")
