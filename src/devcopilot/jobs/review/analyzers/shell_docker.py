"""shellcheck on shell scripts and hadolint on Dockerfiles, when those tools are installed.

Neither is a dependency: each is reported as skipped, with the reason, when it
is missing. Only their error and warning levels are shown (not info or style),
to keep a review worth reading.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from devcopilot.core.findings import Finding, Severity
from devcopilot.core.tools import Tool
from devcopilot.jobs.review.analyzers.base import ReviewInput
from devcopilot.jobs.review.files import ReviewFile

SHELLCHECK = Tool("shellcheck", executable="shellcheck")
HADOLINT = Tool("hadolint", executable="hadolint")
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
        return SHELLCHECK.unavailable_reason()

    def analyze(self, review: ReviewInput) -> list[Finding]:
        scripts = [f.path for f in review.files if is_shell_script(f)]
        if not scripts:
            return []
        report = SHELLCHECK.run_json(["--format=json1", "--severity=warning", *scripts], review.workdir)
        return [
            _finding(item["file"], item, _LEVELS[item["level"]], f"shellcheck/SC{item['code']}", self.name)
            for item in report.get("comments", [])
            if item.get("level") in _LEVELS
        ]


class HadolintAnalyzer:
    name = "hadolint"

    def unavailable_reason(self) -> str | None:
        return HADOLINT.unavailable_reason()

    def analyze(self, review: ReviewInput) -> list[Finding]:
        dockerfiles = [f.path for f in review.files if is_dockerfile(f)]
        if not dockerfiles:
            return []
        findings: list[Finding] = []
        for path in dockerfiles:  # hadolint reports one file per run reliably
            report = HADOLINT.run_json(["--no-fail", "--format=json", path], review.workdir)
            findings.extend(
                _finding(path, item, _LEVELS[item["level"]], f"hadolint/{item['code']}", self.name)
                for item in report
                if item.get("level") in _LEVELS
            )
        return findings
