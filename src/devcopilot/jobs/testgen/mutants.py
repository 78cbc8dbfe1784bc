"""Small changes to the functions under test, made from their syntax tree: the mutants tests must notice.

A test that passes on the code and on a copy with ``<`` turned into ``<=`` would
not notice that change breaking it. The job keeps a candidate test when it
adds coverage or when it fails on a mutant the kept tests let pass, and
``--mutation`` reports the mutants that survive, per function.

Each mutant changes one node of one function's body: an arithmetic, bitwise or
boolean operator, a comparison, a constant (a string also in the other case),
a returned value (to ``None``), an assigned value (to ``None``), an augmented
assignment made plain (``+=`` to ``=``), a ``not`` or a sign dropped, a call or
a ``raise`` statement removed, ``break`` and ``continue`` swapped, an argument
of a call passed as ``None`` or left out, and a method swapped for its mirror
(``lstrip`` and ``rstrip``, ``find`` and ``rfind``). A test that passes when an
argument is ignored does not check what the argument is for. Decorators,
default values and annotations are left alone: they are evaluated when the
function is defined, and a mutant is applied by swapping a function's code.

Standard library only: the sandbox's driver imports this module to apply a
mutant by its number in the process that runs the tests, and must get the
same numbering as the job did.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import CodeType
from typing import Any

SWAPS: dict[type[ast.AST], type[ast.AST]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Div,
    ast.Pow: ast.Mult,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.BitXor: ast.BitAnd,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.And: ast.Or,
    ast.Or: ast.And,
}
SYMBOLS: dict[type[ast.AST], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|",
    ast.BitXor: "^", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
    ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.And: "and", ast.Or: "or", ast.Not: "not", ast.USub: "-", ast.Invert: "~",
}  # fmt: skip
NOT_CODE = frozenset({"decorator_list", "args", "returns", "annotation", "type_comment", "type_params"})
"""Fields evaluated when the function is defined, or never: a mutant there would not change its code
(a definition's ``args``, not a call's)."""
REMOVABLE = (ast.Call, ast.Await)
"""Expression statements worth removing: a call made for its effect."""
MIRRORS = dict(
    pair
    for a, b in (
        ("lower", "upper"), ("lstrip", "rstrip"), ("ljust", "rjust"), ("find", "rfind"), ("index", "rindex"),
        ("split", "rsplit"), ("partition", "rpartition"), ("removeprefix", "removesuffix"),
        ("startswith", "endswith"),
    )
    for pair in ((a, b), (b, a))
)  # fmt: skip
"""Methods of the built-in sequences that do the same from the other end, or in the other case."""


@dataclass(frozen=True)
class Mutant:
    number: int
    """Its place in the numbering of every mutant of the module's selected functions."""
    function: str
    line: int
    """The first line of the statement it changes, as coverage.py counts lines."""
    change: str

    def describe(self) -> str:
        return f"line {self.line}: {self.change}"


@dataclass(frozen=True)
class Site:
    mutant: Mutant
    apply: Callable[[], None]
    """Change the tree this site was found in (once; parse again for another mutant)."""


def sites(tree: ast.Module, functions: Sequence[str]) -> list[Site]:
    """Every mutant of the named functions (qualified names), numbered in a fixed order."""
    found: list[Site] = []
    last = dict(_definitions(tree))  # `@overload` stubs come first; the definition bound last runs
    for qualname, node in last.items():
        if qualname in functions:
            for mutant_of in _mutations(node):
                change, line, apply = mutant_of
                found.append(Site(Mutant(len(found), qualname, line, change), apply))
    return found


def sample(mutants: list[Mutant], cap: int, seed: int) -> list[Mutant]:
    """At most ``cap`` mutants, drawn with ``seed``, spread evenly over the functions."""
    if len(mutants) <= cap:
        return mutants
    by_function: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_function.setdefault(mutant.function, []).append(mutant)
    rng = random.Random(seed)
    queues = [rng.sample(group, len(group)) for group in by_function.values()]
    chosen: list[Mutant] = []
    while len(chosen) < cap:
        for queue in queues:
            if queue and len(chosen) < cap:
                chosen.append(queue.pop())
    return sorted(chosen, key=lambda m: m.number)


def mutated_code(source: str, filename: str, functions: Sequence[str], number: int) -> CodeType:
    """The code object of the function mutant ``number`` changes, compiled from the changed module."""
    tree = ast.parse(source, filename)
    site = sites(tree, functions)[number]
    function = dict(_definitions(tree))[site.mutant.function]
    has_class_cell = any(
        isinstance(n, ast.Name) and n.id in ("super", "__class__") for n in ast.walk(function)
    )
    site.apply()
    if has_class_cell:
        # The live method closes over its class (it calls `super()`), and a code object is swapped
        # in only with the same free variables: a reference never run keeps the cell, as the
        # compiler decides cells by name, after a mutant removed the call.
        function.body.append(ast.If(ast.Constant(False), [ast.Expr(ast.Name("__class__", ast.Load()))], []))
    ast.fix_missing_locations(tree)
    module_code = compile(tree, filename, "exec", dont_inherit=True)
    code = _find_code(module_code, site.mutant.function)
    if code is None:
        raise LookupError(f"{site.mutant.function} has no code of its own in the module")
    return code


def _find_code(code: CodeType, qualname: str) -> CodeType | None:
    """The code object of the last definition of ``qualname`` (after any ``@overload`` stubs)."""
    found = None
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            if constant.co_qualname == qualname:
                found = constant
            inner = _find_code(constant, qualname)
            found = inner or found
    return found


Definition = ast.FunctionDef | ast.AsyncFunctionDef


def _definitions(tree: ast.Module) -> Iterator[tuple[str, Definition]]:
    """Functions and methods by qualified name, as ``__qualname__`` spells them (nested ones excluded)."""

    def walk(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, Definition]]:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield prefix + node.name, node
            elif isinstance(node, ast.ClassDef):
                yield from walk(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.If | ast.Try):  # definitions under `if TYPE_CHECKING` or `try: import`
                for part in ("body", "orelse", "finalbody"):
                    yield from walk(getattr(node, part, []), prefix)

    yield from walk(tree.body, "")


def definition_names(tree: ast.Module) -> list[str]:
    """Every function and method of the module by qualified name, its private helpers included."""
    return [name for name, _ in _definitions(tree)]


Mutation = tuple[str, int, Callable[[], None]]


def _mutations(function: Definition) -> Iterator[Mutation]:
    for index, statement in enumerate(function.body):
        if index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        yield from _replacements(function, "body", index, statement, statement.lineno)
        yield from _in_node(statement, statement.lineno)


def _in_node(node: ast.AST, line: int) -> Iterator[Mutation]:
    if isinstance(node, ast.stmt):
        line = node.lineno
        yield from _statement_mutations(node, line)
    yield from _node_mutations(node, line)
    for name, value in ast.iter_fields(node):
        if (name in NOT_CODE and not isinstance(node, ast.Call)) or isinstance(node, ast.JoinedStr):
            continue  # a call's `args` are code: what is passed
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield from _replacements(node, name, index, item, line)
                    yield from _in_node(item, line)
        elif isinstance(value, ast.AST):
            yield from _replacements(node, name, None, value, line)
            yield from _in_node(value, line)


def _node_mutations(node: ast.AST, line: int) -> Iterator[Mutation]:
    """Changes made in place: an operator swapped, a constant changed."""
    if isinstance(node, ast.BinOp | ast.AugAssign | ast.BoolOp) and type(node.op) in SWAPS:
        yield _swap(node, "op", node.op, line)
    elif isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            if type(op) in SWAPS:
                yield _swap_compare(node, index, op, line)
    elif isinstance(node, ast.Constant):
        for changed in _changed_constants(node.value):

            def apply(node: ast.Constant = node, value: Any = changed) -> None:
                node.value = value

            yield f"`{_short(node.value)}` → `{_short(changed)}`", line, apply
    elif isinstance(node, ast.Call):
        yield from _call_mutations(node, line)


def _call_mutations(node: ast.Call, line: int) -> Iterator[Mutation]:
    """A method swapped for its mirror; each argument passed as ``None``, then left out."""
    if isinstance(node.func, ast.Attribute) and node.func.attr in MIRRORS:
        mirror = MIRRORS[node.func.attr]

        def mirrored(func: ast.Attribute = node.func, name: str = mirror) -> None:
            func.attr = name

        yield f"`.{node.func.attr}(` → `.{mirror}(`", line, mirrored
    arguments: list[tuple[str, list[Any], int]] = [
        (f"argument {index + 1}", node.args, index)
        for index, value in enumerate(node.args)
        if not isinstance(value, ast.Starred)
    ]
    arguments += [
        (f"`{keyword.arg}=`", node.keywords, index)
        for index, keyword in enumerate(node.keywords)
        if keyword.arg is not None  # `**options` passes no one argument
    ]
    for label, values, index in arguments:
        argument = values[index]
        if not _is_none(argument.value if isinstance(argument, ast.keyword) else argument):
            yield f"{label} → `None`", line, _none_argument(values, index)
        yield f"{label} left out", line, _left_out(values, index)


def _none_argument(values: list[Any], index: int) -> Callable[[], None]:
    def apply() -> None:
        none = ast.copy_location(ast.Constant(None), values[index])
        if isinstance(values[index], ast.keyword):
            values[index].value = none
        else:
            values[index] = none

    return apply


def _left_out(values: list[Any], index: int) -> Callable[[], None]:
    def apply() -> None:
        del values[index]

    return apply


def _swap(node: ast.AST, field: str, op: ast.AST, line: int) -> Mutation:
    new = SWAPS[type(op)]

    def apply() -> None:
        setattr(node, field, new())

    return f"`{SYMBOLS[type(op)]}` → `{SYMBOLS[new]}`", line, apply


def _swap_compare(node: ast.Compare, index: int, op: ast.cmpop, line: int) -> Mutation:
    new = SWAPS[type(op)]

    def apply() -> None:
        node.ops[index] = new()  # type: ignore[call-overload]  # SWAPS maps a comparison to a comparison

    return f"`{SYMBOLS[type(op)]}` → `{SYMBOLS[new]}`", line, apply


def _statement_mutations(node: ast.stmt, line: int) -> Iterator[Mutation]:
    """Changes to a statement as a whole: what it returns or assigns, or the statement dropped."""
    if isinstance(node, ast.Return) and node.value is not None and not _is_none(node.value):

        def none_returned(node: ast.Return = node) -> None:
            node.value = ast.copy_location(ast.Constant(None), node)

        yield "returns `None`", line, none_returned
    elif isinstance(node, ast.Assign) and not _is_none(node.value):

        def none_assigned(node: ast.Assign = node) -> None:
            node.value = ast.copy_location(ast.Constant(None), node.value)

        yield "assigns `None`", line, none_assigned
    elif isinstance(node, ast.AugAssign):
        yield f"`{SYMBOLS[type(node.op)]}=` → `=`", line, _retyped(node, ast.Assign, targets=[node.target])
    elif isinstance(node, ast.Break | ast.Continue):
        other = ast.Continue if isinstance(node, ast.Break) else ast.Break
        yield f"`{type(node).__name__.lower()}` → `{other.__name__.lower()}`", line, _retyped(node, other)


def _retyped(node: ast.stmt, other: type[ast.stmt], **fields: object) -> Callable[[], None]:
    """The statement turned into another kind, with the fields that kind has and it lacks."""

    def apply() -> None:
        for name, value in fields.items():
            setattr(node, name, value)
        node.__class__ = other

    return apply


def _replacements(
    parent: ast.AST, field: str, index: int | None, child: ast.AST, line: int
) -> Iterator[Mutation]:
    """Changes that replace a child node: ``not x`` → ``x``, ``-x`` → ``x``, a call or raise → ``pass``."""
    replacement: ast.AST | None = None
    change = ""
    if isinstance(child, ast.UnaryOp) and isinstance(child.op, ast.Not | ast.USub | ast.Invert):
        replacement, change = child.operand, f"`{SYMBOLS[type(child.op)]}` dropped"
    elif index is not None and isinstance(child, ast.Expr) and isinstance(child.value, REMOVABLE):
        replacement, change = ast.copy_location(ast.Pass(), child), "call removed"
    elif index is not None and isinstance(child, ast.Raise):
        replacement, change = ast.copy_location(ast.Pass(), child), "`raise` removed"
    if replacement is None:
        return

    def apply(new: ast.AST = replacement) -> None:
        if index is None:
            setattr(parent, field, new)
        else:
            getattr(parent, field)[index] = new

    yield change, line, apply


def _changed_constants(value: object) -> list[object]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1]
    if isinstance(value, float):
        return [value + 1.0]
    if isinstance(value, str | bytes):
        marked = f"XX{value}XX" if isinstance(value, str) else b"XX" + value + b"XX"
        cased = value.upper() if value != value.upper() else value.lower()
        return [marked] if cased == value else [marked, cased]
    return []


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
