"""What a call returned, as data the engine can pin: a literal, a function or class by its path, a
readable repr, or the attributes of an object that has none.

Standard library only: the sandbox's driver imports it, and it must not disturb what it measures.
"""

from __future__ import annotations

import ast
import inspect
import math
import sys
from typing import Any

MAX_REPR = 2000
MAX_ATTRIBUTES = 12


def literal(value: Any) -> str | None:
    """``repr(value)`` when it reads back as an equal literal, else None."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ is the object's, not ours
        return None
    if len(text) > MAX_REPR:
        return None
    try:
        back = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if isinstance(value, float) and math.isnan(value):  # NaN never equals itself
        return None
    try:
        same = bool(back == value) and type(back) is type(value)
    except Exception:  # noqa: BLE001
        return None
    return text if same else None


def named(value: Any) -> tuple[str, str] | None:
    """(module, qualname) of a function or class reached again by that path: a value whose repr holds
    an address is then pinned by which one it is."""
    if not (inspect.isroutine(value) or isinstance(value, type)):
        return None
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or module == "__main__":
        return None
    if "<" in qualname:  # a closure or a lambda: no path leads back to it
        return None
    found: Any = sys.modules.get(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return (module, qualname) if found is value else None


def describe(value: Any) -> dict[str, Any]:
    kind = type(value)
    record: dict[str, Any] = {"type": kind.__qualname__, "type_module": kind.__module__}
    text = literal(value)
    path = named(value) if text is None else None
    if text is not None:
        record["literal"] = text
    elif path is not None:
        record["named"] = list(path)
    else:
        try:
            shown = repr(value)
        except Exception:  # noqa: BLE001
            shown = ""
        if shown and " at 0x" not in shown and len(shown) <= 300:
            record["repr"] = shown
        elif attrs := attributes(value):
            record["attributes"] = attrs
    return record


def attributes(value: Any) -> dict[str, str]:
    """The instance attributes that read back as literals: what an object with no readable repr holds."""
    if isinstance(value, type) or inspect.isroutine(value) or inspect.ismodule(value):
        return {}
    try:
        items = list(vars(value).items())
    except Exception:  # noqa: BLE001 - no __dict__, or one the object guards: nothing to pin
        return {}
    found = {}
    for name, item in items:
        text = literal(item) if isinstance(name, str) and name.isidentifier() else None
        if text is not None and len(text) <= 200:
            found[name] = text
    return dict(list(found.items())[:MAX_ATTRIBUTES])
