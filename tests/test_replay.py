"""`devcopilot replay`: a recorded run's model pass again on its input, content logging on and off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.conftest import git, route_config
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.test_review_model import SERVICE, finding

# Built at run time so no credential-shaped literal sits in the repository.
SECRET = "AKIA" + "Q7RZ2M4XK9PLW3VD"


def review_models(fake: FakeOpenAI, *, log_content: bool) -> str:
    models = {
        f"openai/{m}": {"api_base": fake.url, "api_key_env": "FAKE_LLM_KEY"} for m in ("sharp", "vague")
    }
    return tomli_w.dumps({"log_content": log_content, "models": models})


@pytest.fixture
def staged_change(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A staged module with a leaked file handle and a hard-coded key."""
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    (repo / "shop").mkdir()
    (repo / "shop" / "service.py").write_text(SERVICE + f'\nKEY = "{SECRET}"\n')
    git(repo, "add", "shop")
    return repo


def review_run(cli: Any, model: str) -> str:
    done = cli("review", "--staged", "--model", model, "--format", "json")
    assert done.code in (0, 1), done.stderr
    return str(json.loads(done.stdout)["run_id"])


def test_a_staged_review_replays_on_its_kept_change_after_it_was_committed(
    staged_change: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    repo = staged_change
    (repo / ".devcopilot.toml").write_text(review_models(fake_llm, log_content=True))
    made_up = finding(9, "this line is not in the file", "imaginary")
    fake_llm.script("vague", Reply.json({"findings": [made_up, made_up]}))
    fake_llm.script("sharp", Reply.json({"findings": [finding(5, "handle = open(path)")]}))
    run_id = review_run(cli, "openai/vague")
    git(repo, "commit", "-q", "-m", "Add the service")  # nothing is staged any more

    done = cli("replay", run_id[:8], "--model", "openai/sharp", "--format", "json")

    assert done.code == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["run_id"] == run_id and (report["job"], report["command"]) == ("review", "review")
    original, (again,) = report["original"], report["replays"]
    assert (original["model"], original["proposed"], original["dropped"]) == (
        "openai/vague",
        2,
        {"anchor-not-found": 2},
    )
    assert (again["model"], again["accepted"], again["acceptance"]) == ("openai/sharp", 1, 1.0)
    asked = json.dumps(fake_llm.requests_for("sharp")[0].body["messages"])
    assert "handle = open(path)" in asked, "the replay reviewed the kept change, not the empty index"
    kept = list((repo / ".devcopilot" / "inputs").iterdir())
    assert kept and all(SECRET not in path.read_text() for path in kept), "kept inputs are redacted"
    assert SECRET not in (repo / ".devcopilot" / "provenance.jsonl").read_text()


def test_without_content_logging_nothing_is_kept_and_replay_says_so(
    staged_change: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    repo = staged_change
    (repo / ".devcopilot.toml").write_text(review_models(fake_llm, log_content=False))
    fake_llm.script("vague", Reply.json({"findings": []}))
    run_id = review_run(cli, "openai/vague")

    done = cli("replay", run_id)

    assert done.code == 2 and "Traceback" not in done.stderr
    assert "was not kept: content logging was off" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (repo / ".devcopilot" / "inputs").exists()
    assert len(fake_llm.requests_for("sharp")) == 0


def test_a_committed_range_replays_with_content_logging_off(
    staged_change: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    repo = staged_change
    (repo / ".devcopilot.toml").write_text(review_models(fake_llm, log_content=False))
    git(repo, "commit", "-q", "-m", "Add the service")
    fake_llm.script("vague", Reply.json({"findings": []}))
    fake_llm.script("sharp", Reply.json({"findings": [finding(5, "handle = open(path)")]}))
    done = cli("review", "--range", "HEAD~1..HEAD", "--model", "openai/vague", "--format", "json")
    run_id = json.loads(done.stdout)["run_id"]
    (repo / "shop" / "service.py").write_text("x = 1\n")  # the working tree moves on; commits do not

    replayed = cli("replay", run_id, "--model", "openai/sharp", "--format", "markdown")

    assert replayed.code == 0, replayed.stderr
    assert "| openai/sharp | 1 | 1 |" in replayed.stdout
    assert "handle = open(path)" in json.dumps(fake_llm.requests_for("sharp")[0].body["messages"])


def test_an_incident_replays_on_the_kept_log_once_the_file_is_gone(
    shop: dict[str, Any], fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    config = "log_content = true\n" + route_config(fake_llm, "sre", "sharp", route="incident")
    (shop["repo"] / ".devcopilot.toml").write_text(config)
    hypothesis = {
        "title": "The rounding change divides by zero",
        "confidence": "high",
        "evidence": ["T2"],
        "commits": [shop["culprit"][:10]],
    }
    fake_llm.script("sre", Reply.json({"summary": "s", "hypotheses": [hypothesis]}))
    fake_llm.script(
        "sharp", Reply.json({"summary": "s", "hypotheses": [{**hypothesis, "evidence": ["T404"]}]})
    )
    done = cli("incident", "explain", "--format", "json", str(shop["log"]))
    run_id = json.loads(done.stdout)["run_id"]
    first_prompt = json.dumps(fake_llm.requests_for("sre")[0].body["messages"])
    shop["log"].unlink()

    replayed = cli("replay", run_id, "--model", "openai/sharp", "--format", "json")

    assert replayed.code == 0, replayed.stderr
    report = json.loads(replayed.stdout)
    assert (report["original"]["proposed"], report["original"]["acceptance"]) == (3, 1.0)
    assert report["replays"][0]["dropped"] == {"no-verified-evidence": 1, "unknown-evidence": 1}
    again = json.dumps(fake_llm.requests_for("sharp")[0].body["messages"])
    assert "charge failed" in again and "charge failed" in first_prompt


def test_an_unknown_or_ambiguous_run_id_is_one_clear_line(repo: Path, cli: Any) -> None:
    unknown = cli("replay", "abcdef123456")
    short = cli("replay", "abc")

    assert unknown.code == 2 and "no run abcdef123456" in unknown.stderr
    assert short.code == 2 and "too short" in short.stderr
    assert "Traceback" not in unknown.stderr + short.stderr


@pytest.mark.parametrize("log_content", [True, False])
def test_compare_works_with_content_logging_on_and_off(
    staged_change: Path, fake_llm: FakeOpenAI, cli: Any, log_content: bool
) -> None:
    repo = staged_change
    (repo / ".devcopilot.toml").write_text(review_models(fake_llm, log_content=log_content))
    fake_llm.script("sharp", Reply.json({"findings": [finding(5, "handle = open(path)")]}))
    fake_llm.script("vague", Reply.json({"findings": [finding(9, "nowhere", "imaginary")]}))

    done = cli("compare", "--job", "review", "--models", "openai/sharp,openai/vague", "--format", "json")

    assert done.code == 0, done.stderr
    rows = {row["model"]: row for row in json.loads(done.stdout)["models"]}
    assert (rows["openai/sharp"]["accepted"], rows["openai/vague"]["accepted"]) == (1, 0)
    log = (repo / ".devcopilot" / "provenance.jsonl").read_text()
    calls = [json.loads(line) for line in log.splitlines() if '"model_call"' in line]
    assert len(calls) == 2 and SECRET not in log
    assert all((call.get("gen_ai.input.messages") is not None) is log_content for call in calls)
    assert (repo / ".devcopilot" / "inputs").exists() is log_content


def test_a_replayed_run_envelope_names_its_own_run(
    staged_change: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    repo = staged_change
    (repo / ".devcopilot.toml").write_text(review_models(fake_llm, log_content=True))
    fake_llm.script("vague", Reply.json({"findings": []}))
    fake_llm.script("vague", Reply.json({"findings": []}))
    run_id = review_run(cli, "openai/vague")

    done = cli("replay", run_id)  # the run's own model by default

    assert done.code == 0, done.stderr
    replay_id = done.stdout.splitlines()[-1].split()[0]
    assert replay_id != run_id[:12] and "(replay)" in done.stdout
    runs = [json.loads(line) for line in (repo / ".devcopilot" / "provenance.jsonl").read_text().splitlines()]
    replayed = [r for r in runs if r.get("kind") == "job_run" and r["run_id"].startswith(replay_id)]
    assert (
        replayed
        and replayed[0]["replay"]["inputs"][0]["sha256"]
        == next(r for r in runs if r.get("run_id") == run_id and r.get("kind") == "job_run")["replay"][
            "inputs"
        ][0]["sha256"]
    ), "the replay read the very input the run kept"
