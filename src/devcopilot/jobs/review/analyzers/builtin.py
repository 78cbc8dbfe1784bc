"""Checks no linter makes on a diff: conflict markers, debugger and print leftovers, broken data files."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Iterator

import yaml

from devcopilot.core.findings import Finding, Severity
from devcopilot.jobs.review.analyzers.base import ReviewInput, line_finding
from devcopilot.jobs.review.files import ReviewFile

_CONFLICT = re.compile(r"^(<{7}|>{7})(?: |$)|^={7}$", re.MULTILINE)
_DEBUGGER_MODULES = frozenset({"pdb", "ipdb", "pudb", "pdbpp", "debugpy"})


class BuiltinAnalyzer:
    name = "builtin"

    def unavailable_reason(self) -> str | None:
        return None

    def analyze(self, review: ReviewInput) -> list[Finding]:
        findings: list[Finding] = []
        for file in review.files:
            findings.extend(self._conflict_markers(file))
            if file.suffix == ".py":
                findings.extend(self._leftovers(file))
            elif file.kind == "data":
                findings.extend(self._broken_data(file))
        return findings

    def _finding(self, file: ReviewFile, line: int, severity: Severity, rule: str, message: str) -> Finding:
        return line_finding(
            self.name, file, line, f"builtin/{rule}", message, severity=severity, category="bug"
        )

    def _conflict_markers(self, file: ReviewFile) -> Iterator[Finding]:
        if "<<<<<<<" not in file.text:
            return
        for match in _CONFLICT.finditer(file.text):
            line = file.text.count("\n", 0, match.start()) + 1
            yield self._finding(
                file, line, "error", "conflict-marker", "merge-conflict marker left in the file"
            )

    def _leftovers(self, file: ReviewFile) -> Iterator[Finding]:
        try:
            tree = ast.parse(file.text)
        except (SyntaxError, ValueError):
            return  # ruff reports the syntax error itself
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _call_name(node.func)
                if name == "breakpoint" or name.endswith(".set_trace") or name in {"pdb.run", "ipdb.run"}:
                    yield self._finding(
                        file, node.lineno, "error", "debugger", f"debugger call {name}() left in the code"
                    )
                elif name == "print" and file.kind == "library":
                    yield self._finding(
                        file,
                        node.lineno,
                        "warning",
                        "print",
                        "print() in library code; use logging, or return the value",
                    )
            elif isinstance(node, ast.Import | ast.ImportFrom):
                modules = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                )
                if any(m.split(".")[0] in _DEBUGGER_MODULES for m in modules):
                    yield self._finding(
                        file, node.lineno, "error", "debugger", "debugger import left in the code"
                    )

    def _broken_data(self, file: ReviewFile) -> Iterator[Finding]:
        problem = _parse_problem(file.suffix, file.text)
        if problem is None:
            return
        if file.old_text is not None and _parse_problem(file.suffix, file.old_text) is not None:
            return  # it was already broken before this change
        line, message = problem
        if line not in file.changed.added_lines and file.changed.added_lines:
            # Parsers often notice a mistake a few lines after it; point at the nearest added line before.
            earlier = [n for n in file.changed.added_lines if n <= line]
            line = max(earlier) if earlier else min(file.changed.added_lines)
        yield self._finding(
            file, line, "error", "unparseable", f"{file.suffix[1:].upper()} no longer parses: {message}"
        )


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_call_name(func.value)}.{func.attr}"
    return ""


def _parse_problem(suffix: str, text: str) -> tuple[int, str] | None:
    """``(line, message)`` of the first parse error, or ``None`` when the text parses."""
    try:
        if suffix == ".json":
            json.loads(text)
        elif suffix == ".toml":
            tomllib.loads(text)
        else:
            for _ in yaml.safe_load_all(text):
                pass
    except json.JSONDecodeError as error:
        return error.lineno, error.msg
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        return (int(match.group(1)) if match else 1), str(error)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return (mark.line + 1 if mark is not None else 1), str(getattr(error, "problem", None) or error)
    except (ValueError, RecursionError) as error:
        return 1, str(error)
    return None
