"""ruff and bandit on the new content of changed Python files, quiet by default.

Both run once over a temporary copy of the files (not the repository), with
their own defaults rather than the repository's configuration: a change must
not be able to silence its own review by editing ``pyproject.toml``.

The rules are chosen so that what is shown deserves attention: ruff's bug and
correctness rules only (never style), bandit's medium and high findings with at
least medium confidence, and nothing that a file's kind makes normal (an
``assert`` or a fixture password in a test, a subprocess call in a script).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from devcopilot.core.findings import Finding, Severity
from devcopilot.core.tools import Tool
from devcopilot.jobs.review.analyzers.base import ReviewInput
from devcopilot.jobs.review.files import FileKind, ReviewFile

RUFF_ERRORS = ("E9", "F63", "F7", "F82", "PLE")
RUFF_WARNINGS = (
    "F50", "F52", "F601", "F602", "F621", "F622",
    "B002", "B003", "B004", "B006", "B012", "B015", "B016", "B017", "B018", "B019", "B020", "B021",
    "B022", "B023", "B025", "B026", "B029", "B030", "B031", "B032", "B033", "B035",
)  # fmt: skip
BANDIT_QUIET_BY_KIND: dict[FileKind, frozenset[str]] = {
    # assert is how tests check; literal passwords in tests are fixtures; tests may use random freely.
    "test": frozenset({"B101", "B105", "B106", "B107", "B311", "B404", "B603", "B607"}),
    # A script's job is often to run commands.
    "script": frozenset({"B404", "B603", "B607"}),
}
BANDIT_SEVERITY: dict[str, Severity] = {"HIGH": "error", "MEDIUM": "warning", "LOW": "info"}
BANDIT_FILES_PER_PROCESS = 25


RUFF = Tool("ruff", module="ruff")
BANDIT = Tool("bandit", module="bandit")


def _python(files: Sequence[ReviewFile]) -> dict[str, ReviewFile]:
    return {file.path: file for file in files if file.suffix == ".py"}


class RuffAnalyzer:
    name = "ruff"

    def unavailable_reason(self) -> str | None:
        return RUFF.unavailable_reason()

    def analyze(self, review: ReviewInput) -> list[Finding]:
        python = _python(review.files)
        workdir = review.workdir
        if not python:
            return []
        select = ",".join((*RUFF_ERRORS, *RUFF_WARNINGS, *review.settings.ruff_extend_select))
        args = [
            "check",
            "--isolated",
            "--no-cache",
            "--exit-zero",
            "--output-format=json",
            f"--select={select}",
        ]
        report = RUFF.run_json([*args, *python], workdir)
        return [self._finding(item, python, workdir) for item in report]

    def _finding(self, item: dict[str, Any], files: dict[str, ReviewFile], workdir: Path) -> Finding:
        path = Path(item["filename"]).resolve().relative_to(workdir.resolve()).as_posix()
        code = item.get("code") or "syntax-error"
        start = item["location"]["row"]
        end = max(start, (item.get("end_location") or {}).get("row") or start)
        severity: Severity = "error" if code == "syntax-error" or code.startswith(RUFF_ERRORS) else "warning"
        return Finding(
            path=files[path].path,
            line=start,
            end_line=end,
            severity=severity,
            category="bug",
            rule=f"ruff/{code}",
            source=self.name,
            message=item["message"],
        )


class BanditAnalyzer:
    name = "bandit"

    def unavailable_reason(self) -> str | None:
        return BANDIT.unavailable_reason()

    def analyze(self, review: ReviewInput) -> list[Finding]:
        python = _python(review.files)
        workdir = review.workdir
        if not python:
            return []
        args = [
            "--format",
            "json",
            "--quiet",
            "--severity-level",
            review.settings.bandit_level,
            "--confidence-level",
            "medium",
        ]
        # bandit is single-threaded and the slowest analyzer: a large change is split across the cores.
        paths = sorted(python)
        chunks = max(1, min(os.cpu_count() or 1, len(paths) // BANDIT_FILES_PER_PROCESS))
        slices = [paths[i::chunks] for i in range(chunks)]
        with ThreadPoolExecutor(max_workers=chunks) as pool:
            reports = list(pool.map(lambda part: BANDIT.run_json([*args, *part], workdir), slices))
        results = [item for report in reports for item in report.get("results", [])]
        findings = []
        for item in results:
            path = Path(item["filename"]).as_posix().removeprefix("./")
            file = python.get(path)
            if file is None or item["test_id"] in BANDIT_QUIET_BY_KIND.get(file.kind, frozenset()):
                continue
            severity = BANDIT_SEVERITY.get(item["issue_severity"])
            if severity is None:
                continue
            lines = item.get("line_range") or [item["line_number"]]
            findings.append(
                Finding(
                    path=path,
                    line=item["line_number"],
                    end_line=max(lines),
                    severity=severity,
                    category="security",
                    rule=f"bandit/{item['test_id']}",
                    source=self.name,
                    message=f"{item['issue_text']} ({item['test_name']})",
                )
            )
        return findings
