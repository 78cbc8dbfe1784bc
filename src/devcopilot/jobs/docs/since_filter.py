"""Under ``--since``: the findings the change caused, each told which commit caused it.

A finding is the change's when what it is about was taken away in the range:
a name the change removed, an option, command or setting the project's source
says fewer times than at REF (or, for an undocumented option, one the change
added). The rest existed before the change and is counted, not shown: the gate
is about this change.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from devcopilot.core.findings import Finding
from devcopilot.jobs.docs.report import Breakage
from devcopilot.jobs.docs.since import Change

if TYPE_CHECKING:
    from devcopilot.jobs.docs.check import Context

_QUOTED = re.compile(r"'([A-Za-z_][\w.]*)'")
LEFT_OUT = "findings that predate the change (run without --since to see them)"


def caused_by(context: Context, change: Change) -> tuple[list[Finding], list[Breakage]]:
    root = context.request.root
    source = _sources(context)
    kept: list[Finding] = []
    breakages: dict[str, Breakage] = {}
    for finding, subject in zip(context.findings, context.subjects, strict=True):
        cause = _cause(context, change, finding, subject, source)
        if cause is None:
            context.count(context.not_run, LEFT_OUT)
            continue
        name, kind, needle = cause
        commit = change.commit_of(root, source, needle)
        breakage = breakages.setdefault(
            name,
            Breakage(
                name=name,
                kind=kind,
                commit=commit[0] if commit else None,
                subject=commit[1] if commit else None,
            ),
        )
        if finding.path not in breakage.documents:
            breakage.documents.append(finding.path)
        by = f"{commit[0][:10]} ({commit[1]})" if commit else "the uncommitted change"
        kept.append(finding.model_copy(update={"message": f"{finding.message}; broken by {by}"}))
    return kept, list(breakages.values())


def _cause(
    context: Context, change: Change, finding: Finding, subject: str, source: list[str]
) -> tuple[str, str, str] | None:
    """``(what broke, how, the string to look for in history)``, or ``None`` when the change did not."""
    root = context.request.root
    if finding.rule == "docs/stale-reference":
        owner = change.owns_name(subject)
        if owner is None:
            return None
        return owner, change.kinds.get(owner, "removed"), owner.rsplit(".", 1)[-1]
    if finding.rule == "docs/code-fails":
        for name in _QUOTED.findall(finding.message):
            short = name.rsplit(".", 1)[-1]
            if short in change.removed:
                owner = change.removed[short]
                return owner, change.kinds.get(owner, "removed"), short
            for function, parameters in change.parameters.items():
                if short in parameters:
                    return f"{function}({short}=)", f"parameter {short} removed", short
        return None
    needle = subject.rsplit(maxsplit=1)[-1].rsplit(".", maxsplit=1)[-1]
    before, after = change.counts(root, source, needle)
    if finding.rule == "docs/undocumented-option":
        return (subject, "option added", needle) if before == 0 < after else None
    if (
        finding.rule in ("docs/unknown-option", "docs/unknown-command", "docs/unknown-setting")
        and after < before
    ):
        return subject, "removed", needle
    return None


def _sources(context: Context) -> list[str]:
    api = context.api
    base = (
        api.source_root.relative_to(context.request.root) if api.source_root != context.request.root else None
    )
    return [(base / package).as_posix() if base else package for package in api.packages]
