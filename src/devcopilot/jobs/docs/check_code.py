"""The checks that need the project running: its CLI against documented command lines, its docs' code.

Both come from the run's sandbox (``sandboxed``), started early and read at
the end. A CLI that cannot be imported or described, and every code block not
judged, are counted with the reason.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from devcopilot.jobs.docs import blocks, cli_spec, sandboxed
from devcopilot.jobs.docs.model import Block, Document

if TYPE_CHECKING:
    from devcopilot.jobs.docs.check import Context

_REFERENCE_HEADING = re.compile(r"\b(reference|usage|options|command[- ]line|cli)\b", re.IGNORECASE)


def start(context: Context, sandbox: sandboxed.DocsSandbox) -> list[tuple[str, list[Block]]]:
    """Start the documents' runnable blocks in the sandbox (the CLI is already being described)."""
    to_run: list[tuple[str, list[Block]]] = []
    for document in context.sources.documents:
        chosen, not_run = blocks.runnable(document)
        for reason, n in not_run.items():
            context.count(context.not_run, reason, n)
        if chosen and context.request.run_code:
            to_run.append((document.path, chosen))
        elif chosen:
            context.count(context.not_run, "Python blocks (not run: --no-run)", len(chosen))
    sandbox.run_blocks(to_run)
    return to_run


def finish(context: Context, sandbox: sandboxed.DocsSandbox, to_run: list[tuple[str, list[Block]]]) -> None:
    """Wait for the sandboxed work, and check the command lines and blocks against what it found."""
    outcome = sandbox.finish()
    for name, error in sorted(outcome.cli_errors.items()):
        context.count(context.not_run, f"command lines of {name} (its CLI could not be described: {error})")
    if outcome.commands:
        _command_lines(context, outcome.commands)
    _block_outcomes(context, to_run, outcome)


def _command_lines(context: Context, commands: dict[str, cli_spec.Command]) -> None:
    programs = set(commands)
    for document in context.sources.documents:
        if document.kind == "docstring":
            continue
        lines: list[tuple[int, list[str]]] = []
        for block in document.blocks:
            lines += [
                (block.line + offset, words)
                for offset, words in cli_spec.command_lines(block.text, block.language, programs)
            ]
        for line, literal in document.literals:
            lines += [(line, words) for _, words in cli_spec.command_lines(literal, "", programs)]
        for line, words in lines:
            context.count(context.checked, "command lines")
            for problem in cli_spec.problems(words, commands[words[0]]):
                shown = " ".join(problem.path)
                what = f"option {problem.word}" if problem.kind == "option" else f"command {problem.word!r}"
                context.add(
                    document,
                    line,
                    f"docs/unknown-{problem.kind}",
                    "error",
                    f"`{shown} {problem.word}`: {shown} has no {what}",
                    subject=f"{shown} {problem.word}",
                )
        _reference_sections(context, document, commands, lines)


def _reference_sections(
    context: Context,
    document: Document,
    commands: dict[str, cli_spec.Command],
    lines: list[tuple[int, list[str]]],
) -> None:
    """In a CLI reference section, each option of a command the section shows that it never mentions."""
    text = context.sources.texts.get(document.path, "").splitlines()
    for index, heading in enumerate(document.headings):
        if not _REFERENCE_HEADING.search(heading.title):
            continue
        end = next(
            (h.line for h in document.headings[index + 1 :] if h.level <= heading.level), len(text) + 1
        )
        shown = [words for line, words in lines if heading.line < line < end]
        if not shown:
            continue
        body = "\n".join(text[heading.line : end - 1])
        for words in shown[:1]:
            command = commands[words[0]]
            for option in sorted(command.options):
                if (
                    option.startswith("--")
                    and option != "--help"
                    and not re.search(re.escape(option) + r"\b", body)
                ):
                    context.add(
                        document,
                        heading.line,
                        "docs/undocumented-option",
                        "info",
                        f"`{words[0]} {option}` is not in this reference section",
                        subject=f"{words[0]} {option}",
                    )


def _block_outcomes(
    context: Context, to_run: list[tuple[str, list[Block]]], outcome: sandboxed.SandboxOutcome
) -> None:
    if outcome.blocks_problem:
        context.count(context.not_run, f"Python blocks (the run stopped: {outcome.blocks_problem})")
    documents = {d.path: d for d in context.sources.documents}
    placed = {(path, block.line): block for path, chosen in to_run for block in chosen}
    api = context.api
    for record in outcome.blocks:
        block = placed.get((str(record.get("path")), int(record.get("line") or 0)))
        document = documents.get(str(record.get("path")))
        if block is None or document is None:
            continue
        context.count(context.checked, "code blocks run")
        state, why = blocks.verdict(record, api.packages, str(api.source_root), set(api.public))
        if state == "skip":
            context.count(context.not_run, why)
        elif state == "fails":
            line = block.line + int(record.get("offset", 0) or 0)
            context.add(
                document,
                line,
                "docs/code-fails",
                "error",
                f"this example no longer runs: {why}",
                subject=f"{block.line}:{why}",
            )
