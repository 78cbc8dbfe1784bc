"""What a document says about the code, as the readers find it: references, code blocks, links, headings.

Every reader (Markdown, reStructuredText, docstrings) produces the same
``Document``, so the checks never care which syntax a sentence was written in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ReferenceForm = Literal["role", "literal", "directive", "mkdocstrings"]
"""How a name is written: a Sphinx/MyST role, a backticked literal, an autodoc directive, ``::: name``."""


@dataclass(frozen=True)
class Reference:
    line: int
    target: str
    """The name as written, with role decorations (``~``, ``!``, a title) removed."""
    form: ReferenceForm
    context: str | None = None
    """The module a relative name is read in (``currentmodule``, or the docstring's module)."""
    historical: bool = False
    """Written where the text talks about the past (deprecated, removed, renamed): not a claim about today."""
    table: int | None = None
    """The Markdown table it sits in (its first line), if any: a table of field names is judged as one."""


@dataclass(frozen=True)
class Block:
    line: int
    """The line of the block's first content line."""
    language: str
    """``python``, ``pycon`` (a doctest), ``shell``, ``toml``, ... or ``""`` when the author named none."""
    text: str


@dataclass(frozen=True)
class Link:
    line: int
    target: str


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    title: str


@dataclass
class Document:
    path: str
    """Relative to the repository root, with ``/``."""
    kind: Literal["markdown", "rst", "docstring"]
    references: list[Reference] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    """Every fragment a link may name: heading slugs (both common slug rules) and explicit ids."""
    literals: list[tuple[int, str]] = field(default_factory=list)
    """Every inline code span, by line: where commands and settings are mentioned in prose."""

    def section_of(self, line: int) -> Heading | None:
        """The heading a line sits under."""
        found = None
        for heading in self.headings:
            if heading.line > line:
                break
            found = heading
        return found
