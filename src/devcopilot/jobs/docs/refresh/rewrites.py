"""Stale paragraphs found by ``docs check``, rewritten by the engine where a rename is plain, else by a model.

Each document's lines are edited in place, one stale name at a time, so a
paragraph citing two removed names gets both rewrites, each checked on the
text the other left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from devcopilot.core.runner import JobRun
from devcopilot.jobs.docs.api import Api
from devcopilot.jobs.docs.check import Request as CheckRequest
from devcopilot.jobs.docs.check import run_check
from devcopilot.jobs.docs.refresh import markers
from devcopilot.jobs.docs.refresh.model_pass import ask
from devcopilot.jobs.docs.refresh.prose import Paragraph, mechanical, paragraph_at, problem
from devcopilot.jobs.docs.refresh.report import RewriteStatus
from devcopilot.jobs.docs.since import Change, find_change

_STALE = re.compile(r": `([^`]+)` does not exist")


@dataclass
class Rewritten:
    texts: dict[str, str] = field(default_factory=dict)
    """Documents whose text a kept rewrite changed, with their new text."""
    statuses: list[RewriteStatus] = field(default_factory=list)
    warning: str | None = None


def rewrite(root: Path, paths: list[str], since: str | None, api: Api, run: JobRun | None) -> Rewritten:
    """Rewrite what ``docs check`` flags as stale: everything with ``--since``, else only with a model."""
    router = run.router() if run is not None else None
    if since is None and router is None:
        return Rewritten()
    change = find_change(root, since, api) if since else Change(ref="")
    checked = run_check(
        CheckRequest(root, paths, since=since, run_code=False), api=api, change=change if since else None
    )
    stale = [
        (f.path, f.line, _name(f.message))
        for f in checked.findings
        if f.rule == "docs/stale-reference" and _name(f.message) and not f.path.endswith(".py")
    ]
    result = Rewritten()
    lines: dict[str, list[str]] = {}
    generated: dict[str, list[range]] = {}
    asking: list[Paragraph] = []
    for path, line, name in stale:
        if path not in lines:
            text = (root / path).read_text("utf-8")
            lines[path] = text.split("\n")
            generated[path] = [range(s.begin, s.end + 1) for s in markers.parse(text).sections]
        style = "rst" if path.endswith((".rst", ".rest")) else "markdown"
        paragraph = paragraph_at(path, lines[path], line, name, style)
        renamed = change.renames.get(name) or change.renames.get(change.removed.get(name, ""))
        if renamed is None:
            asking.append(paragraph)
            continue
        new_text = mechanical(paragraph, renamed)
        reason = problem(paragraph, new_text, api, generated[path])
        result.statuses.append(
            RewriteStatus(
                path=path,
                line=line,
                name=name,
                replacement=renamed,
                source="engine",
                kept=reason is None,
                reason=reason,
            )
        )
        if reason is None:
            _apply(lines[path], paragraph, new_text)
    if asking and router is not None and run is not None:
        _ask(run, api, asking, (lines, generated), result)
    elif asking:
        result.statuses += [
            RewriteStatus(
                path=p.path,
                line=p.line,
                name=p.stale,
                source="engine",
                kept=False,
                reason="no rename the change makes plain (a model may propose a rewrite)",
            )
            for p in asking
        ]
    for path, edited in lines.items():
        original = (root / path).read_text("utf-8")
        if "\n".join(edited) != original:
            result.texts[path] = "\n".join(edited)
    return result


def _ask(
    run: JobRun,
    api: Api,
    asking: list[Paragraph],
    documents: tuple[dict[str, list[str]], dict[str, list[range]]],
    result: Rewritten,
) -> None:
    lines, generated = documents
    router = run.router()
    if router is None:
        return
    answered = ask(router, run.context.prompts, run.verdicts, asking, (api, generated))
    result.warning = answered.warning
    source = f"model:{answered.model}" if answered.model else "model"
    # From the bottom up: a rewrite with more or fewer lines must not move the paragraphs above it.
    for index, paragraph in sorted(enumerate(asking), key=lambda item: -item[1].start):
        kept = answered.kept.get(index)
        reason = answered.dropped.get(index) or (None if kept is not None else "no-proposal")
        result.statuses.append(
            RewriteStatus(
                path=paragraph.path,
                line=paragraph.line,
                name=paragraph.stale,
                source=source,
                kept=kept is not None,
                reason=reason,
            )
        )
        if kept is not None:
            _apply(lines[paragraph.path], paragraph, kept)


def _apply(lines: list[str], paragraph: Paragraph, text: str) -> None:
    lines[paragraph.start : paragraph.end] = text.split("\n")


def _name(message: str) -> str:
    match = _STALE.search(message)
    return match.group(1) if match else ""
