"""reStructuredText (and the RST in docstrings) read into a ``Document``.

A deliberate small scanner rather than docutils: docutils reports Sphinx's
roles and directives (``:func:``, ``autoclass``, ``currentmodule``) as errors
unless Sphinx itself is loaded and configured, and keeps no line for inline
text. The parts read here are the lexical ones reStructuredText defines
exactly: ``:role:`target``` spans, double-backtick literals, ``.. name::``
directives with their indented bodies, ``>>>`` doctest blocks, section
underlines and ``\\`text <target>\\`_`` links.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from devcopilot.jobs.docs.history_words import past_spans, within
from devcopilot.jobs.docs.model import Block, Document, Heading, Link, Reference
from devcopilot.jobs.docs.slugs import heading_anchors

PYTHON_ROLES = frozenset({"func", "class", "meth", "mod", "attr", "exc", "data", "obj", "const", "type"})
_ROLE = re.compile(r":(?:py:)?([a-z]+):`([^`]+)`")
_LITERAL = re.compile(r"(?<!`)``([^`]+?)``(?!`)")
_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([\w:-]+)::\s*(.*)$")
_LINK = re.compile(r"`[^`<]*<([^>]+)>`__?")
_UNDERLINE = re.compile(r"^([=\-`:'\"~^_*+#<>])\1{2,}\s*$")
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "doctest", "testcode"})
CONTEXT_DIRECTIVES = frozenset({"currentmodule", "module", "py:currentmodule", "py:module"})
PAST_DIRECTIVES = frozenset({"deprecated", "versionchanged", "versionremoved", "versionadded"})


@dataclass
class RstDocument(Document):
    final_context: str | None = None
    """The module a ``currentmodule`` left in force at the end (for the Markdown around embedded RST)."""


def role_target(content: str) -> str:
    """``~pkg.Name``, ``!Name``, ``title <pkg.Name>`` to ``pkg.Name``."""
    content = content.strip()
    inner = re.search(r"<([^>]+)>\s*$", content)
    if inner:
        content = inner.group(1)
    return content.lstrip("~!.").removesuffix("()").strip()


def read(path: str, text: str, *, first_line: int = 1, context: str | None = None) -> RstDocument:
    document = RstDocument(path=path, kind="rst")
    lines = text.splitlines()
    index = 0
    past_until_indent: int | None = None
    paragraph: tuple[int, list[tuple[int, int]]] = (0, [])
    """Where the current paragraph starts (as text), and its sentences about the past."""
    while index < len(lines):
        raw = lines[index]
        number = first_line + index
        indent = len(raw) - len(raw.lstrip())
        if past_until_indent is not None and raw.strip() and indent <= past_until_indent:
            past_until_indent = None
        if raw.strip() and (index == 0 or not lines[index - 1].strip()):
            paragraph = (index, past_spans(_paragraph(lines, index)))
        directive = _DIRECTIVE.match(raw)
        if directive:
            name, argument = directive.group(2), directive.group(3).strip()
            body_start, body = _body(lines, index + 1, len(directive.group(1)))
            if name in CONTEXT_DIRECTIVES:
                context = argument or context
            elif name in CODE_DIRECTIVES:
                language = "pycon" if name == "doctest" else ("python" if name == "testcode" else argument)
                document.blocks.append(Block(first_line + body_start, language.lower(), body))
                index = body_start + len(body.splitlines())
                continue
            elif name in PAST_DIRECTIVES:
                past_until_indent = len(directive.group(1))
            elif name.startswith(("auto", "py:")) and argument:
                target = argument.split("(")[0].strip()
                document.references.append(Reference(number, target, "directive", context))
        elif raw.lstrip().startswith(">>>"):
            end = index
            while end < len(lines) and lines[end].strip():
                end += 1
            document.blocks.append(Block(number, "pycon", _dedent(lines[index:end])))
            index = end
            continue
        elif _is_title(lines, index):
            document.headings.append(Heading(number, 1, raw.strip()))
        offset = sum(len(line) + 1 for line in lines[paragraph[0] : index])
        _inline(document, raw, number, context, (offset, paragraph[1], past_until_indent is not None))
        index += 1
        if raw.rstrip().endswith("::") and not directive:
            # A literal block: Sphinx highlights it as the default language, Python.
            body_start, body = _body(lines, index, indent)
            if body:
                language = "pycon" if body.lstrip().startswith(">>>") else ""
                document.blocks.append(Block(first_line + body_start, language, body))
                index = body_start + len(body.splitlines())
    document.anchors |= heading_anchors([h.title for h in document.headings], style="rst")
    document.final_context = context
    return document


def _inline(
    document: Document,
    raw: str,
    number: int,
    context: str | None,
    past: tuple[int, list[tuple[int, int]], bool],
) -> None:
    """``past``: the line's offset in its paragraph, the paragraph's past sentences, and whether a
    ``deprecated``-like directive encloses it."""
    offset, spans, enclosed = past
    for role in _ROLE.finditer(raw):
        name, content = role.group(1), role.group(2)
        historical = enclosed or within(spans, offset + role.start())
        if name == "doc":
            document.links.append(Link(number, "doc:" + role_target(content)))
        elif name in PYTHON_ROLES:
            document.references.append(Reference(number, role_target(content), "role", context, historical))
    for literal in _LITERAL.finditer(raw):
        if any(role.start() <= literal.start() < role.end() for role in _ROLE.finditer(raw)):
            continue
        historical = enclosed or within(spans, offset + literal.start())
        document.literals.append((number, literal.group(1)))
        document.references.append(Reference(number, literal.group(1), "literal", context, historical))
    for link in _LINK.finditer(raw):
        document.links.append(Link(number, link.group(1).strip()))


def _is_title(lines: list[str], index: int) -> bool:
    """A line underlined by a run of one punctuation character at least as long as it."""
    raw = lines[index]
    if not raw.strip() or index + 1 >= len(lines) or not _UNDERLINE.match(lines[index + 1]):
        return False
    return len(lines[index + 1].rstrip()) >= len(raw.rstrip())


def _paragraph(lines: list[str], start: int) -> str:
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return "\n".join(lines[start:end])


def _body(lines: list[str], start: int, indent: int) -> tuple[int, str]:
    """A directive's indented content (options like ``:linenos:`` left out), and where it starts."""
    index = start
    while index < len(lines) and (not lines[index].strip() or lines[index].strip().startswith(":")):
        if lines[index].strip() and len(lines[index]) - len(lines[index].lstrip()) <= indent:
            return index, ""
        index += 1
    body_start = index
    while index < len(lines) and (
        not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > indent
    ):
        index += 1
    while index > body_start and not lines[index - 1].strip():
        index -= 1
    return body_start, _dedent(lines[body_start:index])


def _dedent(lines: list[str]) -> str:
    return textwrap.dedent("\n".join(lines))
