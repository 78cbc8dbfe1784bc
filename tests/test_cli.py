"""The command line as a user meets it: exit codes, messages, machine output, models list/test."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from devcopilot import __version__
from devcopilot.core.errors import ExitCode
from tests.conftest import devcopilot_executable, route_config
from tests.support.fake_openai import FakeOpenAI, Reply


def echo_nonce(body: dict[str, Any]) -> Reply:
    """Answer the probe correctly: echo the token the prompt asks for."""
    words = body["messages"][-1]["content"].split()
    return Reply.json({"reply": words[words.index("token") + 1]})


def test_exit_codes_are_documented_in_help(cli: Any) -> None:
    result = cli("--help")

    assert result.code == ExitCode.OK
    words = " ".join(result.stdout.split())
    for code in ExitCode:
        assert f" {int(code)} " in words


def test_version(cli: Any) -> None:
    result = cli("--version")

    assert (result.code, result.stdout) == (0, f"devcopilot {__version__}\n")


def test_unknown_options_and_commands_are_usage_errors(cli: Any) -> None:
    for args in (("--frobnicate",), ("frobnicate",), ("log", "--limit", "zero")):
        result = cli(*args)
        assert result.code == ExitCode.USAGE
        assert "Traceback" not in result.stderr
        assert "Error" in result.stderr


def test_an_unexpected_error_is_one_line_plus_a_crash_log(
    cli: Any, monkeypatch: pytest.MonkeyPatch, hermetic_env: Path
) -> None:
    # Nothing real can make devcopilot hit a bug on purpose, so one is planted.
    from devcopilot.core import context

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("planted bug with key AKIAIOSFODNN7EXAMPLE")

    monkeypatch.setattr(context.Context, "load", broken)

    result = cli("config", "show")

    assert result.code == ExitCode.INTERNAL
    assert len(result.stderr.strip().splitlines()) == 1
    assert "internal error (RuntimeError" in result.stderr
    [crash_log] = (hermetic_env / "state" / "crash").glob("crash-*.log")
    assert str(crash_log) in result.stderr
    written = crash_log.read_text()
    assert "Traceback" in written
    assert "AKIAIOSFODNN7EXAMPLE" not in written

    debug = cli("--debug", "config", "show")
    assert debug.code == ExitCode.INTERNAL
    assert "Traceback" in debug.stderr


def test_models_list_shows_offline_by_default(repo: Path, cli: Any) -> None:
    data = json.loads(cli("models", "list", "--json").stdout)

    default = next(r for r in data["routes"] if r["route"] == "default")
    assert default["models"] == [
        {"model": "offline", "provider": "engine only", "credentials": True, "missing": "", "api_base": None}
    ]
    assert all(r["inherits_default"] for r in data["routes"] if r["route"] != "default")


def test_models_list_reports_credentials_without_printing_keys(
    repo: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / ".devcopilot.toml").write_text(
        '[routes.review]\nmodels = ["anthropic/claude-sonnet-4-5", "openai/gpt-4.1-mini", "ollama/llama3"]\n'
        '[models."ollama/llama3"]\napi_base = "http://127.0.0.1:11434"\n'
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-should-never-be-printed-1234567890")

    result = cli("models", "list", "--json")
    text = cli("models", "list")

    review = next(r for r in json.loads(result.stdout)["routes"] if r["route"] == "review")
    status = {m["model"]: (m["provider"], m["credentials"], m["missing"]) for m in review["models"]}
    assert status["anthropic/claude-sonnet-4-5"] == ("anthropic", False, "ANTHROPIC_API_KEY")
    assert status["openai/gpt-4.1-mini"] == ("openai", True, "")
    assert status["ollama/llama3"] == ("ollama", True, "")
    for output in (result.stdout, text.stdout, result.stderr, text.stderr):
        assert "should-never-be-printed" not in output


def test_models_test_reports_who_answered(llm_repo: Path, fake_llm: FakeOpenAI, cli: Any) -> None:
    fake_llm.script("primary", Reply.error(503))
    fake_llm.script("primary", echo_nonce)

    result = cli("models", "test", "--json")

    assert result.code == ExitCode.OK, result.stderr
    summary = json.loads(result.stdout)
    assert summary["model"] == "openai/primary"
    assert summary["followed_instructions"] is True
    assert summary["latency_ms"] > 0
    assert summary["ttft_ms"] is not None
    assert (summary["input_tokens"], summary["output_tokens"]) == (12, 5)
    assert summary["failed_attempts"] == [{"model": "openai/primary", "attempt": 1, "error": "server_error"}]


def test_models_test_notices_a_model_that_ignores_instructions(
    llm_repo: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    fake_llm.default = Reply.json({"reply": "something else"})

    result = cli("models", "test")

    assert result.code == ExitCode.OK
    assert "did not echo the probe token" in result.stdout


def test_models_test_exits_3_when_every_model_fails(llm_repo: Path, fake_llm: FakeOpenAI, cli: Any) -> None:
    fake_llm.script("primary", Reply.error(401))
    fake_llm.script("backup", Reply.error(404))

    result = cli("models", "test")

    assert result.code == ExitCode.MODEL_UNAVAILABLE
    assert "openai/primary: auth" in result.stderr
    assert "openai/backup: not_found" in result.stderr
    assert result.stdout == ""


def test_models_test_with_a_model_flag_and_a_route(
    repo: Path, fake_llm: FakeOpenAI, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "k")
    (repo / ".devcopilot.toml").write_text(route_config(fake_llm, "flagged", route="review"))
    fake_llm.default = echo_nonce

    via_route = cli("models", "test", "--route", "review", "--json")
    offline = cli("models", "test", "--route", "docs")
    unknown = cli("models", "test", "--route", "nope")

    assert json.loads(via_route.stdout)["model"] == "openai/flagged"
    assert offline.code == ExitCode.USAGE
    assert "route 'docs' is offline" in offline.stderr
    assert unknown.code == ExitCode.USAGE


def test_models_test_never_uses_the_cache(llm_repo: Path, fake_llm: FakeOpenAI, cli: Any) -> None:
    fake_llm.default = echo_nonce

    cli("models", "test")
    cli("models", "test")

    assert len(fake_llm.requests) == 2


def test_no_color_means_no_escape_codes(repo: Path, cli: Any) -> None:
    for args in (("config", "show"), ("models", "list"), ("prompts", "list"), ("stats",), ("log",)):
        result = cli(*args)
        assert "\x1b[" not in result.stdout + result.stderr


@pytest.mark.slow
def test_ctrl_c_exits_130(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.default = Reply.slow(30)
    process = subprocess.Popen(
        [devcopilot_executable(), "models", "test"],
        cwd=llm_repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not fake_llm.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake_llm.requests, "the CLI never reached the model server"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == ExitCode.INTERRUPTED
    assert "interrupted" in stderr
    assert "Traceback" not in stderr


IMPORT_PROBE = """
import sys
from devcopilot.cli.app import run
try:
    run(sys.argv[1:])
except SystemExit:
    pass
watched = ("litellm", "openai", "pydantic", "git", "jinja2", "rich.table")
heavy = sorted(m for m in watched if m in sys.modules)
if len(sys.argv) > 2:
    # Typer builds pydantic adapters for a sub-group's options; only the top level must stay bare.
    heavy = [m for m in heavy if m != "pydantic"]
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
"""


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["models", "--help"], []])
def test_help_and_version_leave_heavy_libraries_unimported(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, *args], capture_output=True, text=True, timeout=60, check=False
    )

    assert "HEAVY=\n" in done.stderr, done.stderr
    assert "Usage" in done.stdout + done.stderr or "devcopilot" in done.stdout


@pytest.mark.slow
def test_the_installed_script_and_python_m_agree() -> None:
    script = subprocess.run(
        [devcopilot_executable(), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    module = subprocess.run(
        [sys.executable, "-m", "devcopilot", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert script.returncode == module.returncode == 0
    assert script.stdout == module.stdout == f"devcopilot {__version__}\n"


@pytest.mark.slow
def test_models_list_does_not_touch_the_network_for_prices(repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}
    env["HTTPS_PROXY"] = env["HTTP_PROXY"] = "http://127.0.0.1:9"  # any network attempt would fail loudly

    done = subprocess.run(
        [devcopilot_executable(), "models", "list"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def run_on_a_terminal(args: list[str], cwd: Path) -> str:
    """Run the CLI with a pseudo-terminal as stdout and stderr, and return what it drew."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([devcopilot_executable(), *args], cwd=cwd, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_progress_shows_on_a_terminal_and_quiet_silences_it(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.default = lambda body: Reply.slow(1.0, echo_nonce(body).content or "")

    drawn = run_on_a_terminal(["models", "test"], llm_repo)
    quiet = run_on_a_terminal(["--quiet", "models", "test"], llm_repo)

    assert "probing route 'default'" in drawn
    assert "probing route" not in quiet
    assert "openai/primary" in quiet, "--quiet keeps the result, only the progress goes"
