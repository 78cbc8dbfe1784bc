"""Whether a documented name still names something in the project, judged only where the project owns it.

A name is the project's to judge when it starts with one of its packages
(``click.Option``), starts with one of its public classes (``Context.invoke``),
is read in a module of the project (a role under ``currentmodule``, a
docstring's role), or was removed by the change under ``--since``. Other
libraries' names, the standard library, builtins and words in backticks that
are not names of anything are never judged.
"""

from __future__ import annotations

import builtins
import difflib
import functools
import importlib.metadata
import re
import sys
from dataclasses import dataclass

from devcopilot.jobs.docs.api import Api
from devcopilot.jobs.docs.model import Reference

_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_FILE_SUFFIXES = frozenset(
    [
        "py",
        "pyi",
        "pyc",
        "md",
        "rst",
        "txt",
        "toml",
        "cfg",
        "ini",
        "json",
        "yaml",
        "yml",
        "lock",
        "html",
        "htm",
        "css",
        "js",
        "ts",
        "sh",
        "bat",
        "ps1",
        "exe",
        "cmd",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "csv",
        "xml",
        "zip",
        "gz",
        "tar",
        "whl",
        "egg",
        "in",
        "log",
        "env",
        "db",
        "sqlite",
        "pem",
        "crt",
        "key",
    ]
)
_OUTSIDE = frozenset(dir(builtins)) | frozenset(sys.stdlib_module_names)


@dataclass(frozen=True)
class Stale:
    reference: Reference
    name: str
    """The full name that does not resolve (or that the change removed)."""
    suggestion: str | None = None


def clean(target: str) -> str | None:
    """The dotted name a reference stands for, or ``None`` when it is not a name (code, a path, a phrase)."""
    name = target.strip().removesuffix("()")
    if not _NAME.match(name) or name.split(".")[-1].lower() in _FILE_SUFFIXES:
        return None
    return name


def judge(reference: Reference, api: Api, removed: dict[str, str] | None = None) -> Stale | None:
    """A ``Stale`` when the reference is the project's and names nothing; ``None`` when fine or not ours.

    ``removed`` maps the names a change removed (full paths and their short
    forms) to the full path, so a bare ``BaseCommand`` is judged once its
    class is gone.
    """
    name = clean(reference.target)
    if name is None or reference.historical:
        return None
    removed = removed or {}
    parts = name.split(".")
    if api.owns(name):
        outcome = api.lookup(name)
        if outcome == "missing" and not _in_context(name, reference, api):
            return Stale(reference, removed.get(name, name), _suggest(name, api))
        return None
    if _in_context(name, reference, api) or _fine_or_not_ours(parts, api):
        return None
    if name in removed or parts[0] in removed:
        full = removed.get(name) or f"{removed[parts[0]]}.{'.'.join(parts[1:])}".rstrip(".")
        return Stale(reference, full, _suggest(full, api))
    context = reference.context if reference.form in ("role", "directive") else None
    if context and api.owns(context) and parts[0] not in _OUTSIDE and not _known_short(parts[-1], api):
        return Stale(reference, f"{context}.{name}", _suggest(f"{context}.{name}", api))
    return None


def resolves(name: str, api: Api) -> bool:
    """A name a rewrite may introduce: the project's and found, a public name of it (or a member of one),
    or the standard library's or an installed package's. Anything else is invented."""
    root = name.split(".", maxsplit=1)[0]
    if api.owns(name):
        return api.lookup(name) == "found"
    if root in api.public:
        return judge(Reference(1, name, "literal"), api) is None
    return root in _OUTSIDE or root in _installed()


def key_tables(references: list[Reference], api: Api) -> set[int]:
    """Tables that list dotted field names (``gen_ai.request.model``, ``repo.head``), not Python names:
    a dotted literal there starts with nothing importable, so its ``pkg.x`` rows are keys too."""
    tables: set[int] = set()
    for reference in references:
        name = clean(reference.target) if reference.table is not None else None
        if name is None or "." not in name or reference.table is None:
            continue
        root = name.split(".")[0]
        if not (api.owns(name) or root in _OUTSIDE or root in api.public or root in _installed()):
            tables.add(reference.table)
    return tables


@functools.cache
def _installed() -> frozenset[str]:
    """Top-level modules of the installed distributions: their names are Python names too."""
    return frozenset(importlib.metadata.packages_distributions())


def _in_context(name: str, reference: Reference, api: Api) -> bool:
    """Found relative to the module (or class) the reference is read in, or any of its parents."""
    context = reference.context
    while context:
        if api.lookup(f"{context}.{name}") != "missing":
            return True
        context = context.rpartition(".")[0]
    return False


def _fine_or_not_ours(parts: list[str], api: Api) -> bool:
    """A public name of the project (``Option``), a member of one of its classes (``Context.invoke``),
    or a dotted name that does not start with one of its names (another library's, or a variable's)."""
    if len(parts) == 1:
        return parts[0] in api.public
    owners = api.classes.get(parts[0])
    if not owners:
        return parts[0] not in api.public or any(
            api.lookup(f"{path}.{'.'.join(parts[1:])}") != "missing" for path in api.public[parts[0]]
        )
    return any(api.lookup(f"{owner}.{'.'.join(parts[1:])}") != "missing" for owner in owners)


def _known_short(short: str, api: Api) -> bool:
    return short in api.shorts


def _suggest(name: str, api: Api) -> str | None:
    """The closest name that exists next to the missing one (a rename is the usual cause)."""
    parent, _, short = name.rpartition(".")
    siblings = [p.rsplit(".", 1)[-1] for p in api.paths if p.rpartition(".")[0] == parent]
    close = difflib.get_close_matches(short, siblings, n=1, cutoff=0.75)
    return f"{parent}.{close[0]}" if close else None
