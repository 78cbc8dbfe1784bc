"""The model's review of a change, and the verification every model finding must pass before it is shown.

The change is packed into chunks within the route's token budget: each file's
hunks plus the enclosing function or class of every changed line, never
silently pruned (a clipped or skipped file is listed in the coverage). Chunks
go to the router concurrently. Then each proposed finding is checked:

- its path must be a file of the chunk it came from;
- its ``anchor`` (the code it quotes) must be in the new file at or near the
  cited line; a finding found nearby is re-anchored, one not found is dropped;
- its line must pass ``--filter``;
- a ``suggestion`` must apply and leave the file parseable, or it is removed
  from the finding;
- a finding on the same lines and category as an engine finding is merged into
  it (its suggestion may be kept), never the other way round: a model can add
  findings, and can never remove or lower one the engine made.
"""

from __future__ import annotations

import ast
import asyncio
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from devcopilot.core.budget import Chunk, TokenBudget, pack
from devcopilot.core.errors import ModelUnavailableError
from devcopilot.core.findings import Finding, visible
from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.router import Completion, ModelRouter
from devcopilot.core.verdicts import Verdicts
from devcopilot.jobs.review.files import ReviewFile
from devcopilot.jobs.review.findings import ChunkCoverage

PROMPT_ID = "review/diff"
ANCHOR_WINDOW = 5
"""How many lines away from the cited line an anchor may be found (models miscount)."""


class ModelFinding(BaseModel):
    model_config = ConfigDict(extra="allow")

    path: str
    line: int = Field(ge=1)
    end_line: int | None = Field(default=None, ge=1)
    severity: Literal["error", "warning", "info"] = "warning"
    category: Literal["bug", "security", "performance", "maintainability"] = "bug"
    message: str
    anchor: str = ""
    suggestion: str | None = None


class ModelReview(BaseModel):
    model_config = ConfigDict(extra="allow")

    findings: list[ModelFinding] = Field(default_factory=list)


@dataclass
class ModelPassOutcome:
    findings: list[Finding]
    engine_findings: list[Finding]
    coverage: list[ChunkCoverage]
    warning: str | None = None
    details: dict[str, int] = field(default_factory=dict)
    """Figures only a review has: chunks sent, suggestions removed from accepted findings."""


def build_chunks(files: Sequence[ReviewFile], budget: TokenBudget) -> tuple[list[Chunk], list[ChunkCoverage]]:
    """Pack files into chunks under the budget; a file larger than a chunk is clipped at a hunk boundary."""
    packed = pack([(file.path, _piece(file)) for file in files], budget, _clip)
    clipped = set(packed.clipped)
    coverage = [
        ChunkCoverage(path=file.path, seen="clipped", reason="over the route's token budget")
        if file.path in clipped
        else ChunkCoverage(path=file.path, seen="full")
        for file in files
    ]
    return packed.chunks, coverage


def _piece(file: ReviewFile) -> str:
    text = f"### {file.path}\n{file.changed.patch.strip()}\n"
    enclosing = _enclosing_code(file)
    if enclosing:
        text += f"\nEnclosing code of the changed lines in {file.path} (new version, with line numbers):\n"
        text += enclosing
    return text + "\n"


def _enclosing_code(file: ReviewFile) -> str:
    if file.suffix != ".py":
        return ""
    try:
        tree = ast.parse(file.text)
    except (SyntaxError, ValueError):
        return ""
    spans: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.end_lineno:
            span = (node.lineno, node.end_lineno)
            if any(span[0] <= n <= span[1] for n in file.changed.added_lines):
                spans.append(span)
    # Keep the innermost spans: a method rather than its whole class.
    innermost = [s for s in spans if not any(o != s and s[0] <= o[0] and o[1] <= s[1] for o in spans)]
    lines = file.text.splitlines()
    blocks = []
    for start, end in sorted(set(innermost)):
        blocks.append("\n".join(f"{n:>5}: {lines[n - 1]}" for n in range(start, min(end, len(lines)) + 1)))
    return "\n...\n".join(blocks) + ("\n" if blocks else "")


def _clip(piece: str, limit: int) -> str:
    """Cut at a hunk boundary when that keeps most of the budget, else at the last whole line."""
    cut = piece.rfind("\n@@", 0, limit)
    if cut < limit // 2:
        cut = piece.rfind("\n", 0, limit)
    return piece[: max(cut, 0)] + "\n[clipped: the rest of this file was over the token budget]\n"


async def _ask_all(
    router: ModelRouter, prompts: PromptRegistry, chunks: list[Chunk], engine: list[Finding], concurrency: int
) -> list[Completion[ModelReview] | ModelUnavailableError]:
    limit = asyncio.Semaphore(max(1, concurrency))

    async def ask(chunk: Chunk) -> Completion[ModelReview] | ModelUnavailableError:
        relevant = [f for f in engine if f.path in chunk.keys]
        prompt = prompts.render(PROMPT_ID, {"chunk": chunk.text, "engine_findings": relevant})
        async with limit:
            try:
                return await router.acomplete(prompt, ModelReview)
            except ModelUnavailableError as error:
                return error

    return list(await asyncio.gather(*(ask(chunk) for chunk in chunks)))


def run_model_pass(
    router: ModelRouter,
    prompts: PromptRegistry,
    files: Sequence[ReviewFile],
    engine_findings: list[Finding],
    verdicts: Verdicts,
    *,
    filter_: str,
    concurrency: int,
) -> ModelPassOutcome:
    """Ask for findings chunk by chunk; each proposal ends as one verdict in ``verdicts``."""
    chunks, coverage = build_chunks(files, TokenBudget.of(router.route))
    answers = asyncio.run(_ask_all(router, prompts, chunks, engine_findings, concurrency)) if chunks else []
    by_path = {file.path: file for file in files}
    accepted: list[Finding] = []
    engine = list(engine_findings)
    suggestions_dropped = 0
    failures: list[str] = []
    for chunk, answer in zip(chunks, answers, strict=True):
        if isinstance(answer, ModelUnavailableError):
            failures.append(str(answer))
            for path in chunk.keys:
                _mark_skipped(coverage, path, "no model could answer")
            continue
        source = f"model:{answer.model}"
        for proposal in answer.parsed.findings if answer.parsed else []:
            verdict = verify(proposal, by_path, chunk.keys, filter_, source=source)
            if isinstance(verdict, str):
                verdicts.judge(answer, "finding", proposal, "dropped", verdict)
                continue
            finding, suggestion_dropped = verdict
            suggestions_dropped += int(suggestion_dropped)
            twin = _engine_twin(finding, engine)
            if twin is None:
                verdicts.judge(answer, "finding", proposal, "accepted")
                accepted.append(finding)
                continue
            verdicts.judge(answer, "finding", proposal, "merged")
            engine[twin] = _confirmed(engine[twin], finding, answer.model)
    warning = None
    if failures:
        warning = (
            f"the model pass covered {len(chunks) - len(failures)} of {len(chunks)} chunks: {failures[0]}"
        )
    details = {"chunks": len(chunks), "suggestions_dropped": suggestions_dropped}
    return ModelPassOutcome(accepted, engine, coverage, warning, details)


def _confirmed(known: Finding, finding: Finding, model: str) -> Finding:
    """The engine's finding, confirmed by ``model``; it keeps its rule, severity and message."""
    update: dict[str, object] = {"confirmed_by": sorted({*known.confirmed_by, model})}
    if finding.suggestion and not known.suggestion:
        update["suggestion"] = finding.suggestion
    return known.model_copy(update=update)


def _mark_skipped(coverage: list[ChunkCoverage], path: str, reason: str) -> None:
    for index, entry in enumerate(coverage):
        if entry.path == path:
            coverage[index] = ChunkCoverage(path=path, seen="skipped", reason=reason)


def verify(
    proposal: ModelFinding,
    files: dict[str, ReviewFile],
    chunk_paths: Sequence[str],
    filter_: str,
    *,
    source: str,
) -> tuple[Finding, bool] | str:
    """The verified finding and whether its suggestion was removed, or the reason it is dropped."""
    path = proposal.path.strip().removeprefix("./")
    if path.startswith(("a/", "b/")) and path not in files:
        path = path[2:]
    if path not in chunk_paths or path not in files:
        return "unknown-path"
    file = files[path]
    lines = file.text.splitlines()
    anchor_lines = [line.strip() for line in proposal.anchor.splitlines() if line.strip()]
    if not anchor_lines:
        return "no-anchor"
    line = _find_anchor(lines, anchor_lines[0], proposal.line)
    if line is None:
        return "anchor-not-found"
    span = (proposal.end_line or proposal.line) - proposal.line
    end_line = min(len(lines), line + max(span, len(anchor_lines) - 1, 0))
    finding = Finding(
        path=path,
        line=line,
        end_line=end_line,
        severity=proposal.severity,
        category=proposal.category,
        rule=f"model/{proposal.category}",
        source=source,
        message=proposal.message.strip(),
        code="\n".join(lines[line - 1 : end_line]),
    )
    if not visible(finding, file.changed.added_lines, file.changed.hunk_lines, filter_):
        return "outside-filter"
    suggestion_dropped = False
    if proposal.suggestion is not None:
        if _suggestion_applies(file, lines, line, end_line, proposal.suggestion):
            finding = finding.model_copy(update={"suggestion": proposal.suggestion})
        else:
            suggestion_dropped = True
    return finding, suggestion_dropped


def _find_anchor(lines: list[str], anchor: str, cited: int) -> int | None:
    """The line nearest to ``cited`` (within the window) whose code contains the anchor's first line."""
    candidates = [
        number
        for number in range(max(1, cited - ANCHOR_WINDOW), min(len(lines), cited + ANCHOR_WINDOW) + 1)
        if anchor == lines[number - 1].strip() or (len(anchor) >= 8 and anchor in lines[number - 1])
    ]
    return min(candidates, key=lambda number: abs(number - cited)) if candidates else None


def _suggestion_applies(
    file: ReviewFile, lines: list[str], line: int, end_line: int, suggestion: str
) -> bool:
    replaced = lines[: line - 1] + suggestion.splitlines() + lines[end_line:]
    if replaced == lines:
        return False  # a "suggestion" that changes nothing is noise
    text = "\n".join(replaced) + "\n"
    suffix = PurePosixPath(file.path).suffix.lower()
    try:
        if suffix == ".py":
            ast.parse(text)
        elif suffix == ".json":
            json.loads(text)
        elif suffix in {".yaml", ".yml"}:
            list(yaml.safe_load_all(text))
        elif suffix == ".toml":
            tomllib.loads(text)
    except (SyntaxError, ValueError, yaml.YAMLError):
        return False
    return True


def _engine_twin(finding: Finding, engine: list[Finding]) -> int | None:
    for index, known in enumerate(engine):
        overlaps = known.line <= finding.end_line and finding.line <= known.end_line
        if known.path == finding.path and overlaps and known.category == finding.category:
            return index
    return None
