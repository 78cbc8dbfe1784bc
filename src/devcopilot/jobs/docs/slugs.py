"""The fragments a heading answers to, under the two slug rules Markdown sites use.

GitHub keeps every space as a hyphen and keeps underscores; Python-Markdown's
``toc`` (MkDocs) folds runs of spaces and hyphens into one. A link is right if
either renderer would find it, so both are accepted, duplicates numbered as
each numbers them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Literal

_MARKUP = re.compile(r"`|\*+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])|~~|\{[^}]*\}|<[^>]+>|\[([^\]]*)\]\([^)]*\)")


def heading_anchors(titles: list[str], *, style: Literal["markdown", "rst"]) -> set[str]:
    anchors: set[str] = set()
    seen: dict[str, Counter[str]] = {"github": Counter(), "toc": Counter()}
    for title in titles:
        plain = _MARKUP.sub(lambda m: m.group(1) or "", title).strip()
        for rule, slug in (("github", _github(plain)), ("toc", _toc(plain))):
            count = seen[rule][slug]
            seen[rule][slug] += 1
            anchors.add(slug if not count else f"{slug}{'-' if rule == 'github' else '_'}{count}")
    if style == "rst":
        anchors |= {re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-") for t in titles}
    return anchors


def _github(title: str) -> str:
    text = title.lower()
    text = "".join(c for c in text if c.isalnum() or c in "-_ " or unicodedata.category(c).startswith("M"))
    return text.replace(" ", "-")


def _toc(title: str) -> str:
    text = unicodedata.normalize("NFKD", title)
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)
