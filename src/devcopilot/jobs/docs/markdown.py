"""Markdown (CommonMark, GitHub tables, MyST roles and directives, mkdocstrings) read into a ``Document``.

markdown-it-py does the parsing, so code spans, fences and links are what a
renderer would see (a backtick in a fence is not a code span). Inline tokens
carry no line numbers; a paragraph's line is its block's first line plus the
line breaks before the token.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

from devcopilot.jobs.docs import rst
from devcopilot.jobs.docs.history_words import past_spans, within
from devcopilot.jobs.docs.model import Block, Document, Heading, Link, Reference
from devcopilot.jobs.docs.slugs import heading_anchors

if TYPE_CHECKING:
    from markdown_it.token import Token

_MYST_ROLE = re.compile(r"\{(?:py:)?([a-z]+)\}$")
_MKDOCSTRINGS = re.compile(r"^:::\s+([A-Za-z_][\w.]*)\s*$")
_EXPLICIT_ID = re.compile(r"""(?:<a\s+(?:name|id)=["']([^"']+)["']|\{#([\w:.-]+)\}|^\(([\w:.-]+)\)=\s*$)""")
_FENCE_DIRECTIVE = re.compile(r"^\{([\w:-]+)\}\s*(.*)$")
CONTEXT_DIRECTIVES = frozenset({"currentmodule", "py:currentmodule", "module", "py:module"})


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def read(path: str, text: str) -> Document:
    document = Document(path=path, kind="markdown")
    tokens = _parser().parse(text)
    context: list[str | None] = [None]
    lines = text.splitlines()
    table: int | None = None
    for index, token in enumerate(tokens):
        start = (token.map[0] + 1) if token.map else 1
        if token.type in ("table_open", "table_close"):
            table = start if token.type == "table_open" else None
        elif token.type == "fence":
            _fence(document, token, start, context)
        elif token.type == "code_block":
            document.blocks.append(Block(start, "", token.content))
        elif token.type == "heading_open":
            title = tokens[index + 1].content
            document.headings.append(Heading(start, int(token.tag[1:]), title))
        elif token.type == "inline":
            _inline(document, token, start, context[0], table)
            for match in _MKDOCSTRINGS.finditer(token.content):
                document.references.append(Reference(start, match.group(1), "mkdocstrings"))
        elif token.type == "html_block":
            _ids(document, token.content)
    for line in lines:
        _ids(document, line)
    document.anchors |= heading_anchors([h.title for h in document.headings], style="markdown")
    return document


def _fence(document: Document, token: Token, start: int, context: list[str | None]) -> None:
    info = token.info.strip()
    directive = _FENCE_DIRECTIVE.match(info)
    if directive is None:
        document.blocks.append(Block(start + 1, info.split()[0].lower() if info else "", token.content))
        return
    name, argument = directive.group(1), directive.group(2).strip()
    if name in CONTEXT_DIRECTIVES:
        context[0] = (argument or token.content.strip()) or None
    elif name == "eval-rst":
        inner = rst.read(document.path, token.content, first_line=start + 1, context=context[0])
        document.references += inner.references
        document.blocks += inner.blocks
        document.links += inner.links
        context[0] = inner.final_context or context[0]
    elif name in {"code-block", "code", "sourcecode", "code-cell"}:
        body = "\n".join(line for line in token.content.splitlines() if not line.startswith(":"))
        document.blocks.append(Block(start + 1, argument.lower(), body))
    elif name.startswith(("auto", "py:")):
        target = argument.split("(")[0].strip()
        if target:
            document.references.append(Reference(start, target, "directive", context[0]))


def _inline(document: Document, token: Token, start: int, context: str | None, table: int | None) -> None:
    children = token.children or []
    line = start
    previous_text = ""
    flat = ""  # the paragraph as plain text so far: where a code span sits decides its sentence
    spans: list[tuple[int, int, str]] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
            flat += " "
        elif child.type == "text":
            previous_text = child.content
            flat += child.content
            continue
        elif child.type == "code_inline":
            role = _MYST_ROLE.search(previous_text)
            spans.append((len(flat), line, role.group(1) if role else ""))
            flat += f"`{child.content}`"
            if role:
                _doc_role(document, role.group(1), child.content, line)
            else:
                document.literals.append((line, child.content))
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if href:
                document.links.append(Link(line, href))
        elif child.type == "image":
            src = str(child.attrGet("src") or "")
            if src:
                document.links.append(Link(line, src))
        previous_text = ""
    codes = [c for c in children if c.type == "code_inline"]
    _place_references(document, codes, spans, flat, (context, table))


def _place_references(
    document: Document,
    codes: list[Token],
    spans: list[tuple[int, int, str]],
    flat: str,
    where: tuple[str | None, int | None],
) -> None:
    """Each code span a reference, marked historical when its own sentence talks about the past."""
    context, table = where
    past = past_spans(flat)
    for code, (position, line, role) in zip(codes, spans, strict=True):
        historical = within(past, position)
        if role in rst.PYTHON_ROLES:
            target = rst.role_target(code.content)
            document.references.append(Reference(line, target, "role", context, historical))
        elif not role:
            document.references.append(Reference(line, code.content, "literal", context, historical, table))


def _doc_role(document: Document, role: str, content: str, line: int) -> None:
    if role == "doc":
        document.links.append(Link(line, "doc:" + rst.role_target(content)))


def _ids(document: Document, text: str) -> None:
    for match in _EXPLICIT_ID.finditer(text):
        document.anchors.add(next(group for group in match.groups() if group))
