"""Classes that only work as part of a subclass, and the package's subclasses to test them through.

A mixin reads what its subclasses provide (yaml's ``Serializer`` calls ``self.emit``, which the
emitter half of a ``Dumper`` defines) or holds no state of its own (a representation mixin with
``__slots__ = ()``). Built alone, its instances raise ``AttributeError`` or show only the empty
case; built as the package's own subclass, its methods run as its users run them. Read in the
sandbox, after the import: like the driver, it imports only the standard library (and ``observed``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

from devcopilot.jobs.testgen.observed import literal

MAX_SUBCLASSES = 2
"""Subclasses tried per mixin: the simplest two to build, which override least of it."""
MAX_FILES = 400
"""Files of a package searched for subclasses: a framework's whole tree is not worth the time."""
MAX_IMPORTS = 3
"""Modules imported to find a lazily imported package's subclasses."""
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)

Signature = list[tuple[str, "str | None"]]
Subclasses = dict[str, list[tuple[str, str, Signature]]]
"""Per mixin: (subclass name, the module a test imports it from, its positional parameters)."""


def mixin_subclasses(module: Any) -> Subclasses:
    """Per mixin the module defines: (subclass name, module to import it from, its positional
    parameters with defaults as ``driver.namespace_classes`` gives them)."""
    found: dict[str, list[tuple[str, str, Signature]]] = {}
    bound = vars(module)
    for name, cls in sorted(bound.items()):
        if not isinstance(cls, type) or cls.__module__ != module.__name__ or name != cls.__name__:
            continue
        if issubclass(cls, BaseException) or not is_mixin(cls):
            continue
        subclasses = package_subclasses(cls, module.__name__)
        if not subclasses:  # a package that imports its parts lazily: import those that subclass it
            import_subclassing_modules(cls, module.__name__)
            subclasses = package_subclasses(cls, module.__name__)
        signatures = {sub: positional_signature(sub) for sub in subclasses}
        chosen = []
        for sub in sorted(subclasses, key=lambda s: simplicity(s, cls, signatures[s])):
            where = import_home(sub)
            signature = signatures[sub]
            if where is None or signature is None or bound.get(sub.__name__, sub) is not sub:
                continue
            chosen.append((sub.__name__, where, signature))
            if len(chosen) == MAX_SUBCLASSES:
                break
        if chosen:
            found[name] = chosen
    return found


def is_mixin(cls: type) -> bool:
    """Whether the class reads attributes of ``self`` that nothing in it defines, or keeps no state."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return False
    read: set[str] = set()
    stored: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            (stored if isinstance(node.ctx, ast.Store) else read).add(node.attr)
    if any(not hasattr(cls, attr) and attr not in stored for attr in read):
        return True
    own_state = "__init__" in vars(cls) or stored or vars(cls).get("__slots__", ()) != ()
    return not own_state and bool(read)


def package_subclasses(cls: type, module_name: str) -> list[type]:
    """Concrete public subclasses the package defines outside the module, nearest first."""
    package = module_name.split(".", maxsplit=1)[0]
    seen: list[type] = []
    pending: list[type] = list(cls.__subclasses__())
    while pending:
        sub = pending.pop(0)
        if sub in seen:
            continue
        seen.append(sub)
        pending.extend(sub.__subclasses__())
    return [
        sub
        for sub in seen
        if sub.__module__ != module_name
        and str(sub.__module__).split(".", maxsplit=1)[0] == package
        and not sub.__name__.startswith("_")
        and not inspect.isabstract(sub)
    ]


def import_subclassing_modules(cls: type, module_name: str) -> None:
    """Import the package's modules whose text defines a class on ``cls``, a few at most."""
    package = sys.modules.get(module_name.split(".", maxsplit=1)[0])
    roots = [Path(p) for p in getattr(package, "__path__", [])]
    subclassing = re.compile(rf"^\s*class \w+\([^)]*\b{re.escape(cls.__name__)}\b", re.MULTILINE)
    imported = 0
    for path in sorted(f for root in roots for f in root.rglob("*.py"))[:MAX_FILES]:
        try:
            if not subclassing.search(path.read_text(encoding="utf-8", errors="replace")):
                continue
        except OSError:
            continue
        root = next(r for r in roots if path.is_relative_to(r))
        parts = [package.__name__, *path.relative_to(root).with_suffix("").parts]  # type: ignore[union-attr]
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        try:
            importlib.import_module(name)
        except (Exception, SystemExit):  # noqa: BLE001, S112 - a part that fails to import offers no subclass
            continue
        imported += 1
        if imported == MAX_IMPORTS:
            return


def simplicity(sub: type, mixin: type, signature: Signature | None) -> tuple[bool, int, int, str]:
    """One that keeps state of its own first (a subclass as empty as the mixin shows nothing more),
    then fewer of the mixin's own methods overridden (they are what is tested), then fewer required
    arguments."""
    own = [name for name, value in vars(mixin).items() if inspect.isfunction(value)]
    overridden = sum(1 for name in own if getattr(sub, name, None) is not getattr(mixin, name))
    own_init = getattr(sub, "__init__", None) is not getattr(mixin, "__init__", None)
    stateful = own_init or any(vars(k).get("__slots__") for k in sub.__mro__)
    required = sum(1 for _, default in signature if default is None) if signature is not None else 99
    return not stateful, overridden, required, sub.__name__


def import_home(sub: type) -> str | None:
    """Where a test imports the subclass from: the package's top level when it exports it there."""
    package = str(sub.__module__).split(".", maxsplit=1)[0]
    for home in (package, sub.__module__):
        if getattr(sys.modules.get(home), sub.__name__, None) is sub:
            return home
    return None


def positional_signature(cls: type) -> Signature | None:
    """A class's positional parameters and defaults (None: required; a default that is no literal is
    ``<default>``), or None when it has no signature to read."""
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return None
    return [
        (p.name, None if p.default is p.empty else literal(p.default) or "<default>")
        for p in parameters
        if p.kind in POSITIONAL
    ]


def subclass_objects(found: dict[str, list[Any]]) -> dict[str, type]:
    """The chosen subclasses by name, for the probe's calls to build: ``found`` as the search gave
    it, or as a later run's request carries it back (name and module first in each entry)."""
    objects = {}
    for chosen in found.values():
        for name, home, *_ in chosen:
            try:
                objects[name] = getattr(importlib.import_module(home), name)
            except (Exception, SystemExit):  # noqa: BLE001, S112 - one that no longer imports is not built
                continue
    return objects
