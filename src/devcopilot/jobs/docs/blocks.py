"""Documentation code run in core's sandbox, and what each outcome means for the reader.

Python blocks that parse and doctests (Markdown ``pycon`` fences, ``>>>``
paragraphs, docstrings) run in document order, one namespace per document,
each with a timer, with no network and no writes outside the copy. A block
is reported only when its failure is the project's: it imports or names
something the project lacks, the project's own code raised, an assertion or
a doctest's printed output no longer holds. A block that needs the network,
another package, input, or names defined elsewhere is skipped with that
reason, counted. Shell sessions and other languages are skipped and counted.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from typing import Any

from devcopilot.jobs.docs.model import Block, Document

PYTHON = frozenset({"python", "py", "python3", "py3", "pycon", "python-repl", "doctest", "pytb"})
BLOCK_TIMEOUT_S = 3.0
_NAMED = re.compile(r"'([A-Za-z_][\w.]*)'")
_CALLED = re.compile(r"^([A-Za-z_][\w.]*)\(\) (?:got an unexpected|missing \d+ required|takes \d+)")


@dataclass(frozen=True)
class Failure:
    document: Document
    block: Block
    message: str


def runnable(document: Document) -> tuple[list[Block], dict[str, int]]:
    """The blocks to run, and the others counted by why they are not run."""
    chosen: list[Block] = []
    not_run: dict[str, int] = {}
    for block in document.blocks:
        language = block.language
        if language in PYTHON or (language == "" and block.text.lstrip().startswith(">>>")):
            if language in ("pytb",):
                continue
            if block.text.lstrip().startswith(">>>") or language in ("pycon", "python-repl", "doctest"):
                chosen.append(Block(block.line, "pycon", block.text))
                continue
            if parsed(block.text) is None:
                reason = "Python blocks that are fragments (do not parse)"
                not_run[reason] = not_run.get(reason, 0) + 1
                continue
            chosen.append(Block(block.line, "python", block.text))
        else:
            reason = f"{language or 'unlabelled'} blocks (not Python)"
            not_run[reason] = not_run.get(reason, 0) + 1
    return chosen, not_run


@functools.lru_cache(maxsize=4096)
def parsed(source: str) -> ast.Module | None:
    """The block parsed once per run, whoever asks (the name reader and the runner both do)."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def verdict(
    record: dict[str, Any], packages: tuple[str, ...], source_root: str, public: set[str]
) -> tuple[str, str]:
    """``("fails", message)`` for the project's failure, else ``("skip", reason)`` or ``("ok", "")``."""
    outcome = record.get("outcome")
    if outcome == "ok":
        return "ok", ""
    if outcome == "timeout":
        return "skip", f"blocks that did not finish in {BLOCK_TIMEOUT_S:g} s"
    if outcome == "sandbox":
        return "skip", "blocks that need the network, other processes or files outside the project"
    if outcome == "mismatch":
        expected = str(record.get("expected", "")).strip()
        if "0x" in expected or "Traceback" in expected:
            return "skip", "doctests whose output differs run to run"
        got = str(record.get("got", "")).strip().splitlines()[:1]
        return (
            "fails",
            f"the doctest prints {(got or [''])[0]!r}, the documentation shows {expected.splitlines()[0]!r}",
        )
    error = str(record.get("error", ""))
    kind = str(record.get("type", ""))
    files = [str(f) for f in record.get("files", [])]
    module = str(record.get("module") or "")
    if (
        kind in ("ModuleNotFoundError", "ImportError")
        and module
        and module.split(".", maxsplit=1)[0] not in packages
    ):
        return "skip", f"blocks that need a package not installed here ({module.split('.', maxsplit=1)[0]})"
    if kind in ("SyntaxError", "IndentationError"):
        return "skip", "doctests whose examples are fragments (do not parse)"
    if kind == "EOFError":
        return "skip", "blocks that read input"
    names_project = any(_mentions(error, package) for package in packages) or any(
        name.split(".")[0] in public for name in _NAMED.findall(error.partition(" has no attribute ")[0])
    )
    raised_in_project = bool(files) and files[-1].startswith(source_root)
    if kind in ("ImportError", "ModuleNotFoundError", "AttributeError") and names_project:
        return "fails", error
    called = _CALLED.match(error.removeprefix("TypeError: "))
    if kind == "TypeError" and (raised_in_project or (called and called.group(1).split(".")[0] in public)):
        return "fails", error
    if kind == "AssertionError" and not raised_in_project:
        return "fails", error or "AssertionError"
    if kind == "NameError":
        return "skip", "blocks that use names defined elsewhere"
    return "skip", f"blocks that fail outside the project's code ({kind})"


def _mentions(error: str, package: str) -> bool:
    return (
        any(name.split(".")[0] == package for name in _NAMED.findall(error)) or f"module '{package}" in error
    )
