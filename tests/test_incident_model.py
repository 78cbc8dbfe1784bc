"""The incident model pass against the loopback OpenAI server: only verified claims are shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import route_config
from tests.support.envelope import result_of
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.test_incident import explain


@pytest.fixture
def model_shop(shop: dict[str, Any], fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    (shop["repo"] / ".devcopilot.toml").write_text(route_config(fake_llm, "sre", route="incident"))
    return shop


def answer(shop: dict[str, Any]) -> dict[str, Any]:
    log = str(shop["log"])
    return {
        "summary": "charges fail since the rounding change",
        "impact": "checkout",
        "hypotheses": [
            {
                "title": "The rounding change divides by zero",
                "explanation": "billing.py now divides by zero",
                "confidence": "high",
                "evidence": [f"{log}:13", "T2"],
                "commits": [shop["culprit"][:10], "deadbeefdeadbeef"],
            },
            {"title": "The database is down", "confidence": "high", "evidence": [f"{log}:999", "T99"]},
        ],
        "next_checks": ["git log -p -n 2 -- app/billing.py", "kubectl delete pod web-1", "cat x > y"],
        "mitigations": ["Revert the rounding change"],
    }


def test_verified_claims_are_added_and_the_rest_dropped_and_counted(
    model_shop: dict[str, Any], fake_llm: FakeOpenAI, cli: Any
) -> None:
    fake_llm.script("sre", Reply.json(answer(model_shop)))
    report = explain(cli, str(model_shop["log"]))
    engine, *model = report["hypotheses"]
    assert engine["source"] == "engine"  # the engine's hypothesis stays first
    assert [h["title"] for h in model] == ["The rounding change divides by zero"]
    assert [c["sha"] for c in model[0]["commits"]] == [model_shop["culprit"]]
    assert report["model"]["dropped"] == {
        "unknown-evidence": 2,
        "unknown-commit": 1,
        "no-verified-evidence": 1,
        "unsafe-command": 2,
    }
    assert "git log -p -n 2 -- app/billing.py" in report["next_checks"]
    assert not any("delete" in c or ">" in c for c in report["next_checks"])
    assert report["mitigations"] == ["Revert the rounding change"]
    prompt = json.dumps(fake_llm.requests_for("sre")[0].body["messages"])
    assert "bob@example.com" not in prompt and "sk-live-abcdefghijklmnopqrstu" not in prompt
    assert "[REDACTED:email]" in prompt
    assert prompt.count("charge failed") < 10  # compressed evidence, not the raw log


def test_a_failing_model_leaves_the_engine_report(
    model_shop: dict[str, Any], fake_llm: FakeOpenAI, cli: Any
) -> None:
    fake_llm.script("sre", *[Reply.error(500)] * 5)
    result = cli("incident", "explain", "--format", "json", str(model_shop["log"]))
    assert result.code == 0
    report = result_of(result.stdout, "incident", "explain")
    assert report["hypotheses"][0]["source"] == "engine"
    assert report["model"]["warning"]
    assert "warning:" in result.stderr


def test_the_run_is_recorded_with_its_verification_counts(
    model_shop: dict[str, Any], fake_llm: FakeOpenAI, cli: Any
) -> None:
    fake_llm.script("sre", Reply.json(answer(model_shop)))
    explain(cli, str(model_shop["log"]))
    records = [
        json.loads(line)
        for line in (Path(model_shop["repo"]) / ".devcopilot" / "provenance.jsonl").read_text().splitlines()
    ]
    run = next(r for r in records if r["kind"] == "job_run" and r["job"] == "incident")
    [verdicts] = [r for r in records if r["kind"] == "verdicts"]
    [call] = [r for r in records if r["kind"] == "model_call"]
    assert run["run_id"] == verdicts["run_id"] == call["run_id"]
    assert (verdicts["prompt.id"], verdicts["gen_ai.request.model"]) == ("incident/explain", "openai/sre")
    by_claim: dict[str, list[str]] = {}
    for verdict in verdicts["verdicts"]:
        by_claim.setdefault(verdict["claim"], []).append(verdict["reason"] or verdict["outcome"])
    assert sorted(by_claim["hypothesis"]) == ["accepted", "no-verified-evidence"]
    assert sorted(by_claim["check"]) == ["accepted", "unsafe-command", "unsafe-command"]
    assert sorted(by_claim["commit"]) == ["accepted", "unknown-commit"]
