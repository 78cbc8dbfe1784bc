"""Members a module's classes inherit from elsewhere in their package, selected to be tested on them,
and the package's subclasses a mixin is built as."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from devcopilot.core.errors import InputError
from devcopilot.jobs.testgen.mixins import Subclasses
from devcopilot.jobs.testgen.target import ModuleSpec, read_module, skip_reason

MAX_INHERITED = 40
"""Members taken per class from bases elsewhere: a class deep in a framework inherits hundreds."""


def adopt_inherited(spec: ModuleSpec, inherited: dict[str, list[tuple[str, str, str]]]) -> None:
    """Select the public members the module's classes inherit from elsewhere in their package: their
    users call them on the class, and they reach its own code. Read from the defining file, they carry
    no lines of the target (coverage and mutants stay the target's own)."""
    if not spec.whole_module:
        return
    have = {f.qualname for f in spec.selected} | set(spec.skipped)
    files: dict[str, ModuleSpec | None] = {}
    for cls_name, members in inherited.items():
        for attr, owner, path in members[:MAX_INHERITED]:
            qualname = f"{cls_name}.{attr}"
            if qualname in have:
                continue
            if path not in files:
                try:
                    files[path] = read_module(Path(path), select_member=False)
                except (InputError, OSError):
                    files[path] = None
            other = files[path]
            base = other.cls(owner) if other is not None else None
            method = next((m for m in base.methods if m.name == attr), None) if base is not None else None
            if method is None or skip_reason(method) is not None:
                continue
            spec.selected.append(replace(method, owner=cls_name, qualname=qualname, lineno=0, end_lineno=0))
            have.add(qualname)


def adopt_subclasses(spec: ModuleSpec, subclasses: Subclasses) -> None:
    """Build each mixin the module defines as the package's subclasses too: their constructors'
    parameters are what the instances are made from, and a test imports them from their module."""
    for mixin, chosen in subclasses.items():
        spec.subclasses[mixin] = [(name, home) for name, home, _ in chosen]
        spec.found_signatures.update({name: params for name, _, params in chosen})
