"""Stale paragraphs rewritten, and every rewrite checked before it can reach a file.

A paragraph is stale when ``docs check --since REF`` flags a name in it that
the change removed. The engine rewrites only the mechanical case: the change
renamed the name (``since.Change.renames``), so the new name replaces the old
one inside code spans, roles and code, nowhere else. A model may propose
rewrites for the rest. Every rewrite, the engine's included, is kept only if:

- it touches no generated section;
- the stale name is gone and every name the paragraph cites resolves;
- no other name the paragraph cited is lost;
- it changes only the sentences (or code lines) that held the stale name;
- code it touches still parses;
- it stays within a bounded size of the original.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass

from devcopilot.jobs.docs import code_names, markdown, resolve, rst
from devcopilot.jobs.docs.api import Api
from devcopilot.jobs.docs.model import Block

_FENCE = re.compile(r"^\s*(```|~~~)")
_SPAN = re.compile(r"(:[\w:]+:)?(`+)([^`]+?)\2")
MAX_GROWTH = 1.5
MAX_EXTRA_CHARS = 120


@dataclass(frozen=True)
class Paragraph:
    path: str
    start: int
    """0-based index of its first line."""
    end: int
    """0-based index one past its last line."""
    text: str
    in_code: bool
    style: str
    """``markdown`` or ``rst``."""
    stale: str
    """The full name the change removed."""
    line: int
    """The 1-based line that cites it."""


def paragraph_at(path: str, lines: list[str], line: int, stale: str, style: str) -> Paragraph:
    """The paragraph holding 1-based ``line``: blank-line delimited, never crossing a fence."""
    fences = [i for i, text in enumerate(lines) if _FENCE.match(text)]
    index = line - 1
    inside = sum(1 for f in fences if f < index) % 2 == 1
    start = index
    while start > 0 and lines[start - 1].strip() and (start - 1) not in fences:
        start -= 1
    end = index + 1
    while end < len(lines) and lines[end].strip() and end not in fences:
        end += 1
    return Paragraph(path, start, end, "\n".join(lines[start:end]), inside, style, stale, line)


def mechanical(paragraph: Paragraph, new: str) -> str:
    """The paragraph with the removed name replaced by ``new`` wherever it is written as code."""
    old_parts, new_parts = paragraph.stale.split("."), new.split(".")
    pairs = [(paragraph.stale, new), (old_parts[-1], new_parts[-1])]
    if len(old_parts) > 2:
        pairs.insert(1, (".".join(old_parts[-2:]), ".".join(new_parts[-2:])))
    pairs.insert(1, (f"{old_parts[0]}.{old_parts[-1]}", f"{new_parts[0]}.{new_parts[-1]}"))

    def swap(code: str) -> str:
        for old, replacement in pairs:
            code = re.sub(rf"(?<![\w]){re.escape(old)}(?![\w])", replacement, code)
        return code

    if paragraph.in_code:
        return swap(paragraph.text)
    return _SPAN.sub(
        lambda m: f"{m.group(1) or ''}{m.group(2)}{swap(m.group(3))}{m.group(2)}", paragraph.text
    )


def problem(paragraph: Paragraph, rewritten: str, api: Api, generated: list[range]) -> str | None:
    """Why a rewrite may not be kept, or ``None`` when it passes every check."""
    if any(line in section for section in generated for line in range(paragraph.start, paragraph.end)):
        return "generated-section"
    if not rewritten.strip() or rewritten.strip() == paragraph.text.strip():
        return "no-change"
    if len(rewritten) > len(paragraph.text) * MAX_GROWTH + MAX_EXTRA_CHARS:
        return "too-long"
    if paragraph.in_code and _parses(paragraph.text) and not _parses(rewritten):
        return "does-not-parse"
    before, after = names(paragraph, paragraph.text, api), names(paragraph, rewritten, api)
    short = paragraph.stale.rsplit(".", 1)[-1]
    if any(
        n == paragraph.stale or (n.rsplit(".", 1)[-1] == short and api.lookup(n) == "missing") for n in after
    ):
        return "still-stale"
    stale_forms = {n for n in before if n.rsplit(".", 1)[-1] == short}
    if before - stale_forms - after:
        return "lost-reference"
    if any(not resolve.resolves(name, api) for name in after - before):
        return "unresolved"
    if not _changes_only_stale_sentences(paragraph, rewritten, short):
        return "changed-elsewhere"
    return None


def names(paragraph: Paragraph, text: str, api: Api) -> set[str]:
    """The names a paragraph cites, as docs check reads them."""
    if paragraph.in_code:
        references = code_names.references(Block(1, "python", text), api.packages)
    elif paragraph.style == "rst":
        references = rst.read(paragraph.path, text).references
    else:
        references = markdown.read(paragraph.path, text).references
    return {name for r in references if (name := resolve.clean(r.target)) is not None}


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _changes_only_stale_sentences(paragraph: Paragraph, rewritten: str, short: str) -> bool:
    """Every change falls in a sentence (or, in code, a line) that named the stale name."""
    old = paragraph.text
    if paragraph.in_code:
        allowed = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*" + re.escape(short) + r"[^\n]*", old)]
    else:
        allowed = [span for span in _sentences(old) if short in old[span[0] : span[1]]]
    matcher = difflib.SequenceMatcher(None, old, rewritten, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal" and not any(start <= i1 and i2 <= end + 1 for start, end in allowed):
            return False
    return True


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in [*re.finditer(r"(?<=[.!?;:])\s+(?=\S)", text), None]:
        end = match.start() if match else len(text)
        spans.append((start, end))
        start = match.end() if match else len(text)
    return spans
