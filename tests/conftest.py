"""Shared fixtures: a hermetic environment, real git repositories, and the loopback model server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_openai import FakeOpenAI

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
}
# Variables that would let a test reach a real provider or read the developer's own settings.
LEAKY_PREFIXES = ("DEVCOPILOT_", "OPENAI_", "ANTHROPIC_", "AZURE_", "GEMINI_", "OLLAMA_", "LITELLM_", "GIT_")


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own devcopilot home, no color, a fixed width, and no provider keys."""
    for name in list(os.environ):
        if name.startswith(LEAKY_PREFIXES):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("devcopilot-home")
    monkeypatch.setenv("DEVCOPILOT_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    workdir = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(workdir)
    return home


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def make_repo(path: Path, files: dict[str, str] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    for name, content in (files or {"README.md": "# sample\n"}).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    git(path, "add", "-A")
    git(path, "commit", "-q", "--no-gpg-sign", "-m", "initial")
    return path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real git repository with one commit, and the current directory inside it."""
    path = make_repo(tmp_path / "repo")
    monkeypatch.chdir(path)
    return path


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def route_config(
    fake: FakeOpenAI,
    *models: str,
    route: str = "default",
    model_settings: dict[str, dict[str, object]] | None = None,
    **route_settings: object,
) -> str:
    """A .devcopilot.toml sending ``models`` (bare names on the fake server) through one route."""
    import tomli_w

    settings = {"models": [f"openai/{m}" for m in models], "retry_backoff_s": 0.01, **route_settings}
    per_model = {
        f"openai/{m}": {
            "api_base": fake.url,
            "api_key_env": "FAKE_LLM_KEY",
            **(model_settings or {}).get(m, {}),
        }
        for m in models
    }
    return tomli_w.dumps({"routes": {route: settings}, "models": per_model})


@pytest.fixture
def llm_repo(repo: Path, fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose default route sends 'primary' then 'backup' to the loopback server."""
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test-not-a-real-key")
    (repo / ".devcopilot.toml").write_text(route_config(fake_llm, "primary", "backup"), encoding="utf-8")
    return repo


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> object:
    """Run the real CLI entry point in this process (its error boundary included)."""
    from devcopilot.cli.app import run

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            run(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 0
        else:  # pragma: no cover - run() always exits
            code = -1
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return invoke


def devcopilot_executable() -> str:
    """The installed console script next to this interpreter."""
    candidate = Path(sys.executable).with_name("devcopilot")
    return str(candidate) if candidate.exists() else "devcopilot"


BILLING_V1 = "def charge(amount):\n    return round(amount, 2)\n"
BILLING_V2 = "def charge(amount):\n    return round(amount / 0, 2)\n"


def commit(repo: Path, files: dict[str, str], message: str, when: str) -> str:
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(content, encoding="utf-8")
    git(repo, "add", "-A")
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(
        ["git", "-C", str(repo), "commit", "-q", "--no-gpg-sign", "-m", message], check=True, env=env
    )
    return git(repo, "rev-parse", "HEAD")


def incident_log(path: Path, *, user: str = "bob@example.com") -> Path:
    healthy = [f"2024-05-01 10:{m:02d}:00,001 INFO app.http: GET /cart 200 in {10 + m}ms" for m in range(12)]
    failing = []
    for second in range(0, 50, 10):
        failing += [
            f"2024-05-01 10:12:{second:02d},001 ERROR app.billing: charge failed for {user} "
            "token=sk-live-abcdefghijklmnopqrstu",
            "Traceback (most recent call last):",
            '  File "/srv/shop/app/billing.py", line 2, in charge',
            "    return round(amount / 0, 2)",
            "ZeroDivisionError: division by zero",
        ]
    path.write_text(
        "\n".join([*healthy, *failing, "2024-05-01 10:13:00,001 INFO app.http: GET /cart 200 in 9ms"]) + "\n"
    )
    return path


@pytest.fixture
def shop(repo: Path) -> dict[str, Any]:
    commit(
        repo, {"app/billing.py": BILLING_V1, "app/http.py": "x = 1\n"}, "Add billing", "2024-04-30T08:00:00Z"
    )
    unrelated = commit(repo, {"docs/guide.md": "# guide\n"}, "Write the guide", "2024-05-01T09:30:00Z")
    culprit = commit(
        repo, {"app/billing.py": BILLING_V2}, "Round charges differently", "2024-05-01T09:55:00Z"
    )
    later = commit(repo, {"app/billing.py": BILLING_V1}, "Revert the rounding", "2024-05-01T11:00:00Z")
    log = incident_log(repo.parent / "app.log")
    return {"repo": repo, "log": log, "culprit": culprit, "unrelated": unrelated, "later": later}
