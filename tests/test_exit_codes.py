"""One exit-code scheme for every command, shown command by command on real repositories.

0 nothing at ``--fail-on``; 1 something at ``--fail-on`` (findings, possible bugs);
2 usage, configuration or input error; 3 strict model use and no model answered;
4 internal error; 130 interrupted (both in ``test_cli``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devcopilot.core.errors import ExitCode
from tests.conftest import git, incident_log, route_config
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.test_tests_job import BUGGY

Setup = Callable[[Path, FakeOpenAI, pytest.MonkeyPatch], None]


def staged(files: dict[str, str]) -> Setup:
    def setup(repo: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text, encoding="utf-8")
        git(repo, "add", "-A")

    return setup


def log_file(repo: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    incident_log(repo / "app.log")


def failing_model(repo: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    (repo / ".devcopilot.toml").write_text(route_config(fake, "down"), encoding="utf-8")
    fake.script("down", *[Reply.error(401, "bad key")] * 10)


def bad_config(repo: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".devcopilot.toml").write_text("[review]\nconcurency = 2\n", encoding="utf-8")
    git(repo, "add", "-A")


def nothing(repo: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    return None


CLEAN = staged({"pkg/ok.py": "def double(x):\n    return 2 * x\n"})
ERROR = staged({"pkg/bad.py": "x = undefined_name\n"})
CASES: list[tuple[str, Setup, list[str], ExitCode]] = [
    ("review, nothing found", CLEAN, ["review"], ExitCode.OK),
    ("review, a finding at --fail-on", ERROR, ["review"], ExitCode.FINDINGS),
    ("review, --fail-on never", ERROR, ["review", "--fail-on", "never"], ExitCode.OK),
    ("review, --strict-model with no model", CLEAN, ["review", "--strict-model"], ExitCode.MODEL_UNAVAILABLE),
    ("review, every model fails", failing_model, ["review", "--strict-model"], ExitCode.MODEL_UNAVAILABLE),
    ("review, an unknown format", CLEAN, ["review", "--format", "xml"], ExitCode.USAGE),
    ("review, a bad range", CLEAN, ["review", "--range", "nope"], ExitCode.USAGE),
    ("review, a typo in [review]", bad_config, ["review"], ExitCode.USAGE),
    ("incident explain", log_file, ["incident", "explain", "app.log"], ExitCode.OK),
    ("incident explain, strict", log_file, ["incident", "explain", "app.log", "--strict-model"], 3),
    ("incident explain, a missing log", nothing, ["incident", "explain", "gone.log"], ExitCode.USAGE),
    ("incident templates", log_file, ["incident", "templates", "app.log"], ExitCode.OK),
    (
        "tests generate, --model with --no-model",
        nothing,
        ["tests", "generate", "x.py", "-m", "a", "--no-model"],
        2,
    ),
    ("tests gaps, a missing file", nothing, ["tests", "gaps", "gone.py"], ExitCode.USAGE),
    ("models test, every model fails", failing_model, ["models", "test"], ExitCode.MODEL_UNAVAILABLE),
    ("models test, an offline route", nothing, ["models", "test"], ExitCode.USAGE),
    ("stats, an unknown grouping", nothing, ["stats", "--by", "colour"], ExitCode.USAGE),
    ("config show", nothing, ["config", "show"], ExitCode.OK),
]


@pytest.mark.parametrize(("setup", "argv", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_command_keeps_the_documented_exit_code(
    repo: Path,
    fake_llm: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    cli: Any,
    setup: Setup,
    argv: list[str],
    expected: int,
) -> None:
    setup(repo, fake_llm, monkeypatch)

    result = cli(*argv)

    assert result.code == expected, result.stderr
    if expected == ExitCode.USAGE:
        assert result.stderr.count("\n") <= 2 and "Traceback" not in result.stderr


@pytest.mark.slow
def test_tests_generate_exits_1_on_a_possible_bug_and_0_without(
    repo: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pkg").mkdir()
    (repo / "pkg" / "__init__.py").write_text("")
    (repo / "pkg" / "stats.py").write_text(BUGGY)
    (repo / "pkg" / "fine.py").write_text("def double(n: int) -> int:\n    return n * 2\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", "modules")

    buggy = cli("tests", "generate", "pkg/stats.py", "--budget-seconds", "20")
    accepted = cli("tests", "generate", "pkg/stats.py", "--budget-seconds", "20", "--fail-on", "never")
    fine = cli("tests", "generate", "pkg/fine.py", "--budget-seconds", "20")

    assert buggy.code == ExitCode.FINDINGS, buggy.stderr
    assert accepted.code == ExitCode.OK and "possible bug in mean" in accepted.stdout
    assert "possible bug in mean" in buggy.stdout
    assert fine.code == ExitCode.OK, fine.stderr
