"""shellcheck on shell scripts and hadolint on Dockerfiles, when those tools are installed.

Neither is a dependency: each is reported as skipped, with the reason, when it
is missing. Only their error and warning levels are shown (not info or style),
to keep a review worth reading.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

from devcopilot.core.findings import Finding, Severity
from devcopilot.core.paths import find_executable
from devcopilot.jobs.review.analyzers.base import ReviewInput
from devcopilot.jobs.review.analyzers.linters import TOOL_TIMEOUT_S, ToolFailedError
from devcopilot.jobs.review.files import ReviewFile

_SHELLS = ("sh", "bash", "dash", "ksh", "zsh")
_LEVELS: dict[str, Severity] = {"error": "error", "warning": "warning"}


def is_shell_script(file: ReviewFile) -> bool:
    if file.suffix in {".sh", ".bash", ".ksh"}:
        return True
    first = file.text.split("\n", 1)[0]
    return first.startswith("#!") and any(first.rstrip().endswith(("/" + s, " " + s)) for s in _SHELLS)


def is_dockerfile(file: ReviewFile) -> bool:
    name = PurePosixPath(file.path).name
    return (
        name in {"Dockerfile", "Containerfile"}
        or name.startswith("Dockerfile.")
        or name.endswith(".dockerfile")
    )


def _run_tool(command: list[str], workdir: Path) -> Any:
    try:
        done = subprocess.run(
            command, cwd=workdir, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise ToolFailedError(f"{Path(command[0]).name} did not finish in {TOOL_TIMEOUT_S} s") from None
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        raise ToolFailedError(
            f"{Path(command[0]).name} gave no report: {done.stderr.strip()[-300:]}"
        ) from None


def _finding(path: str, item: dict[str, Any], severity: Severity, rule: str, source: str) -> Finding:
    line = int(item["line"])
    return Finding(
        path=path,
        line=line,
        end_line=max(line, int(item.get("endLine") or line)),
        severity=severity,
        category="bug",
        rule=rule,
        source=source,
        message=str(item["message"]),
    )


class ShellcheckAnalyzer:
    name = "shellcheck"

    def unavailable_reason(self) -> str | None:
        return None if find_executable("shellcheck") else "shellcheck is not installed"

    def analyze(self, review: ReviewInput) -> list[Finding]:
        scripts = [f.path for f in review.files if is_shell_script(f)]
        tool = find_executable("shellcheck")
        if not scripts or tool is None:
            return []
        report = _run_tool([tool, "--format=json1", "--severity=warning", *scripts], review.workdir)
        return [
            _finding(item["file"], item, _LEVELS[item["level"]], f"shellcheck/SC{item['code']}", self.name)
            for item in report.get("comments", [])
            if item.get("level") in _LEVELS
        ]


class HadolintAnalyzer:
    name = "hadolint"

    def unavailable_reason(self) -> str | None:
        return None if find_executable("hadolint") else "hadolint is not installed"

    def analyze(self, review: ReviewInput) -> list[Finding]:
        dockerfiles = [f.path for f in review.files if is_dockerfile(f)]
        tool = find_executable("hadolint")
        if not dockerfiles or tool is None:
            return []
        findings: list[Finding] = []
        for path in dockerfiles:  # hadolint reports one file per run reliably
            report = _run_tool([tool, "--no-fail", "--format=json", path], review.workdir)
            findings.extend(
                _finding(path, item, _LEVELS[item["level"]], f"hadolint/{item['code']}", self.name)
                for item in report
                if item.get("level") in _LEVELS
            )
        return findings
