"""Reading a repository's manifests, with the line each fact comes from."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_BYTES = 2 * 1024 * 1024
SKIPPED_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", "target", "vendor", ".next"}
)


@dataclass
class Repo:
    """The files of one app folder, read once, relative to the repository root."""

    root: Path
    folder: Path
    _texts: dict[str, str | None] = field(default_factory=dict)

    def rel(self, name: str) -> str:
        return (self.folder / name).relative_to(self.root).as_posix()

    def exists(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def text(self, name: str) -> str | None:
        if name not in self._texts:
            path = self.folder / name
            try:
                self._texts[name] = (
                    path.read_text(encoding="utf-8", errors="replace")
                    if (path.is_file() and path.stat().st_size <= MAX_BYTES)
                    else None
                )
            except OSError:
                self._texts[name] = None
        return self._texts[name]

    def json(self, name: str) -> dict[str, Any] | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            # JSONC and JSON5: comments and trailing commas out; JSON5's bare keys read as YAML flow.
            cleaned = _without_comments(text)
            try:
                data = json.loads(cleaned)
            except ValueError:
                import yaml  # noqa: PLC0415

                try:
                    data = yaml.safe_load(cleaned)
                except yaml.YAMLError:
                    return None
        return data if isinstance(data, dict) else None

    def yaml(self, name: str) -> dict[str, Any] | None:
        text = self.text(name)
        if text is None:
            return None
        import yaml  # noqa: PLC0415 - few repositories need it

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            return None
        return data if isinstance(data, dict) else None

    def toml(self, name: str) -> dict[str, Any] | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return None

    def where(self, name: str, needle: str | re.Pattern[str]) -> str:
        """``path:line`` of the first line holding ``needle`` (a string or a pattern), else ``path``."""
        text = self.text(name) or ""
        for number, line in enumerate(text.splitlines(), start=1):
            if (needle in line) if isinstance(needle, str) else needle.search(line):
                return f"{self.rel(name)}:{number}"
        return self.rel(name)

    def first_line(self, name: str) -> str | None:
        text = self.text(name)
        if text is None:
            return None
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                return line.strip()
        return None

    def glob(self, pattern: str) -> list[str]:
        return sorted(
            p.relative_to(self.folder).as_posix()
            for p in self.folder.glob(pattern)
            if p.is_file() and not SKIPPED_DIRS & set(p.relative_to(self.folder).parts)
        )


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a table (a JSON object, a TOML table), else an empty one."""
    return value if isinstance(value, dict) else {}


_COMMENTS = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMAS = re.compile(r",(\s*[}\]])")


def _without_comments(text: str) -> str:
    """JSONC and JSON5 as JSON: comments out, trailing commas out, strings untouched."""
    return _TRAILING_COMMAS.sub(r"\1", _COMMENTS.sub(lambda m: m.group(1) or "", text))
