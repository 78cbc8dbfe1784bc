"""`iac generate` with a model on the loopback server: only a proposal that passes every check is used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import route_config
from tests.support.envelope import result_of
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.test_iac import SAMPLES, make


@pytest.fixture
def app(repo: Path, fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A FastAPI app at the root of a git repository whose iac route is the scripted model."""
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    root = make(repo, SAMPLES["python-fastapi"])
    (root / ".devcopilot.toml").write_text(route_config(fake_llm, "infra", route="iac"))
    return root


def template_dockerfile(cli: Any) -> str:
    done = cli("iac", "generate", "dockerfile", "--no-model", "--json")
    assert done.code == 0, done.stderr
    return str(result_of(done.stdout, "iac", "generate")["files"][0]["content"])


def answer(content: str) -> Reply:
    return Reply.json({"files": [{"path": "Dockerfile", "content": content}], "explanation": "as asked"})


def generate(cli: Any, *extra: str) -> Any:
    return cli("iac", "generate", "dockerfile", "--describe", "set APP_MODE to prod", "--json", *extra)


def test_a_change_that_passes_every_check_is_used_and_written(
    app: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    wanted = template_dockerfile(cli).replace(
        "ENV PYTHONDONTWRITEBYTECODE=1", "ENV APP_MODE=prod PYTHONDONTWRITEBYTECODE=1", 1
    )
    fake_llm.script("infra", answer(wanted))

    done = generate(cli, "--write")

    assert done.code == 0, done.stdout + done.stderr
    result = result_of(done.stdout, "iac", "generate")
    assert result["files"][0]["source"] == "model" and result["files"][0]["status"] == "written"
    assert "APP_MODE=prod" in (app / "Dockerfile").read_text()
    assert (result["model"]["proposed"], result["model"]["accepted"]) == (1, 1)
    asked = json.dumps(fake_llm.requests_for("infra")[0].body["messages"])
    assert "set APP_MODE to prod" in asked and "uvicorn main:app" in asked


def test_a_failed_proposal_is_repaired_in_the_next_round(app: Path, fake_llm: FakeOpenAI, cli: Any) -> None:
    good = template_dockerfile(cli).replace(
        "ENV PYTHONDONTWRITEBYTECODE=1", "ENV APP_MODE=prod PYTHONDONTWRITEBYTECODE=1", 1
    )
    unpinned = good.replace("FROM python:3.12-slim AS build", "FROM python AS build")
    fake_llm.script("infra", answer(unpinned), answer(good))

    result = result_of(generate(cli).stdout, "iac", "generate")

    assert result["files"][0]["source"] == "model" and "APP_MODE=prod" in result["files"][0]["content"]
    assert result["model"]["dropped"] and result["model"]["accepted"] == 1
    second = json.dumps(fake_llm.requests_for("infra")[1].body["messages"])
    assert "unpinned-base-image" in second, "the failure went back to the model"


def test_a_change_that_never_passes_writes_nothing_and_says_why(
    app: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    broken = template_dockerfile(cli).replace("USER 10001:10001\n", "")
    fake_llm.script("infra", *[answer(broken)] * 3)

    done = cli("iac", "generate", "dockerfile", "--describe", "run it as root", "--write")
    shown = cli("iac", "generate", "dockerfile", "--describe", "run it as root", "--json")

    assert done.code == 1
    assert "not done: Dockerfile" in done.stdout and "root-user" in done.stdout
    assert not (app / "Dockerfile").exists() and not (app / ".dockerignore").exists()
    result = result_of(shown.stdout, "iac", "generate")
    assert result["model"]["dropped"] == {"iac/root-user": 3} and result["model"]["details"]["rounds"] == 3


def test_a_change_of_the_port_is_rejected(app: Path, fake_llm: FakeOpenAI, cli: Any) -> None:
    moved = template_dockerfile(cli).replace("EXPOSE 8000", "EXPOSE 9999")
    fake_llm.script("infra", *[answer(moved)] * 3)

    result = result_of(generate(cli).stdout, "iac", "generate")

    assert result["files"][0]["source"] == "template"
    assert result["model"]["dropped"] == {"port-changed": 3}
    assert "EXPOSE 8000" in result["files"][0]["content"]


def test_describe_without_a_model_is_a_usage_error(app: Path, cli: Any) -> None:
    done = cli("iac", "generate", "dockerfile", "--no-model", "--describe", "add a worker")

    assert done.code == 2 and "--describe needs a model" in done.stderr and "Traceback" not in done.stderr
