"""Verification as data: every job's claims end as verdicts that ``stats`` turns into acceptance rates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from devcopilot.core.provenance import ProvenanceLog
from tests.conftest import git, incident_log
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.test_review_model import SERVICE, finding
from tests.test_tests_model import FAILING, HIDDEN, PASSING

pytestmark = pytest.mark.slow
ROUTES = {"review": "reviewer", "incident": "sre", "tests": "tester"}


def three_routes(fake: FakeOpenAI) -> str:
    models = {
        f"openai/{name}": {"api_base": fake.url, "api_key_env": "FAKE_LLM_KEY"} for name in ROUTES.values()
    }
    routes = {
        route: {"models": [f"openai/{name}"], "retry_backoff_s": 0.01} for route, name in ROUTES.items()
    }
    return tomli_w.dumps({"routes": routes, "models": models})


@pytest.fixture
def busy_repo(repo: Path, fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    for name, text in {
        ".devcopilot.toml": three_routes(fake_llm),
        "pkg/__init__.py": "",
        "pkg/cave.py": HIDDEN,
        "tests/__init__.py": "",
    }.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", "project")
    (repo / "shop").mkdir()
    (repo / "shop" / "service.py").write_text(SERVICE)
    git(repo, "add", "-A")
    incident_log(repo / "app.log")
    return repo


def test_each_jobs_claims_become_acceptance_rates_by_model_and_prompt(
    busy_repo: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    fake_llm.script(
        "reviewer",
        Reply.json({"findings": [finding(5, "handle = open(path)"), finding(6, "not in the file at all")]}),
    )
    fake_llm.script(
        "sre",
        Reply.json(
            {
                "hypotheses": [{"title": "billing broke", "evidence": ["T1"]}],
                "next_checks": ["kubectl get pods", "rm -rf /srv"],
            }
        ),
    )
    fake_llm.script("tester", Reply.json({"tests": [PASSING, FAILING]}))

    runs = [
        cli("review", "--format", "json", "--fail-on", "never"),
        cli("incident", "explain", "app.log", "--format", "json"),
        cli("tests", "generate", "pkg/cave.py", "--json", "--max-iterations", "1"),
    ]
    by_model = json.loads(cli("stats", "--by", "model", "--json").stdout)
    by_prompt = json.loads(cli("stats", "--by", "prompt", "--json").stdout)

    assert [r.code for r in runs] == [0, 0, 0], [r.stderr for r in runs]
    models = {g["group"]: g for g in by_model["groups"]}
    reviewer, sre, tester = (models[f"openai/{ROUTES[r]}"] for r in ("review", "incident", "tests"))
    assert (reviewer["proposed"], reviewer["accepted"], reviewer["acceptance_rate"]) == (2, 1, 0.5)
    assert reviewer["dropped"] == {"anchor-not-found": 1}
    assert sre["dropped"] == {"unsafe-command": 1} and sre["accepted"] == 3  # hypothesis, evidence, check
    assert (tester["proposed"], tester["accepted"], tester["dropped"]) == (2, 1, {"fails": 1})
    assert reviewer["cost_per_accepted_usd"] is not None and reviewer["latency_ms_per_accepted"] > 0
    prompts = {g["group"].split("@")[0]: g for g in by_prompt["groups"] if "@" in g["group"]}
    assert set(prompts) == {"review/diff", "incident/explain", "tests/generate"}
    assert prompts["tests/generate"]["acceptance_rate"] == 0.5

    records = list(ProvenanceLog(busy_repo / ".devcopilot" / "provenance.jsonl").read())
    for job in ROUTES:
        [run] = [r for r in records if r["kind"] == "job_run" and r["job"] == job]
        calls = [r for r in records if r["kind"] == "model_call" and r["job"] == job]
        verdicts = [r for r in records if r["kind"] == "verdicts" and r["job"] == job]
        assert calls and {r["run_id"] for r in calls + verdicts} == {run["run_id"]}, job
