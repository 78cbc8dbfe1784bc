"""Reading and writing the source text of test code: names an expression uses, what a hint promises.

Small pure functions on strings, shared by the writers of every kind of test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

SIMPLE_TYPES = {
    "int": "int", "str": "str", "bytes": "bytes", "bool": "bool", "list": "list", "dict": "dict",
    "tuple": "tuple", "set": "set", "frozenset": "frozenset", "float": "(int, float)", "List": "list",
    "Dict": "dict", "Tuple": "tuple", "Set": "set", "FrozenSet": "frozenset", "bytearray": "bytearray",
}  # fmt: skip


def literal_text(text: str) -> bool:
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def names_in(pre: Iterable[str], expression: str) -> set[str]:
    names: set[str] = set()
    for text in [*pre, expression]:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names


def condition_names(condition: str) -> set[str]:
    return names_in((), condition) - {
        "isinstance",
        "result",
        "int",
        "float",
        "str",
        "bytes",
        "bool",
        "list",
        "dict",
    }


def type_check(annotation: str, module_names: set[str]) -> str | None:
    """An isinstance condition a return hint promises; None when it cannot be checked simply."""
    try:
        node = ast.parse(annotation.strip("'\""), mode="eval").body
    except SyntaxError:
        return None
    options: list[ast.expr]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        options = [node.left, node.right]
    elif isinstance(node, ast.Subscript) and ast.unparse(node.value).rsplit(".", 1)[-1] == "Optional":
        options = [node.slice, ast.Constant(None)]
    else:
        options = [node]
    kinds = []
    for option in options:
        if isinstance(option, ast.Constant) and option.value is None:
            kinds.append("type(None)")
            continue
        base = option.value if isinstance(option, ast.Subscript) else option
        name = ast.unparse(base).rsplit(".", 1)[-1]
        if name in SIMPLE_TYPES:
            kinds.append(SIMPLE_TYPES[name])
        elif name in module_names and name[:1].isupper() and "." not in ast.unparse(base):
            kinds.append(name)
        else:
            return None
    if kinds == ["type(None)"]:
        return "result is None"
    flat = list(dict.fromkeys(", ".join(k.strip("()") for k in kinds).split(", ")))
    joined = ", ".join(flat)
    return f"isinstance(result, ({joined}))" if len(flat) > 1 else f"isinstance(result, {joined})"


def partner_name(name: str, forward: str, backward: str) -> str | None:
    parts = name.split("_")
    if forward == "to":
        if parts[0] == "to" and len(parts) > 1:
            return "from_" + "_".join(parts[1:])
        if "to" in parts[1:-1]:
            at = parts.index("to")
            return "_".join([*parts[at + 1 :], "to", *parts[:at]])
        return None
    if forward in parts:
        return "_".join(backward if p == forward else p for p in parts)
    return None
