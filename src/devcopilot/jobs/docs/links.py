"""Relative links, heading anchors and ``:doc:`` targets checked offline; external URLs only when asked.

A relative link resolves when the file exists next to the document, at the
repository's root or under the documentation's root, with or without the
extension a site generator drops (``advanced/clients`` for
``advanced/clients.md``, ``page.html`` for ``page.rst``). An anchor resolves
when the target document has a heading or an explicit id that slugs to it.
External URLs are fetched only with ``--links``; a rate limit, a timeout, a
refusal or a server error is ``unknown``, never ``broken``: only 404 and 410
say a page is gone.
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote, urlsplit

from devcopilot.jobs.docs.model import Document, Link

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_TEMPLATED = re.compile(r"[{}<>$]|\{\{")
_ALTERNATES = ("", ".md", ".rst", ".markdown", "/index.md", "/index.rst", "/README.md")
LinkState = Literal["ok", "broken", "unknown"]
GONE = frozenset({404, 410})
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class BrokenLink:
    document: Document
    link: Link
    reason: str


def check_relative(
    root: Path, documents: list[Document], anchors_of: Callable[[str], set[str] | None]
) -> list[BrokenLink]:
    """Every relative link, ``:doc:`` target and fragment that names nothing, offline."""
    broken: list[BrokenLink] = []
    doc_roots = _doc_roots(root, documents)
    for document in documents:
        if document.kind == "docstring":
            continue
        for link in document.links:
            reason = _relative_problem(root, doc_roots, document, link.target, anchors_of)
            if reason:
                broken.append(BrokenLink(document, link, reason))
    return broken


def external(documents: list[Document]) -> list[tuple[Document, Link]]:
    return [
        (d, link) for d in documents for link in d.links if link.target.startswith(("http://", "https://"))
    ]


def fetch_states(urls: list[str], *, timeout: float = TIMEOUT_S) -> dict[str, tuple[LinkState, str]]:
    """Each URL's state and why, fetched a few at a time (HEAD, then GET where HEAD is refused)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(urls, pool.map(lambda url: _fetch(url, timeout), urls), strict=True))


def _fetch(url: str, timeout: float) -> tuple[LinkState, str]:
    for method in ("HEAD", "GET"):
        # Only http(s) URLs reach here (``external`` picks them by scheme).
        headers = {"User-Agent": "devcopilot-docs-check"}
        request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return "ok", f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            if error.code in (405, 501) and method == "HEAD":
                continue
            if error.code in GONE:
                return "broken", f"HTTP {error.code}"
            return "unknown", f"HTTP {error.code}"
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            return "unknown", f"not reached ({getattr(error, 'reason', error)})"
    return "unknown", "not reached"


def _relative_problem(
    root: Path,
    doc_roots: list[Path],
    document: Document,
    target: str,
    anchors_of: Callable[[str], set[str] | None],
) -> str | None:
    if target.startswith("doc:"):
        name = target[4:]
        bases = doc_roots if name.startswith("/") else [(root / document.path).parent, *doc_roots]
        if any(_existing(base / name.lstrip("/")) for base in bases):
            return None
        return f":doc: target {name} does not exist"
    if _SCHEME.match(target) or target.startswith("//") or _TEMPLATED.search(target):
        return None
    parts = urlsplit(target)
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    if not path:
        if fragment and fragment not in document.anchors and fragment.lower() not in document.anchors:
            return f"no heading or id #{fragment} in this document"
        return None
    here = (root / document.path).parent
    # A site that serves page.md at page/ (MkDocs' directory URLs) reads relative links from there.
    served_at = here / PurePosixPath(document.path).stem
    bases = [root, *doc_roots] if path.startswith("/") else [here, served_at]
    found = next((hit for base in bases if (hit := _existing(base / path.lstrip("/")))), None)
    if found is None:
        return f"{path} does not exist"
    if fragment and found.is_file() and found.suffix.lower() in (".md", ".markdown"):
        anchors = anchors_of(found.resolve().relative_to(root.resolve()).as_posix())
        if anchors is not None and fragment not in anchors and fragment.lower() not in anchors:
            return f"{path} has no heading or id #{fragment}"
    return None


def _existing(candidate: Path) -> Path | None:
    text = os.path.normpath(candidate)
    tries = [text + suffix for suffix in _ALTERNATES]
    if candidate.suffix in (".html", ".htm"):
        stem = os.path.normpath(candidate.with_suffix(""))
        tries += [stem + ".md", stem + ".rst", stem + "/index.md"]
    for attempt in tries:
        if Path(attempt).exists():
            return Path(attempt)
    return None


def _doc_roots(root: Path, documents: list[Document]) -> list[Path]:
    """The folders documentation sites are built from: ``docs/``-like folders that hold documents."""
    tops = {PurePosixPath(d.path).parts[0] for d in documents if len(PurePosixPath(d.path).parts) > 1}
    return [root / top for top in sorted(tops) if top.lower() in {"docs", "doc", "documentation", "site-src"}]
