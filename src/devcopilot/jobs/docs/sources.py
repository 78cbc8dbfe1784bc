"""Which files are documentation, and reading them into ``Document`` objects without ever failing.

Documentation is every Markdown and reStructuredText file git tracks (or, outside
git, every one not under a build or environment folder), and the docstrings of
the project's own code. A file that is binary or not UTF-8 is skipped with its
reason; histories (changelogs, upgrade guides) are skipped whole, counted.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from devcopilot.core.errors import InputError
from devcopilot.core.git import git
from devcopilot.jobs.docs import markdown, rst
from devcopilot.jobs.docs.api import Docstring
from devcopilot.jobs.docs.history_words import is_history_file
from devcopilot.jobs.docs.model import Document

MARKDOWN = frozenset({".md", ".markdown", ".mdown"})
RST = frozenset({".rst", ".rest"})
SKIPPED_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        ".venv",
        "venv",
        "env",
        "build",
        "dist",
        "site",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        "_build",
        "vendor",
    }
)
MAX_BYTES = 4 * 1024 * 1024
_MAY_CITE = re.compile(r"`|>>>|::|\.\. ")


@dataclass
class Sources:
    documents: list[Document] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    """Path to the reason it was not read."""


def doc_files(root: Path, paths: list[str]) -> list[str]:
    """Repository-relative paths of the documentation files named, or found under the folders named."""
    chosen: list[str] = []
    for given in paths or ["."]:
        target = Path(given) if Path(given).is_absolute() else root / given
        if not target.exists():
            raise InputError(f"{given}: no such file or folder")
        if target.is_file():
            chosen.append(_relative(root, target))
            continue
        chosen += [p for p in _listed(root, target) if Path(p).suffix.lower() in MARKDOWN | RST]
    return sorted(dict.fromkeys(chosen))


def read_sources(root: Path, files: list[str], docstrings: list[Docstring]) -> Sources:
    sources = Sources()
    for path in files:
        if is_history_file(path):
            sources.skipped[path] = "a changelog or upgrade guide: it names old code on purpose"
            continue
        text, reason = _text(root / path)
        if text is None:
            sources.skipped[path] = reason
            continue
        sources.texts[path] = text
        suffix = Path(path).suffix.lower()
        if suffix in RST:
            sources.documents.append(rst.read(path, text))
        elif suffix in MARKDOWN or not suffix:
            sources.documents.append(markdown.read(path, text))
        else:
            sources.skipped[path] = f"not Markdown or reStructuredText ({suffix})"
    for docstring in docstrings:
        if not _MAY_CITE.search(docstring.text):
            continue  # most docstrings are plain prose: nothing a reader would find
        document = rst.read(
            docstring.path, docstring.text, first_line=docstring.line, context=docstring.context
        )
        document.kind = "docstring"
        sources.documents.append(document)
    return sources


def _text(path: Path) -> tuple[str | None, str]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, f"cannot be read ({error.strerror})"
    if len(data) > MAX_BYTES:
        return None, f"larger than {MAX_BYTES // (1024 * 1024)} MB"
    if b"\0" in data[:8192]:
        return None, "a binary file with a documentation extension"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 (byte {error.start})"


def _listed(root: Path, folder: Path) -> list[str]:
    listed = git(
        root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", str(folder), check=False
    )
    if listed.returncode == 0:
        return [
            os.fsdecode(raw)
            for raw in listed.stdout.split(b"\0")
            if raw and (root / os.fsdecode(raw)).is_file()
        ]
    found = []
    for current, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        found += [_relative(root, Path(current) / name) for name in names]
    return found


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise InputError(f"{path}: outside the repository {root}") from None
