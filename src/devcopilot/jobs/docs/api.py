"""The project's Python API as griffe loads it from source: what a documented name can resolve to.

griffe reads the code statically (no import, so no side effects and no
installed copy shadowing the checkout), follows re-exports (``click.Option``
is ``click.core.Option``) and inherited members. Names under a module that
defines ``__getattr__`` cannot be judged statically and count as unknown,
never as missing.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import griffe

from devcopilot.core.errors import InputError

if TYPE_CHECKING:
    from griffe import Alias, Object

Lookup = Literal["found", "missing", "unknown"]
NOT_PACKAGES = frozenset(
    {
        "tests",
        "test",
        "docs",
        "doc",
        "examples",
        "example",
        "scripts",
        "benchmarks",
        "build",
        "dist",
        "tools",
        "site",
        "node_modules",
    }
)
MAX_DEPTH = 8


@dataclass(frozen=True)
class Docstring:
    path: str
    """The file, relative to the repository."""
    line: int
    text: str
    context: str
    """Where names in it are read: the object's own path for modules and classes, else its parent's."""


@dataclass
class Api:
    packages: tuple[str, ...]
    source_root: Path
    """The folder the packages are in (``src`` in a src layout)."""
    paths: set[str] = field(default_factory=set)
    public: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Short name to the full paths of public objects with that name."""
    classes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    shorts: set[str] = field(default_factory=set)
    """The last part of every path, private ones included."""
    docstrings: list[Docstring] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    """Full path to the file (relative to the repository) that defines it."""
    opaque: set[str] = field(default_factory=set)
    """Prefixes under which nothing can be judged: names from elsewhere, aliases griffe cannot follow."""
    loaded: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Each package's griffe object, for griffe's own breaking-change comparison."""
    dynamic: dict[str, str] = field(default_factory=dict)
    """Modules with a ``__getattr__``, with their source: a name quoted there may be served at run time."""

    def owns(self, name: str) -> bool:
        return name.split(".", maxsplit=1)[0] in self.packages

    def lookup(self, name: str) -> Lookup:
        if name in self.paths:
            return "found"
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in self.opaque:
                return "unknown"
            if prefix in self.dynamic and end < len(parts) and _quoted(parts[end], self.dynamic[prefix]):
                return "unknown"
            if prefix in self.paths:
                break
        return "missing"

    def public_paths(self) -> set[str]:
        return {path for paths in self.public.values() for path in paths}


def find_packages(root: Path) -> tuple[Path, tuple[str, ...]]:
    """The project's top-level packages: the one named like the project when it exists, else all found."""
    project = _project_name(root)
    for base in (root / "src", root):
        if not base.is_dir():
            continue
        found = sorted(
            child.name
            for child in base.iterdir()
            if child.is_dir()
            and (child / "__init__.py").is_file()
            and child.name not in NOT_PACKAGES
            and child.name.isidentifier()
        )
        if project and project in found:
            return base, (project,)
        if found:
            return base, tuple(found)
    raise InputError(f"{root}: no Python package found (looked in src/ and at the root)")


def _project_name(root: Path) -> str | None:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        name = tomllib.loads(pyproject.read_text("utf-8")).get("project", {}).get("name")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    return re.sub(r"[-.]+", "_", name).lower() if isinstance(name, str) else None


def load_api(root: Path, *, ref: str | None = None) -> Api:
    """The API of the working tree, or of commit ``ref`` (loaded from git, the checkout untouched)."""
    source_root, packages = find_packages(root)
    api = Api(packages=packages, source_root=source_root)
    logging.getLogger("griffe").setLevel(logging.CRITICAL)
    relative = source_root.relative_to(root).as_posix() if source_root != root else "."
    at_ref = list(dict.fromkeys([relative, ".", "src"]))  # the layout may have changed since REF
    for package in packages:
        try:
            if ref is None:
                loaded = griffe.load(package, search_paths=[source_root], allow_inspection=False)
            else:
                loaded = griffe.load_git(
                    package, ref=ref, repo=root, search_paths=at_ref, allow_inspection=False
                )
        except (ImportError, OSError, SyntaxError, ValueError, RuntimeError) as error:
            if ref is not None:
                continue  # the package did not exist at that commit
            raise InputError(f"{package}: griffe could not load it ({error})") from None
        api.loaded[package] = loaded
        _walk(api, loaded, package, 0, root)
    return api


def _walk(api: Api, obj: Object | Alias, path: str, depth: int, root: Path) -> None:
    api.paths.add(path)
    short = path.rsplit(".", 1)[-1]
    api.shorts.add(short)
    target = _followed(api, obj, path)
    if target is None:
        return
    if _is_public(obj):
        api.public[short].add(path)
        if target.is_class:
            api.classes[short].add(path)
    filepath = getattr(target, "filepath", None)
    relative = _relative_file(filepath, root) if isinstance(filepath, Path) else None
    if relative is not None:
        api.files[path] = relative
        if not obj.is_alias:
            _docstring(api, target, path)
    if target.is_attribute:
        # A variable's members are whatever its value has at run time (``codes = StatusCode``).
        api.opaque.add(path)
    if target.is_module and "__getattr__" in target.members:
        api.dynamic[path] = target.source if isinstance(target.source, str) else ""
    if depth >= MAX_DEPTH:
        return
    members = target.all_members if target.is_class else target.members
    for name, member in list(members.items()):
        _walk(api, member, f"{path}.{name}", depth + 1, root)


def _followed(api: Api, obj: Object | Alias, path: str) -> Any:
    """What a name stands for, or ``None`` when the walk stops there (a re-exported module, another
    library's object, an alias griffe cannot follow: the last two are recorded as unknown ground)."""
    if not isinstance(obj, griffe.Alias):
        return obj
    try:
        target = obj.final_target
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        api.opaque.add(path)
        return None
    if not api.owns(target.path):
        api.opaque.add(path)
        return None
    return None if target.is_module else target


@functools.cache
def _relative_file(filepath: Path, root: Path) -> str | None:
    """The file relative to the repository (``None`` outside it: a stub package is not cited)."""
    try:
        return filepath.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _docstring(api: Api, obj: Any, path: str) -> None:
    docstring = obj.docstring
    if docstring is None or not docstring.value:
        return
    context = path if obj.is_module or obj.is_class else path.rpartition(".")[0]
    api.docstrings.append(Docstring(api.files[path], docstring.lineno or 1, docstring.value, context))


def _quoted(name: str, source: str) -> bool:
    return f'"{name}"' in source or f"'{name}'" in source


def _is_public(obj: Object | Alias) -> bool:
    try:
        return bool(obj.is_public)
    except Exception:  # noqa: BLE001 - griffe resolves aliases to answer; an unresolvable one is private
        return False
