"""``docs check``: every document read once, each kind of claim checked against the code, one report.

The order is the cost order: the API (griffe, static), the documents, then the
offline checks of names, commands, settings and links, then the code blocks
in the sandbox, then (only when asked) external links. ``--since REF`` keeps
the findings a change since REF caused and names the commit that caused each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from devcopilot.core import suppressions
from devcopilot.core.findings import Finding, Severity, SuppressionCounts
from devcopilot.jobs.docs import check_code, cli_spec, code_names, freshness, links, resolve, sandboxed
from devcopilot.jobs.docs.api import Api, find_packages, load_api
from devcopilot.jobs.docs.model import Document
from devcopilot.jobs.docs.report import Breakage, DocsCheckResult
from devcopilot.jobs.docs.settings_keys import ENV_NAME, read_settings, tool_keys
from devcopilot.jobs.docs.since import Change, find_change
from devcopilot.jobs.docs.since_filter import caused_by
from devcopilot.jobs.docs.sources import Sources, doc_files, read_sources


@dataclass(frozen=True)
class Request:
    root: Path
    paths: list[str] = field(default_factory=list)
    since: str | None = None
    external_links: bool = False
    run_code: bool = True
    use_baseline: bool = True


@dataclass
class Context:
    """What every check reads, built once per run."""

    request: Request
    api: Api
    sources: Sources
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    not_run: dict[str, int] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    """Under ``--since``: names the change removed (full and short forms) to the full path."""
    subjects: list[str] = field(default_factory=list)
    """What each finding is about (a name, an option, a key), in the order of ``findings``."""

    def add(
        self,
        document: Document,
        line: int,
        rule: str,
        severity: Severity,
        message: str,
        *,
        suggestion: str | None = None,
        subject: str,
    ) -> None:
        text = self.sources.texts.get(document.path, "")
        lines = text.splitlines()
        code = lines[line - 1] if document.kind != "docstring" and 0 < line <= len(lines) else None
        self.subjects.append(subject)
        self.findings.append(
            Finding(
                path=document.path,
                line=line,
                end_line=line,
                severity=severity,
                category="documentation",
                rule=rule,
                source="builtin",
                message=message,
                suggestion=suggestion,
                code=code or f"{rule}:{subject}",
            )
        )

    def count(self, table: dict[str, int], key: str, n: int = 1) -> None:
        table[key] = table.get(key, 0) + n


def run_check(request: Request, *, api: Api | None = None, change: Change | None = None) -> DocsCheckResult:
    """``api`` and ``change``: when the caller already loaded them (``docs refresh``), not loaded again."""
    root = request.root
    files = doc_files(root, request.paths)
    sandbox = sandboxed.DocsSandbox(root, find_packages(root)[0])
    try:
        sandbox.describe(cli_spec.entry_points(root))
        api = api or load_api(root)
        with_docstrings = not request.paths or any(_covers_code(root, p, api) for p in request.paths)
        sources = read_sources(root, files, api.docstrings if with_docstrings else [])
        context = Context(request, api, sources)
        to_run = check_code.start(context, sandbox)
        if change is None and request.since:
            change = find_change(root, request.since, api)
        if change is not None:
            context.removed = change.removed
        used = check_references(context)
        check_settings(context)
        check_links(context)
        check_code.finish(context, sandbox, to_run)
    finally:
        sandbox.close()
    findings = context.findings
    breakages: list[Breakage] = []
    if change is not None:
        findings, breakages = caused_by(context, change)
    kept, left_out = _suppress(root, findings, sources, request.use_baseline)
    kept.sort(key=lambda f: (f.path, f.line, f.rule, f.message))
    return DocsCheckResult(
        findings=kept,
        documents=sorted({d.path for d in sources.documents}),
        skipped=sources.skipped,
        checked=context.checked,
        not_run=context.not_run,
        since=request.since,
        breakages=breakages,
        freshness=freshness.measure(root, api, sources.documents, used),
        left_out=left_out,
    )


def check_references(context: Context) -> dict[str, list[str]]:
    """Every name checked; returns the names each document's code blocks use (for freshness)."""
    used: dict[str, list[str]] = {}
    for document in context.sources.documents:
        in_code = [r for block in document.blocks for r in code_names.references(block, context.api.packages)]
        used.setdefault(document.path, []).extend(r.target for r in in_code)
        keys = resolve.key_tables(document.references, context.api)
        for reference in [*document.references, *in_code]:
            if resolve.clean(reference.target) is None:
                continue
            if reference.table is not None and reference.table in keys:
                context.count(context.not_run, "names in tables of field names (not Python names)")
                continue
            context.count(context.checked, "references")
            stale = resolve.judge(reference, context.api, context.removed)
            if stale is None:
                continue
            suggestion = f"did you mean `{stale.suggestion}`?" if stale.suggestion else None
            context.add(
                document,
                reference.line,
                "docs/stale-reference",
                "error",
                f"`{reference.target}` names nothing in {context.api.packages[0]}: "
                f"`{stale.name}` does not exist",
                suggestion=suggestion,
                subject=stale.name,
            )
    return used


def check_settings(context: Context) -> None:
    api = context.api
    settings = read_settings(api.source_root, api.packages)
    for document in context.sources.documents:
        for line, literal in document.literals:
            match = ENV_NAME.match(literal.strip())
            if match and settings.env_problem(match.group(1)):
                context.count(context.checked, "settings")
                context.add(
                    document,
                    line,
                    "docs/unknown-setting",
                    "warning",
                    f"`{match.group(1)}` is not an environment variable {api.packages[0]} reads",
                    subject=match.group(1),
                )
        if settings.tool_table is None:
            continue
        for block in document.blocks:
            if block.language != "toml":
                continue
            reported: set[str] = set()
            for key in tool_keys(block.text, settings.tool_table):
                context.count(context.checked, "settings")
                unknown = settings.unknown_key(key)
                if unknown is None or unknown in reported:
                    continue
                reported.add(unknown)
                last = unknown.rsplit(".", 1)[-1]
                offset = next((i for i, text in enumerate(block.text.splitlines()) if last in text), 0)
                context.add(
                    document,
                    block.line + offset,
                    "docs/unknown-setting",
                    "warning",
                    f"`{unknown}` is not a [tool.{settings.tool_table}] setting {api.packages[0]} knows",
                    subject=unknown,
                )


def check_links(context: Context) -> None:
    documents = [d for d in context.sources.documents if d.kind != "docstring"]
    by_path = {d.path: d for d in documents}

    def anchors_of(path: str) -> set[str] | None:
        document = by_path.get(path)
        return document.anchors if document is not None else None

    context.count(context.checked, "links", sum(len(d.links) for d in documents))
    for broken in links.check_relative(context.request.root, documents, anchors_of):
        context.add(
            broken.document,
            broken.link.line,
            "docs/broken-link",
            "error",
            f"link {broken.link.target}: {broken.reason}",
            subject=broken.link.target,
        )
    outside = links.external(documents)
    if not context.request.external_links:
        if outside:
            context.count(context.not_run, "external links (add --links to fetch them)", len(outside))
        return
    states = links.fetch_states(sorted({link.target for _, link in outside}))
    for document, link in outside:
        state, why = states[link.target]
        if state == "broken":
            context.add(
                document,
                link.line,
                "docs/broken-url",
                "warning",
                f"{link.target}: {why}",
                subject=link.target,
            )
        elif state == "unknown":
            context.count(context.not_run, f"external links not judged ({why})")


def _covers_code(root: Path, given: str, api: Api) -> bool:
    target = (Path(given) if Path(given).is_absolute() else root / given).resolve()
    source = api.source_root.resolve()
    return source == target or source.is_relative_to(target) or target.is_relative_to(source)


def _suppress(
    root: Path, findings: list[Finding], sources: Sources, use_baseline: bool
) -> tuple[list[Finding], SuppressionCounts]:
    baseline = suppressions.Baseline.of_repository(root, "docs", use=use_baseline)

    def lines_of(path: str) -> list[str] | None:
        text = sources.texts.get(path)
        if text is None and (root / path).is_file():
            text = (root / path).read_text("utf-8", "replace")
        return text.splitlines() if text is not None else None

    return suppressions.apply(findings, new_lines=lines_of, base_lines=lines_of, baseline=baseline)
