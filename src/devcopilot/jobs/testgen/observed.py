"""What a call returned, as data the engine can pin: a literal, a function or class by its path, a
readable repr, or the attributes of an object that has none.

Standard library only: the sandbox's driver imports it, and it must not disturb what it measures.
"""

from __future__ import annotations

import ast
import builtins
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


MAX_DEPTH = 6
MAX_CHANGES = 4
"""Entries of a changed registry a test asserts: enough to notice a wrong one, few enough to read."""


def changes_read_back(before: Any, now: Any, classes: dict[str, type]) -> list[tuple[str, str]]:
    """What a call changed in a class attribute, as (subscript, source) pairs a test can assert:
    the entries a dict gained or changed, the items a list gained at its end, else the whole value
    (subscript ``""``). Only what reads back, from literals, built-in types and ``classes`` (the
    module's, by the names it binds them to): a registry of compiled patterns is still checked on
    the entries that do."""
    if type(before) is dict and type(now) is dict:
        found = []
        for key, value in now.items():
            if key in before and same(before[key], value):
                continue
            key_text, value_text = readable(key, classes), readable(value, classes)
            if key_text is not None and value_text is not None:
                found.append((f"[{key_text}]", value_text))
        return found[:MAX_CHANGES]
    grown = type(before) is list and type(now) is list and len(now) > len(before)
    if grown and same(now[: len(before)], before):
        added = readable(now[len(before) :], classes)
        return [(f"[{len(before)}:]", added)] if added is not None else []
    whole = readable(now, classes)
    return [("", whole)] if whole is not None else []


def readable(value: Any, classes: dict[str, type]) -> str | None:
    """Source text that evaluates to an equal value: a literal, or one that also names classes
    (registries map to ``dict``, or to the module's node classes) by their names in ``classes``
    or among the built-ins."""
    text = literal(value)
    if text is not None:
        return text
    text = _source(value, {id(cls): name for name, cls in classes.items()})
    if text is None or len(text) > MAX_REPR:
        return None
    try:  # the text is ours, made of literals and class names only
        back = eval(text, {"__builtins__": builtins, **classes})  # noqa: S307
    except Exception:  # noqa: BLE001
        return None
    return text if same(back, value) else None


def _source(value: Any, names: dict[int, str], depth: int = 0) -> str | None:
    if isinstance(value, type):
        name = str(value.__name__)
        return name if getattr(builtins, name, None) is value else names.get(id(value))
    if depth > MAX_DEPTH or type(value) not in (tuple, list, dict):
        return None if depth > MAX_DEPTH else literal(value)
    items = list(value.items()) if type(value) is dict else [(item,) for item in value]
    parts = [[_source(part, names, depth + 1) for part in item] for item in items]
    if any(None in texts for texts in parts):
        return None
    if type(value) is dict:
        return "{" + ", ".join(f"{key}: {item}" for key, item in parts) + "}"
    inner = ", ".join(str(texts[0]) for texts in parts)
    if type(value) is list:
        return f"[{inner}]"
    return f"({inner},)" if len(parts) == 1 else f"({inner})"


def same(left: Any, right: Any) -> bool:
    """Equal and of one type; a comparison that raises says they differ."""
    try:
        return type(left) is type(right) and bool(left == right)
    except Exception:  # noqa: BLE001
        return False
