"""External tools (linters, validators) run one way: found or skipped with a reason, timed out, read.

A job that wants ruff, hadolint or a schema validator names a ``Tool``. A tool
that is not installed is not an error: the job reports it as skipped, with the
reason, and goes on. A tool that runs but gives no report it can read raises
``ToolFailedError`` with the tool's own last words, so the user sees why.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devcopilot.core.paths import find_executable

TOOL_TIMEOUT_S = 300
STDERR_SHOWN = 300


class ToolFailedError(RuntimeError):
    """The tool ran but did not produce a report we can read (or did not finish in time)."""


@dataclass(frozen=True)
class Tool:
    name: str
    module: str | None = None
    """Run as ``python -m module`` with this interpreter (a tool that ships as a wheel dependency)."""
    executable: str | None = None
    """Run as this program, found beside this interpreter or on PATH."""
    timeout_s: float = TOOL_TIMEOUT_S

    def unavailable_reason(self) -> str | None:
        """Why the tool cannot run here, or ``None`` when it can."""
        if self.module is not None:
            return (
                None if importlib.util.find_spec(self.module) is not None else f"{self.name} is not installed"
            )
        if self.executable is not None and find_executable(self.executable) is not None:
            return None
        return f"{self.name} is not installed"

    def command(self) -> list[str]:
        if self.module is not None:
            return [sys.executable, "-m", self.module]
        program = find_executable(self.executable or self.name)
        if program is None:
            raise ToolFailedError(f"{self.name} is not installed")
        return [program]

    def run(self, args: Sequence[str], cwd: Path) -> str:
        """The tool's standard output; no output at all is a failure (a report was expected)."""
        try:
            done = subprocess.run(
                [*self.command(), *args],
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ToolFailedError(f"{self.name} did not finish in {self.timeout_s:g} s") from None
        except OSError as error:
            raise ToolFailedError(f"{self.name} could not start: {error.strerror}") from None
        if not done.stdout.strip():
            raise ToolFailedError(f"{self.name} produced no report: {done.stderr.strip()[-STDERR_SHOWN:]}")
        return done.stdout

    def run_json(self, args: Sequence[str], cwd: Path) -> Any:
        text = self.run(args, cwd)
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ToolFailedError(
                f"{self.name} gave a report that is not JSON: {text[:STDERR_SHOWN]}"
            ) from None
