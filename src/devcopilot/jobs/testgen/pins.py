"""The assertions that pin what a call returned, each in the form that holds wherever the test runs."""

from __future__ import annotations

import ast
from typing import Any

from devcopilot.jobs.testgen.calls import Call


def value_pin(  # noqa: PLR0911 - one return per kind of value reads best
    record: dict[str, Any], call: Call
) -> tuple[list[str], list[str]] | None:
    """The assertions pinning a returned value, and the imports they need; None when nothing reads back."""
    expression = call.expression
    if record.get("is_obj"):
        return [f"assert {expression} is obj"], []
    if "pattern" in record:  # the value names the machine: the rest of it is pinned
        shown = expression if record["matched"] == "value" else f"repr({expression})"
        return [f"assert re.fullmatch({record['pattern']!r}, {shown})"], ["import re"]
    if "home" in record:  # a path under the home directory, wherever the test runs
        expanded = f"os.path.expanduser({record['home']!r})"
        if record.get("as_path"):
            return [f"assert {expression} == pathlib.Path({expanded})"], ["import os", "import pathlib"]
        return [f"assert {expression} == {expanded}"], ["import os"]
    if "literal" in record:
        text = record["literal"]
        if record["type"] == "float":
            return [f"assert {expression} == pytest.approx({text})"], ["import pytest"]
        if text == "None":
            state = record.get("after", {}).get("obj_state", {})
            if call.pre and state.get("literal") not in (None, "None", "{}"):
                return [f"assert {expression} is None", f"assert vars(obj) == {state['literal']}"], []
            return [f"assert {expression} is None"], []
        if text in ("True", "False"):
            return [f"assert {expression} is {text}"], []
        return [f"assert {expression} == {text}"], []
    if "named" in record:  # a function or class: which one, by identity
        module, qualname = record["named"]
        return [f"assert {expression} is {module}.{qualname}"], [f"import {module}"]
    if "repr" in record:
        return [f"assert repr({expression}) == {record['repr']!r}"], []
    if record.get("attributes"):  # an object with no readable repr: what it holds
        return attributes_pin(expression, record["attributes"])
    return None


def attributes_pin(expression: str, attributes: dict[str, str]) -> tuple[list[str], list[str]]:
    lines, imports = [f"result = {expression}"], set()
    for name, text in attributes.items():
        line, needs = literal_pin(f"result.{name}", text)
        lines.append(line)
        imports.update(needs)
    return lines, sorted(imports)


def literal_pin(expression: str, text: str) -> tuple[str, list[str]]:
    """The assertion that ``expression`` equals the literal ``text``, and the imports it needs."""
    if text in ("None", "True", "False"):
        return f"assert {expression} is {text}", []
    if isinstance(ast.literal_eval(text), float):
        return f"assert {expression} == pytest.approx({text})", ["import pytest"]
    return f"assert {expression} == {text}", []
