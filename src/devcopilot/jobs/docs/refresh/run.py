"""``docs refresh``: every marked section regenerated, compared, and written only where asked.

A section is ``current`` when its body is what the code generates now,
``outdated`` when the code changed, ``new`` when it was never generated, and
``hand-edited`` when its body no longer matches the checksum its end marker
recorded: that one is reported and left alone unless ``--force``. Without
``--write`` nothing is written and the patch is the output; ``--write``
writes the files, and a second ``--write`` changes nothing.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from devcopilot.core.errors import InputError
from devcopilot.core.runner import JobRun
from devcopilot.jobs.docs import cli_spec, sandboxed
from devcopilot.jobs.docs.api import load_api
from devcopilot.jobs.docs.cli_spec import Command
from devcopilot.jobs.docs.refresh import markers
from devcopilot.jobs.docs.refresh.generators import GeneratorError, Sources, generate
from devcopilot.jobs.docs.refresh.report import RefreshResult, SectionStatus
from devcopilot.jobs.docs.refresh.rewrites import rewrite
from devcopilot.jobs.docs.settings_keys import read_settings
from devcopilot.jobs.docs.sources import doc_files


@dataclass(frozen=True)
class Request:
    root: Path
    paths: list[str] = field(default_factory=list)
    write: bool = False
    check: bool = False
    force: bool = False
    since: str | None = None
    """Rewrite the paragraphs citing names the change since REF removed (renames by the engine)."""
    run: JobRun | None = None
    """The job run, whose router (when a model is configured) proposes rewrites of stale prose."""


def run_refresh(request: Request) -> RefreshResult:
    root = request.root
    files = doc_files(root, request.paths)
    texts = _marked(root, files)
    result = RefreshResult(sections=[], check=request.check, force=request.force, documents=len(texts))
    prose = request.since is not None or (request.run is not None and request.run.router() is not None)
    if not texts and not prose:
        return result
    api = load_api(root)
    originals = {path: (root / path).read_text("utf-8") for path in texts}
    if prose and not request.check:
        rewritten = rewrite(root, request.paths, request.since, api, request.run)
        result.rewrites = rewritten.statuses
        for path, text in rewritten.texts.items():
            originals.setdefault(path, (root / path).read_text("utf-8"))
            texts[path] = text
        if request.run is not None and request.run.router() is not None:
            result.model = request.run.model_pass(warning=rewritten.warning)
    sources = Sources(
        root=root,
        api=api,
        commands=lambda: _describe(root, api.source_root),
        settings=lambda: read_settings(api.source_root, api.packages),
    )
    patches = []
    for path, text in texts.items():
        updated = _refresh_document(path, text, sources, request, result)
        if updated != originals[path]:
            patches.append(_diff(path, originals[path], updated))
            if request.write:
                _write(root / path, updated)
                for status in result.sections:
                    if status.path == path and status.state != "current" and status.reason is None:
                        status.written = True
    result.patch = "".join(patches)
    return result


def _refresh_document(path: str, text: str, sources: Sources, request: Request, result: RefreshResult) -> str:
    parsed = markers.parse(text)
    for line, problem in parsed.problems:
        result.sections.append(SectionStatus(path=path, line=line, name="?", state="error", reason=problem))
    # From the last section up, so earlier sections keep their line numbers while later ones change.
    for section in sorted(parsed.sections, key=lambda s: s.begin, reverse=True):
        status = SectionStatus(path=path, line=section.begin + 1, name=section.name, state="current")
        result.sections.append(status)
        try:
            body = generate(section, sources)
        except GeneratorError as error:
            status.state, status.reason = "error", str(error)
            continue
        if section.hand_edited:
            status.state = "hand-edited"
            if not request.force:
                status.reason = "edited by hand since it was generated (--force regenerates it)"
                continue
        elif section.recorded is None:
            status.state = "new"
        elif section.body.strip("\n") != body:
            status.state = "outdated"
        if status.state != "current":
            text = markers.replace(text, section, body)
    result.sections.sort(key=lambda s: (s.path, s.line))
    return text


def _describe(root: Path, source_root: Path) -> dict[str, Command]:
    sandbox = sandboxed.DocsSandbox(root, source_root)
    sandbox.describe(cli_spec.entry_points(root))
    outcome = sandbox.finish()
    if outcome.cli_errors and not outcome.commands:
        raise GeneratorError("the CLI could not be described: " + "; ".join(outcome.cli_errors.values()))
    return outcome.commands


def _marked(root: Path, files: list[str]) -> dict[str, str]:
    texts = {}
    for path in files:
        try:
            text = (root / path).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # docs check reports unreadable files; refresh only touches marked ones
        if "devcopilot:begin" in text or "devcopilot:end" in text:
            texts[path] = text
    return texts


def _diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
    )


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise InputError(f"{path}: {error.strerror}") from None
