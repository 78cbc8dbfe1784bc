"""Inline suppressions and baselines, as the base commit has them: how a team adopts a check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devcopilot.core.errors import ExitCode
from tests.conftest import git
from tests.test_review import commit, review_json, rules, write

LEGACY = (
    "a = undefined_one  # devcopilot: ignore[ruff/F821] predates the check\n"
    "# devcopilot: ignore[ruff/*] generated below\n"
    "b = undefined_two\n"
    "c = undefined_three\n"
)


def test_comments_the_base_commit_has_suppress_and_are_counted(repo: Path, cli: Any) -> None:
    commit(repo, {"pkg/legacy.py": LEGACY})
    write(repo, {"pkg/legacy.py": LEGACY + "d = 1\n"})
    git(repo, "add", "-A")

    report = review_json(cli, "--filter", "all")

    assert rules(report) == {("pkg/legacy.py", 4, "ruff/F821")}
    assert report["summary"]["left_out"] == {"suppressed": 2, "baselined": 0, "not_applied": 0}
    text = cli("review", "--filter", "all", "--fail-on", "never").stdout
    assert text.splitlines()[-1] == (
        "Reviewed 1 of 1 changed files (1 added lines): 1 error; 2 suppressed (source: staged)"
    )


def test_a_change_cannot_suppress_its_own_findings(repo: Path, cli: Any) -> None:
    write(repo, {"pkg/new.py": "x = nowhere  # devcopilot: ignore[ruff/F821] trust me\n"})
    git(repo, "add", "-A")

    result = cli("review")
    report = review_json(cli)

    assert result.code == ExitCode.FINDINGS, "the finding still fails the check"
    assert rules(report) == {("pkg/new.py", 1, "ruff/F821")}
    assert report["summary"]["left_out"]["not_applied"] == 1
    assert "take effect once it is merged" in result.stdout


def test_a_baseline_accepts_old_findings_and_only_those(repo: Path, cli: Any) -> None:
    commit(repo, {"pkg/old.py": "a = undefined_one\nb = undefined_two\n"})
    written = cli("review", "--range", "HEAD~1..HEAD", "--filter", "all", "--write-baseline")
    baseline = json.loads((repo / ".devcopilot-baseline.json").read_text())
    commit(repo, {}, "accept the old findings")
    write(repo, {"pkg/old.py": "a = undefined_one\nb = undefined_two\nc = undefined_three\n"})
    git(repo, "add", "-A")

    report = review_json(cli, "--filter", "all")
    markdown = cli("review", "--filter", "all", "--format", "markdown", "--fail-on", "never").stdout

    assert written.code == 0 and written.stdout == ""
    assert "wrote 2 review finding(s)" in written.stderr
    assert {e["path"] for e in baseline["jobs"]["review"]} == {"pkg/old.py"}
    assert rules(report) == {("pkg/old.py", 3, "ruff/F821")}
    assert report["summary"]["left_out"]["baselined"] == 2
    assert "2 baselined" in markdown


def test_a_baseline_the_change_adds_is_not_read(repo: Path, cli: Any) -> None:
    write(repo, {"pkg/new.py": "x = nowhere\n"})
    git(repo, "add", "-A")
    cli("review", "--write-baseline")
    git(repo, "add", "-A")

    report = review_json(cli)

    assert rules(report) == {("pkg/new.py", 1, "ruff/F821")}
    assert report["summary"]["left_out"]["baselined"] == 0


def test_a_broken_baseline_at_the_base_is_one_clear_error(repo: Path, cli: Any) -> None:
    commit(repo, {".devcopilot-baseline.json": "{not json"})
    write(repo, {"pkg/a.py": "x = 1\n"})
    git(repo, "add", "-A")

    result = cli("review")

    assert result.code == ExitCode.USAGE
    assert result.stderr.startswith("devcopilot: error: .devcopilot-baseline.json at ")
    assert "not a devcopilot baseline" in result.stderr
    assert "Traceback" not in result.stderr
