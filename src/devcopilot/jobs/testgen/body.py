"""What a function's body says about it, read with ``ast``: what it raises, compares, calls and uses.

These facts choose a test's inputs (the constants a branch compares against,
the classes a parameter is checked against) and what it may expect (the
exceptions the function raises itself or documents).
"""

from __future__ import annotations

import ast
import builtins
import itertools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devcopilot.jobs.testgen.target import FunctionSpec

RAISES_SECTION = re.compile(r"^\s*(?:Raises|Throws)\s*:?\s*$", re.IGNORECASE)
SPHINX_RAISES = re.compile(r":raises?\s+([\w.]+)\s*:")
GOOGLE_ARG = re.compile(r"^\s+(\*{0,2}\w+)\s*\(([^)]+)\)\s*:")
SPHINX_TYPE = re.compile(r":type\s+(\w+)\s*:\s*(.+)$")
SPHINX_PARAM = re.compile(r":param\s+([\w\[\], .|]+?)\s+(\w+)\s*:")
NUMPY_ARG = re.compile(r"^\s*(\w+)\s*:\s*([\w\[\], .|]+?)(?:,\s*optional)?\s*$")
DOC_ENTRY = re.compile(r"^\s{0,12}([A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt))\b")
BUILTIN_TYPES = {"str", "bytes", "int", "float", "bool", "list", "tuple", "dict", "set", "frozenset"}
MAX_CONSTANTS = 24


def raised_names(node: ast.AST) -> set[str]:
    """Exception classes the function raises itself (``raise X`` / ``raise X(...)``)."""
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Raise) and child.exc is not None:
            exc = child.exc.func if isinstance(child.exc, ast.Call) else child.exc
            if isinstance(exc, ast.Name | ast.Attribute):
                names.add(ast.unparse(exc).rsplit(".", 1)[-1])
    return names


def documented_raises(docstring: str) -> set[str]:
    """Exceptions named in a Google/NumPy ``Raises:`` section or a Sphinx ``:raises X:`` field."""
    names = set(SPHINX_RAISES.findall(docstring))
    in_section = False
    for line in docstring.splitlines():
        if RAISES_SECTION.match(line):
            in_section = True
            continue
        if in_section:
            if not line.strip() or set(line.strip()) <= {"-"}:
                continue
            match = DOC_ENTRY.match(line)
            if match:
                names.add(match.group(1))
            elif not line.startswith((" ", "\t")):
                in_section = False
    return {n.rsplit(".", 1)[-1] for n in names}


def documented_types(docstring: str) -> dict[str, str]:
    """Parameter types written in a Google, NumPy or Sphinx docstring."""
    found: dict[str, str] = {}
    for line in docstring.splitlines():
        for pattern, name_group, type_group in (
            (GOOGLE_ARG, 1, 2),
            (SPHINX_TYPE, 1, 2),
            (SPHINX_PARAM, 2, 1),
        ):
            match = pattern.search(line)
            if match:
                found.setdefault(match.group(name_group).lstrip("*"), match.group(type_group).strip())
        match = NUMPY_ARG.match(line)
        if match and match.group(1) not in found:
            found[match.group(1)] = match.group(2).strip()
    return {name: kind.replace(", optional", "").strip() for name, kind in found.items()}


ARITHMETIC = (ast.Mod, ast.FloorDiv, ast.Div, ast.Mult, ast.Add, ast.Sub)


def compared_constants(node: ast.AST) -> list[str]:
    """Literal values the function compares with, computes with, slices on, or tests membership in."""
    seen: dict[str, None] = {}

    def add(value: object) -> None:
        if len(seen) >= MAX_CONSTANTS or isinstance(value, bool) or value is None:
            return
        if isinstance(value, int):
            for near in (value - 1, value, value + 1):
                seen.setdefault(repr(near))
        elif isinstance(value, str | float | bytes) and len(repr(value)) <= 80:
            seen.setdefault(repr(value))

    for child in ast.walk(node):
        for value in _constants_of(child):
            add(value)
    return list(seen)


def _constants_of(child: ast.AST) -> list[object]:
    """The constants one node compares with or hands on to where a comparison is made."""
    if isinstance(child, ast.Compare):
        return [const for side in [child.left, *child.comparators] for const in constants_in(side)]
    if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
        if child.func.attr in ("startswith", "endswith", "split", "get", "find", "replace"):
            return [const for arg in child.args[:1] for const in constants_in(arg)]
        if isinstance(child.func.value, ast.Name) and child.func.value.id in ("self", "cls"):
            return [  # `self._either("=", ...)`: a character the helper compares with
                arg.value
                for arg in child.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and len(arg.value) == 1
            ]
    if isinstance(child, ast.Subscript) and isinstance(child.slice, ast.Constant):
        return [child.slice.value]
    if isinstance(child, ast.BinOp) and isinstance(child.op, ARITHMETIC):
        # `year % 400`: 400 is where the answer turns
        return [
            side.value
            for side in (child.left, child.right)
            if isinstance(side, ast.Constant) and isinstance(side.value, int | float)
        ]
    return []


def constants_in(node: ast.expr) -> list[object]:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
    ):
        value = node.operand.value
        return [-value] if isinstance(value, int | float) and not isinstance(value, bool) else []
    return []


def parameter_uses(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, list[str]]:
    """What the body tests a parameter against: the kinds of input that reach its branches
    (``const:2`` for ``method == 2``), and the helpers it is handed to (``pass:_short:0``), whose
    own uses ``propagate_uses`` adds."""
    params = {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}
    uses: dict[str, dict[str, None]] = {}

    def note(target: ast.expr, use: str) -> None:
        if isinstance(target, ast.Name) and target.id in params:
            uses.setdefault(target.id, {}).setdefault(use)

    for child in ast.walk(node):
        for target, use in node_uses(child):
            note(target, use)
    return {name: list(found) for name, found in uses.items()}


def node_uses(child: ast.AST) -> list[tuple[ast.expr, str]]:  # noqa: PLR0911 - one return per use
    """What one node does with the expressions in it: compares, checks the type of, hands to a
    helper, indexes by a number, or asks for an attribute."""
    if isinstance(child, ast.Compare):
        found = []
        for left, right in itertools.pairwise([child.left, *child.comparators]):
            for one, other in ((left, right), (right, left)):
                found += [(one, f"is:{name}") for name in names_compared(other)]
                found += [
                    (one, f"const:{value!r}")
                    for value in constants_in(other)
                    if isinstance(value, int | str) and not isinstance(value, bool) and len(repr(value)) <= 40
                ]
        return found
    if isinstance(child, ast.Call) and (callee := helper_called(child.func)):
        return [(arg, f"pass:{callee}:{slot}") for slot, arg in handed(child)]
    if isinstance(child, ast.Call) and type_check(child) and len(child.args) == 2:
        kinds = child.args[1].elts if isinstance(child.args[1], ast.Tuple) else [child.args[1]]
        use = "isinstance" if type_check(child) == "isinstance" else "is"
        return [
            (child.args[0], f"{use}:{ast.unparse(k)}")
            for k in kinds
            if isinstance(k, ast.Name | ast.Attribute)
        ]
    if isinstance(child, ast.Subscript) and any(isinstance(c, int) for c in constants_in(child.slice)):
        return [(child.value, "index")]
    if (checked := attribute_checked(child)) is not None:
        return [(checked[0], f"has:{checked[1]}")]
    called = child.func if isinstance(child, ast.Call) else None
    if isinstance(called, ast.Attribute) and called.attr in STREAM_CALLS:
        return [(called.value, f"stream:{STREAM_CALLS[called.attr]}")]
    return []


SELF = ("self", "cls")
STREAM_CALLS = {
    "write": "write", "writelines": "write", "flush": "write",
    "read": "read", "readline": "read", "readlines": "read", "seek": "read",
}  # fmt: skip
"""Methods that make a parameter a stream: one written to, or one read from."""


def attribute_checked(node: ast.AST) -> tuple[ast.expr, str] | None:
    """The value ``hasattr(x, "name")`` or ``getattr(x, "name", default)`` asks for an attribute, and
    the attribute's name."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) >= 2):
        return None
    value, wanted = node.args[:2]
    is_check = node.func.id == "hasattr" or (node.func.id == "getattr" and len(node.args) == 3)
    if is_check and isinstance(wanted, ast.Constant) and isinstance(wanted.value, str):
        return value, wanted.value
    return None


def type_check(call: ast.Call) -> str | None:
    """``isinstance`` or ``issubclass`` when the call is one."""
    name = call.func.id if isinstance(call.func, ast.Name) else None
    return name if name in ("isinstance", "issubclass") else None


def handed(call: ast.Call) -> list[tuple[str, ast.expr]]:
    """Each argument with its slot: the position, or the keyword's name."""
    by_keyword = [(k.arg, k.value) for k in call.keywords if k.arg is not None]
    return [*((str(index), arg) for index, arg in enumerate(call.args)), *by_keyword]


def helper_called(func: ast.expr) -> str | None:
    """The module's own function or method a call may reach: ``name`` or ``self.name``; a builtin
    (``isinstance``, ``len``) is no helper."""
    if isinstance(func, ast.Name) and not hasattr(builtins, func.id):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in SELF:
        return f"self.{func.attr}"
    return None


def names_compared(node: ast.expr) -> list[str]:
    """Classes and constants a value is compared with, alone or in a literal collection."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [i.id for i in items if isinstance(i, ast.Name) and (i.id[:1].isupper() or i.id in BUILTIN_TYPES)]


def read_names(node: ast.AST) -> set[str]:
    """The names a body reads: the module's globals among them are what it works with."""
    return {
        child.id
        for child in ast.walk(node)
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load)
    }


def called_names(node: ast.AST) -> set[str]:
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            if isinstance(child.func, ast.Name):
                names.add(child.func.id)
            elif (
                isinstance(child.func, ast.Attribute)
                and isinstance(child.func.value, ast.Name)
                and child.func.value.id in ("self", "cls")
            ):
                names.add(child.func.attr)
    return names


_NON_NEGATIVE = re.compile(
    r"\b(?:never|not|cannot be|can't be)\s+(?:be\s+)?(?:negative|below zero|less than zero)\b"
    r"|\bnon-?negative\b|\bat least (?:0|zero)\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(r"\b(?:always|strictly)\s+positive\b|\breturns? a positive\b", re.IGNORECASE)
_NON_EMPTY = re.compile(r"\b(?:never|not)\s+empty\b|\bnon-?empty\b", re.IGNORECASE)
_SORTED = re.compile(r"\b(?:in )?sorted (?:order|list)\b|\breturns? .{0,30}\bsorted\b", re.IGNORECASE)
_BETWEEN = re.compile(r"\b(?:between|within|into)\s+\[?`*(\w+)`*\s*(?:,|and)\s*`*(\w+)`*\]?", re.IGNORECASE)


def documented_claims(docstring: str, parameters: list[str]) -> list[str]:
    """What the docstring promises of the result, as conditions on ``result`` a test can assert.

    Read from the summary and a ``Returns`` section only (what the text says of its parameters is not
    a promise about the result): never negative, always positive, non-empty, sorted, and between two
    of its parameters (``clamp(value, low, high)``: "into [low, high]").
    """
    text = _about_the_result(docstring)
    claims = []
    if _NON_NEGATIVE.search(text):
        claims.append("result >= 0")
    elif _POSITIVE.search(text):
        claims.append("result > 0")
    if _NON_EMPTY.search(text):
        claims.append("len(result) > 0")
    if _SORTED.search(text):
        claims.append("list(result) == sorted(result)")
    for low, high in _BETWEEN.findall(text):
        if low in parameters and high in parameters:
            claims.append(f"(not {low} <= {high}) or {low} <= result <= {high}")
    return claims


def _about_the_result(docstring: str) -> str:
    paragraphs = docstring.strip().split("\n\n")
    summary = paragraphs[0] if paragraphs else ""
    returns = ""
    match = re.search(
        r"^\s*Returns?\s*:?\s*$(.*?)(?:^\s*\w+\s*:?\s*$|\Z)", docstring, re.MULTILINE | re.DOTALL
    )
    if match:
        returns = match.group(1)
    sphinx = re.findall(r":returns?:\s*(.+)", docstring)
    return " ".join([summary, returns, *sphinx])


PREDICATE_PREFIXES = ("is_", "has_", "test_", "can_", "should_", "check_")


def transforms(function: FunctionSpec) -> bool:
    """Whether its result can be fed back to it: not a predicate (``test_lower`` answers a question about
    lower case, it does not lower), and a hinted result of the type its argument is hinted as."""
    if function.name.startswith(PREDICATE_PREFIXES) or function.returns == "bool":
        return False
    hinted = [p.annotation for p in function.call_params if p.annotation]
    return not (function.returns and hinted and hinted[0] != function.returns)


MAX_USES = 24
"""Uses a parameter takes from the helpers it is handed to."""


def propagate_uses(functions: list[FunctionSpec], methods: list[FunctionSpec]) -> None:
    """A parameter handed to one of the module's helpers is tested by what the helper tests it
    against: ``days(year, month)`` that asks ``_short(month)`` takes the months ``_short`` compares
    with. Two rounds follow a helper's helper; each parameter takes at most ``MAX_USES``."""
    helpers = {f.name: f for f in functions}
    by_name = {m.name: m for m in methods}  # by name alone: a method of a base in the module
    own = {(m.owner, m.name): m for m in methods}
    for _ in range(2):
        for function in [*functions, *methods]:
            for uses in function.uses.values():
                for use in [u for u in uses if u.startswith("pass:")]:
                    _, callee, slot = use.split(":", 2)
                    name = callee.removeprefix("self.")
                    helper = (
                        own.get((function.owner, name)) or by_name.get(name)
                        if callee.startswith("self.")
                        else helpers.get(callee)
                    )
                    if helper is None or helper is function:
                        continue
                    for found in helper.uses.get(slot_name(helper, slot), []):
                        if not found.startswith("pass:") and found not in uses and len(uses) < MAX_USES:
                            uses.append(found)


def slot_name(function: FunctionSpec, slot: str) -> str:
    """The parameter an argument lands in: by position (``0``) or by keyword; '' for none."""
    if not slot.isdigit():
        return slot
    named = [p for p in function.call_params if p.kind in ("positional", "keyword")]
    return named[int(slot)].name if int(slot) < len(named) else ""
