"""The project's names a documentation code block uses, read with ``ast`` (nothing is run).

``import pkg.mod``, ``from pkg.mod import name`` and attribute chains on a
name bound to one of the project's modules (``click.echo``, ``c.Context``
after ``import click as c``) become references, at the line they are on. A
block that does not parse gives none; running it is ``blocks``' job.
"""

from __future__ import annotations

import ast
import doctest
import re

from devcopilot.jobs.docs.blocks import PYTHON, parsed
from devcopilot.jobs.docs.model import Block, Reference


def references(block: Block, packages: tuple[str, ...]) -> list[Reference]:
    if block.language not in PYTHON and block.language != "":
        return []
    source, lines = _source(block)
    shown = _traceback_names(block, packages)
    tree = parsed(source)
    if tree is None:
        # An unlabelled block that is not Python is probably a shell session or output: not read.
        return shown + (_fragment_references(block, packages) if block.language else [])
    # Examples leave out ``import pkg`` all the time: the package's own name means the package.
    bound: dict[str, str] = {package: package for package in packages}
    found: list[Reference] = shown

    def add(node: ast.AST, name: str) -> None:
        row = lines[getattr(node, "lineno", 1) - 1] if lines else getattr(node, "lineno", 1) - 1
        found.append(Reference(block.line + row, name, "literal"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in packages:
                    top = alias.name.split(".")[0]
                    bound[alias.asname or top] = alias.name if alias.asname else top
                    add(node, alias.name)
        elif (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and (node.module or "").split(".")[0] in packages
        ):
            for alias in node.names:
                if alias.name != "*":
                    add(node, f"{node.module}.{alias.name}")
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            chain = _chain(node)
            if chain and chain[0] in bound:
                add(node, ".".join([bound[chain[0]], *chain[1:]]))
    return found


def _traceback_names(block: Block, packages: tuple[str, ...]) -> list[Reference]:
    """The exception a shown traceback ends with (``pkg.errors.Timeout: ...``): it names a class too."""
    if "Traceback" not in block.text:
        return []
    pattern = re.compile(
        r"^\s*((?:" + "|".join(map(re.escape, packages)) + r")(?:\.[A-Za-z_]\w*)+)(?::|\s*$)"
    )
    found = []
    for row, line in enumerate(block.text.splitlines()):
        match = pattern.match(line)
        if match:
            found.append(Reference(block.line + row, match.group(1), "literal"))
    return found


def _fragment_references(block: Block, packages: tuple[str, ...]) -> list[Reference]:
    """In an excerpt that does not parse, the dotted names that start with a package, outside comments."""
    pattern = re.compile(r"(?<![\w.'\"])(?:" + "|".join(map(re.escape, packages)) + r")(?:\.[A-Za-z_]\w*)+")
    found = []
    for row, line in enumerate(block.text.splitlines()):
        code = line.split("#", 1)[0]
        found += [Reference(block.line + row, match.group(0), "literal") for match in pattern.finditer(code)]
    return found


def _chain(node: ast.Attribute) -> list[str]:
    parts: list[str] = []
    current: ast.AST = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name):
        return []
    return [current.id, *reversed(parts)]


def _source(block: Block) -> tuple[str, list[int]]:
    """The Python source of a block (a doctest's examples joined), and each source line's row in the block."""
    if block.language not in ("pycon", "python-repl", "doctest") and not block.text.lstrip().startswith(
        ">>>"
    ):
        return block.text, []
    source: list[str] = []
    rows: list[int] = []
    for example in doctest.DocTestParser().get_examples(block.text):
        for offset, line in enumerate(example.source.splitlines()):
            source.append(line)
            rows.append(example.lineno + offset)
    return "\n".join(source), rows
