"""Place whole test functions into a new or existing test module, by ``ast``, never by line number.

An existing module is only added to: new imports go after its last top-level
import, new tests after its last statement, and a new test whose name is
already taken is renamed. Nothing already in the file changes.
"""

from __future__ import annotations

import ast
import difflib
import re
import sys
from collections.abc import Iterable
from dataclasses import replace

from devcopilot.jobs.testgen.candidates import Candidate

DEF_LINE = re.compile(r"^(\s*)def\s+(\w+)\s*\(", re.MULTILINE)


def header(module: str) -> str:
    return (
        f'"""Tests for {module}, written by devcopilot tests.\n\n'
        "Each test here imported, passed five times in random order, and added line or branch\n"
        'coverage when it was generated. Characterization tests pin behaviour as it was then."""\n'
    )


def defined_names(text: str) -> set[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def existing_imports(text: str) -> set[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    return {ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)}


def renamed(candidate: Candidate, taken: set[str]) -> Candidate:
    """The candidate under a name not in ``taken`` (its ``def`` line is the only one changed)."""
    if candidate.name not in taken:
        return candidate
    number = 2
    while f"{candidate.name}_{number}" in taken:
        number += 1
    new = f"{candidate.name}_{number}"
    code = DEF_LINE.sub(
        lambda m: f"{m.group(1)}def {new}(" if m.group(2) == candidate.name else m.group(0),
        candidate.code,
        count=1,
    )
    return replace(candidate, name=new, code=code)


def unique(candidates: Iterable[Candidate], existing: str) -> list[Candidate]:
    taken = defined_names(existing)
    placed = []
    for candidate in candidates:
        named = renamed(candidate, taken)
        taken.add(named.name)
        placed.append(named)
    return placed


def shielded(candidate: Candidate) -> Candidate:
    """Import names that pytest would collect (``test_x``, ``TestX``) under a private alias.

    A module under test may define ``test_odd``; imported as is into a test
    module, pytest would run it as a test of its own and report errors.
    """
    imports: list[str] = []
    renames: dict[str, str] = {}
    for statement in candidate.imports:
        try:
            node = ast.parse(statement).body[0]
        except (SyntaxError, IndexError):
            imports.append(statement)
            continue
        if isinstance(node, ast.ImportFrom) and any(
            a.name.lower().startswith("test") and not a.asname for a in node.names
        ):
            for imported in node.names:
                if imported.name.lower().startswith("test") and not imported.asname:
                    renames[imported.name] = imported.asname = f"_{imported.name}"
            imports.append(ast.unparse(node))
        else:
            imports.append(statement)
    if not renames:
        return candidate
    code = candidate.code
    for name, private in renames.items():
        code = re.sub(rf"(?<![\w.]){re.escape(name)}\b(?!_)", private, code)
    code = DEF_LINE.sub(lambda m: f"{m.group(1)}def {candidate.name}(", code, count=1)
    return replace(candidate, code=code, imports=imports)


def compose(existing: str | None, candidates: list[Candidate], module: str) -> str:
    """The test module with ``candidates`` added; ``existing`` text is kept byte for byte."""
    candidates = [shielded(c) for c in candidates]
    base = existing if existing is not None else header(module)
    have = existing_imports(base)
    wanted = [i for i in dict.fromkeys(i for c in candidates for i in c.imports) if normal(i) not in have]
    imports = merged(wanted)
    imports.sort(key=import_order)
    lines = base.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    at = import_insertion_line(base)
    block = [line + "\n" for line in imports]
    if block and existing is None:
        block = ["\n", *block]
    lines[at:at] = block
    body = "".join(lines).rstrip("\n") + "\n"
    for candidate in candidates:
        body += "\n\n" + candidate.code.rstrip("\n") + "\n"
    return body


def merged(statements: list[str]) -> list[str]:
    """``from m import a`` and ``from m import b`` become ``from m import a, b``; others stay as they are."""
    names: dict[str, list[str]] = {}
    others: list[str] = []
    for statement in statements:
        try:
            node = ast.parse(statement).body[0]
        except (SyntaxError, IndexError):
            others.append(statement)
            continue
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module != "hypothesis"
        ):
            for alias in node.names:
                shown = f"{alias.name} as {alias.asname}" if alias.asname else alias.name
                names.setdefault(node.module, []).append(shown)
        else:
            others.append(statement)
    joined = [f"from {module} import {', '.join(sorted(set(items)))}" for module, items in names.items()]
    return others + joined


def import_order(statement: str) -> tuple[int, bool, str]:
    """The standard library first, then the test tools, then the code under test; plain imports first."""
    words = statement.split()
    top = words[1].split(".", maxsplit=1)[0] if len(words) > 1 else ""
    group = 0 if top in sys.stdlib_module_names else 1 if top in ("pytest", "hypothesis") else 2
    return group, not statement.startswith("import "), statement


def normal(statement: str) -> str:
    try:
        return ast.unparse(ast.parse(statement).body[0])
    except (SyntaxError, IndexError):
        return statement


def import_insertion_line(text: str) -> int:
    """The line index after the module docstring, ``__future__`` imports and other top-level imports."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return 0
    at = 0
    for index, node in enumerate(tree.body):
        is_docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if is_docstring or isinstance(node, ast.Import | ast.ImportFrom):
            at = node.end_lineno or node.lineno
        else:
            break
    return at


def diff(old: str, new: str, path: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
    )
