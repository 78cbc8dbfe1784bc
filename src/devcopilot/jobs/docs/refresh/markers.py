"""Marked sections in Markdown and reStructuredText, and the checksum that catches a hand edit.

Markdown::

    <!-- devcopilot:begin cli prog=tool -->
    ...generated...
    <!-- devcopilot:end cli sha256:0123456789ab -->

reStructuredText uses comments: ``.. devcopilot:begin cli prog=tool`` and
``.. devcopilot:end cli sha256:...``. The end marker carries the first 12 hex
digits of the SHA-256 of what was generated, as cog does: when the body no
longer has that checksum, a person edited it, and it is reported rather than
overwritten (unless ``--force``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

_BEGIN = (
    re.compile(r"^\s*<!--\s*devcopilot:begin\s+([\w-]+)((?:\s+[\w-]+=\S+)*)\s*-->\s*$"),
    re.compile(r"^\.\.\s+devcopilot:begin\s+([\w-]+)((?:\s+[\w-]+=\S+)*)\s*$"),
)
_END = (
    re.compile(r"^\s*<!--\s*devcopilot:end\s+([\w-]+)(?:\s+sha256:([0-9a-f]+))?\s*-->\s*$"),
    re.compile(r"^\.\.\s+devcopilot:end\s+([\w-]+)(?:\s+sha256:([0-9a-f]+))?\s*$"),
)
CHECKSUM_DIGITS = 12
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Section:
    name: str
    options: dict[str, str]
    begin: int
    """The 0-based index of the begin marker's line."""
    end: int
    """The 0-based index of the end marker's line."""
    body: str
    recorded: str | None
    style: str
    """``markdown`` or ``rst``: how the end marker is written back."""

    @property
    def hand_edited(self) -> bool:
        return self.recorded is not None and checksum(self.body) != self.recorded


@dataclass
class Parsed:
    sections: list[Section] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    """1-based line and what is wrong with the markers there."""


def checksum(body: str) -> str:
    return hashlib.sha256(body.strip("\n").encode("utf-8")).hexdigest()[:CHECKSUM_DIGITS]


def parse(text: str) -> Parsed:
    parsed = Parsed()
    lines = text.splitlines()
    open_at: tuple[int, str, dict[str, str], int] | None = None
    fence: str | None = None
    for index, line in enumerate(lines):
        opener = _FENCE.match(line)
        if opener and (
            fence is None or (opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence))
        ):
            fence = None if fence else opener.group(1)
            continue
        if fence:
            continue  # an example of the markers, shown in a code block, is not a section
        for style, (begin, end) in enumerate(zip(_BEGIN, _END, strict=True)):
            if match := begin.match(line):
                if open_at is not None:
                    parsed.problems.append(
                        (index + 1, f"section {match.group(1)!r} begins inside {open_at[1]!r}")
                    )
                options = dict(part.split("=", 1) for part in match.group(2).split())
                open_at = (index, match.group(1), options, style)
            elif match := end.match(line):
                if open_at is None or open_at[1] != match.group(1):
                    parsed.problems.append(
                        (index + 1, f"end of section {match.group(1)!r} that was not begun")
                    )
                    continue
                start, name, options, begun_style = open_at
                body = "\n".join(lines[start + 1 : index])
                kind = "rst" if begun_style else "markdown"
                parsed.sections.append(Section(name, options, start, index, body, match.group(2), kind))
                open_at = None
    if open_at is not None:
        parsed.problems.append((open_at[0] + 1, f"section {open_at[1]!r} has no end marker"))
    return parsed


def end_marker(section: Section, body: str) -> str:
    if section.style == "rst":
        return f".. devcopilot:end {section.name} sha256:{checksum(body)}"
    return f"<!-- devcopilot:end {section.name} sha256:{checksum(body)} -->"


def replace(text: str, section: Section, body: str) -> str:
    """``text`` with the section's body replaced and its checksum recorded; the rest byte for byte."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    content = [line + newline for line in body.strip("\n").split("\n")] if body.strip("\n") else []
    ending = lines[section.end][len(lines[section.end].rstrip("\r\n")) :] or newline
    return "".join(
        [*lines[: section.begin + 1], *content, end_marker(section, body) + ending, *lines[section.end + 1 :]]
    )
