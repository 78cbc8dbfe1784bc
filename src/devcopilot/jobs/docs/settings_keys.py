"""The settings a project reads (environment variables, ``[tool.NAME]`` keys), found in its source by ``ast``.

Environment variables: names passed to ``os.getenv``, ``os.environ.get``,
``os.environ[...]``, ``"X" in os.environ``, click's ``envvar=``; a prefix the
project hands to a library (click's ``auto_envvar_prefix``, pydantic-settings'
``env_prefix``) accepts every name under it. Keys: the fields of the
project's settings classes (pydantic models and dataclasses named
``...Settings``, ``...Config``, ``...Options``), read only when the project
reads ``[tool.NAME]`` at all. Documentation mentions are judged only under the
project's own prefix (``HTTPX_...``) or its own ``[tool.NAME]`` table.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_NAME = re.compile(r"^\$?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$")
_SETTINGS_CLASS = re.compile(r"(Settings|Config|Configuration|Options)$")
_PREFIX_KEYWORDS = frozenset({"auto_envvar_prefix", "env_prefix"})
_QUOTED_ENV = re.compile(rb"[\"']([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_?)[\"']")
_SECTION_SUFFIX = re.compile(r"(Settings|Config|Configuration|Options)$")
_MAY_READ_SETTINGS = re.compile(
    rb"getenv|environ\b|envvar\s*=\s*[\[(\"']|env_prefix|[\"']tool[\"']"
    rb"|class \w*(?:Settings|Config|Options)\b"
)


@dataclass
class ProjectSettings:
    env: set[str] = field(default_factory=set)
    env_where: dict[str, str] = field(default_factory=dict)
    """Each variable to the first file (relative to the source folder) that reads it."""
    env_prefixes: set[str] = field(default_factory=set)
    """Prefixes of names read through a library (any name under them is read)."""
    judged_prefixes: set[str] = field(default_factory=set)
    """The prefixes whose names are the project's to judge (its package's name, its declared prefixes)."""
    tool_table: str | None = None
    """``NAME`` when the project reads ``[tool.NAME]`` from pyproject.toml."""
    keys: set[str] = field(default_factory=set)
    free_keys: set[str] = field(default_factory=set)
    """Keys whose value is a table of names the user chooses (a ``dict[str, ...]`` field)."""

    def unknown_key(self, key: str) -> str | None:
        """The first part of a dotted key no settings class knows, as a dotted prefix (``None``: known)."""
        parts = key.split(".")
        for index, part in enumerate(parts):
            if index and parts[index - 1] in self.free_keys:
                continue
            if part not in self.keys:
                return ".".join(parts[: index + 1])
        return None

    def env_problem(self, name: str) -> bool:
        """Whether a documented variable is under the project's prefix yet read nowhere."""
        if name in self.env or any(name.startswith(prefix) for prefix in self.env_prefixes):
            return False
        return any(name.startswith(prefix) for prefix in self.judged_prefixes)


def read_settings(source_root: Path, packages: tuple[str, ...]) -> ProjectSettings:
    settings = ProjectSettings(judged_prefixes={f"{p.upper()}_" for p in packages})
    reads_tool = False
    for package in packages:
        for file in sorted((source_root / package).rglob("*.py")):
            try:
                data = file.read_bytes()
                _quoted_names(data, settings)
                if not _MAY_READ_SETTINGS.search(data):
                    continue  # parsing every module costs more than the rest of the check
                tree = ast.parse(data)
            except (SyntaxError, ValueError, OSError):
                continue
            reads_tool = reads_tool or (
                bool(re.search(rb"[\"']tool[\"']", data))
                and any(re.search(rb"[\"']" + re.escape(p.encode()) + rb"[\"']", data) for p in packages)
            )
            before = set(settings.env)
            _scan(tree, settings)
            for name in settings.env - before:
                settings.env_where.setdefault(name, file.relative_to(source_root).as_posix())
    settings.judged_prefixes |= settings.env_prefixes
    if reads_tool:
        settings.tool_table = packages[0]
    return settings


def _quoted_names(data: bytes, settings: ProjectSettings) -> None:
    """Names the code spells out anywhere (a constant passed on later counts as read), and prefixes
    it builds names from (``ENV_PREFIX = "PKG_"``: every name under it may be read)."""
    for match in _QUOTED_ENV.finditer(data):
        name = match.group(1).decode()
        if name.endswith("_"):
            settings.env_prefixes.add(name)
        else:
            settings.env.add(name)


def _scan(tree: ast.AST, settings: ProjectSettings) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name.endswith(("getenv", "environ.get", "environ.setdefault", "environ.pop")) and node.args:
                settings.env |= _strings(node.args[0])
            for keyword in node.keywords:
                if keyword.arg == "envvar":
                    settings.env |= _strings(keyword.value)
                elif keyword.arg in _PREFIX_KEYWORDS:
                    settings.env_prefixes |= {s.rstrip("_") + "_" for s in _strings(keyword.value)}
        elif isinstance(node, ast.Subscript) and _dotted(node.value).endswith("environ"):
            settings.env |= _strings(node.slice)
        elif isinstance(node, ast.Compare) and any(_dotted(c).endswith("environ") for c in node.comparators):
            settings.env |= _strings(node.left)
        elif isinstance(node, ast.ClassDef) and _SETTINGS_CLASS.search(node.name):
            settings.keys |= _fields(node, settings)
            section = _SECTION_SUFFIX.sub("", node.name).lower()
            if section:
                settings.keys.add(section)  # ``ReviewSettings`` is the ``[tool.x.review]`` section
        elif isinstance(node, ast.Dict):
            settings.env_prefixes |= {
                s.rstrip("_") + "_"
                for key, value in zip(node.keys, node.values, strict=True)
                if key is not None and _strings(key) & _PREFIX_KEYWORDS
                for s in _strings(value)
            }


def _fields(node: ast.ClassDef, settings: ProjectSettings) -> set[str]:
    names: set[str] = set()
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
            if re.match(r"(dict|Dict|Mapping|MutableMapping)\[", ast.unparse(statement.annotation)):
                settings.free_keys.add(statement.target.id)
            if isinstance(statement.value, ast.Call):
                for keyword in statement.value.keywords:
                    if keyword.arg in ("alias", "validation_alias", "serialization_alias"):
                        names |= _strings(keyword.value)
        elif isinstance(statement, ast.ClassDef):
            names.add(statement.name.lower())
    return names | {n.replace("_", "-") for n in names}


def tool_keys(text: str, table: str) -> list[str]:
    """The keys a documented TOML block sets under ``[tool.TABLE]``, dotted (``section.key``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    found = data.get("tool", {}).get(table)
    return list(_leaves(found, "")) if isinstance(found, dict) else []


def _leaves(table: dict[str, Any], prefix: str) -> list[str]:
    keys = []
    for key, value in table.items():
        keys.append(prefix + key)
        if isinstance(value, dict):
            keys += _leaves(value, f"{prefix}{key}.")
    return keys


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {s for element in node.elts for s in _strings(element)}
    return set()


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""
