"""Choosing models on verified results: the `verified` strategy from real runs, pins, history, rollback."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import tomli_w

from devcopilot.core.context import Context
from devcopilot.core.router.selection import Budgets, ModelFigures, choose, model_figures
from devcopilot.core.runner import run_job
from devcopilot.jobs.registry import JOBS
from tests.conftest import git
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.test_job_contract import PROMPT, TABLE, pick


def two_models(fake: FakeOpenAI, **route: Any) -> str:
    models = {f"openai/{m}": {"api_base": fake.url, "api_key_env": "FAKE_LLM_KEY"} for m in ("good", "poor")}
    settings = {"models": ["openai/poor", "openai/good"], "retry_backoff_s": 0.01, **route}
    return tomli_w.dumps({"routes": {"words": settings}, "models": models})


@pytest.fixture
def zoo(repo: Path, fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two scripted models on the words job: 'good' names animals of the text, 'poor' makes them up.

    The words job joins the registered jobs, so the CLI's ``models`` commands know it.
    """
    from devcopilot.jobs import registry

    monkeypatch.setattr(registry, "JOBS", type(JOBS)((*JOBS.jobs, TABLE["words"]), JOBS.reserved_routes))
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    (repo / ".devcopilot" / "prompts" / "words").mkdir(parents=True)
    (repo / ".devcopilot" / "prompts" / "words" / "pick.j2").write_text(PROMPT)
    fake_llm.script("good", *[Reply.json({"words": ["fox", "quick"]})] * 60)
    fake_llm.script("poor", *[Reply.json({"words": ["unicorn", "dragon", "fox"]})] * 60)
    # each run's Thompson draw is random; seeded per run, the sequence of choices is the same every time
    from devcopilot.core.router import router

    seeds = itertools.count()
    seeded = SimpleNamespace(Random=lambda: random.Random(next(seeds)))  # noqa: S311 - model choice
    monkeypatch.setattr(router, "random", seeded)
    return repo


def run_words(n: int) -> list[str]:
    """``n`` runs of the words job; which model answered each."""
    answered = []
    for _ in range(n):
        finished = run_job(TABLE, "words", "pick", pick)
        model = finished.result.model
        assert model is not None
        answered.extend(model.answered_by)
    return answered


def test_verified_learns_from_real_runs_to_prefer_the_model_whose_claims_survive(
    zoo: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    (zoo / ".devcopilot.toml").write_text(two_models(fake_llm, strategy="verified"))

    answered = run_words(20)

    records = list(Context.load(zoo, jobs=TABLE).provenance.read())
    figures = model_figures(records, "words")
    assert figures["openai/good"].acceptance == 1.0
    assert figures["openai/poor"].acceptance == pytest.approx(1 / 3)
    assert answered[:3] == ["openai/poor"] * 3, "cold start: the route's order until a figure exists"
    assert answered[-10:].count("openai/good") >= 7, "then the model whose claims survive, rarely another"
    stats = json.loads(cli("stats", "--by", "model", "--json").stdout)
    assert stats["leader"]["best"] == "openai/good" and stats["leader"]["significant"]
    assert "openai/good leads by more than chance" in cli("stats", "--by", "model").stdout


def test_a_pin_beats_the_strategy_and_rollback_restores_the_previous_state(
    zoo: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    (zoo / ".devcopilot.toml").write_text(two_models(fake_llm))  # fallback: poor first

    pinned = cli("models", "pin", "review", "openai/good", "--reason", "fewer drops")
    Context.load(zoo, jobs=TABLE).pins.pin("words", "openai/good", reason="trial", figures={})
    with_pin = run_words(2)
    Context.load(zoo, jobs=TABLE).pins.pin("words", "openai/poor", reason="cheaper", figures={})
    second_pin = run_words(1)
    rolled = cli("models", "rollback", "words")
    after_rollback = run_words(1)
    history = json.loads(cli("models", "history", "--format", "json").stdout)["changes"]
    again = cli("models", "rollback", "words")
    none_left = cli("models", "rollback", "words")

    assert pinned.code == 0 and "pinned to openai/good" in pinned.stdout
    assert with_pin == ["openai/good", "openai/good"]
    assert second_pin == ["openai/poor"]
    assert "now openai/good" in rolled.stdout
    assert after_rollback == ["openai/good"], "the previous pin is back"
    assert [c["action"] for c in history if c["job"] == "words"] == ["pin", "pin", "rollback"]
    assert history[0]["by"] != "" and history[0]["reason"] == "fewer drops"
    assert history[0]["figures"]["job"] == "review", "the figures at the time are kept with the change"
    assert again.code == 0 and "no pin" in again.stdout
    assert none_left.code == 2 and "nothing to roll back" in none_left.stderr


def test_a_command_line_model_beats_a_pin(zoo: Path, fake_llm: FakeOpenAI) -> None:
    from devcopilot.core.runner import ModelChoice

    (zoo / ".devcopilot.toml").write_text(two_models(fake_llm))
    Context.load(zoo, jobs=TABLE).pins.pin("words", "openai/good", reason="", figures={})

    finished = run_job(TABLE, "words", "pick", pick, choice=ModelChoice(models=("openai/poor",)))

    assert finished.result.model is not None and finished.result.model.answered_by == ["openai/poor"]


def test_a_corrupted_pin_history_is_one_clear_error(repo: Path, cli: Any) -> None:
    (repo / ".devcopilot").mkdir(exist_ok=True)
    (repo / ".devcopilot" / "model-pins.json").write_text('{"schema_version": 1, "changes": [42]}')

    result = cli("models", "history")

    assert result.code == 2
    assert "model-pins.json: not a readable model pin history" in result.stderr
    assert "Traceback" not in result.stderr


def test_explain_shows_the_figures_behind_the_choice(zoo: Path, fake_llm: FakeOpenAI, cli: Any) -> None:
    (zoo / ".devcopilot.toml").write_text(two_models(fake_llm, strategy="verified"))
    run_words(8)

    result = cli("models", "explain", "words", "--format", "json")

    report = json.loads(result.stdout)
    rows = {row["model"]: row for row in report["models"]}
    assert (report["strategy"], report["pinned"]) == ("verified", None)
    assert rows["openai/good"]["acceptance"] == 1.0 and rows["openai/good"]["runs"] >= 3
    assert rows["openai/good"]["chosen_first_share"] > rows["openai/poor"]["chosen_first_share"]


def test_the_strategy_never_puts_a_model_over_the_cost_budget_first() -> None:
    rich = ModelFigures("rich", runs=10, weight=10, successes=90, failures=10, proposed=100, cost_usd=30.0)
    thrifty = ModelFigures(
        "thrifty", runs=10, weight=10, successes=20, failures=80, proposed=100, cost_usd=1.0
    )
    rng = random.Random(1)  # noqa: S311 - the strategy's draws, seeded

    firsts = {
        choose(
            ["rich", "thrifty"],
            {"rich": rich, "thrifty": thrifty},
            budgets=Budgets(max_cost_usd=1.0),
            rng=rng,
        )[0]
        for _ in range(200)
    }

    assert firsts == {"thrifty"}, "rich costs $3 a run against a $1 budget"


def test_compare_puts_two_models_side_by_side_on_the_same_review(
    repo: Path, fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    from tests.test_review_model import SERVICE, finding

    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    models = {
        f"openai/{m}": {"api_base": fake_llm.url, "api_key_env": "FAKE_LLM_KEY"} for m in ("sharp", "vague")
    }
    (repo / ".devcopilot.toml").write_text(tomli_w.dumps({"models": models}))
    (repo / "shop").mkdir()
    (repo / "shop" / "service.py").write_text(SERVICE)
    git(repo, "add", "-A")
    grounded = finding(5, "handle = open(path)")
    made_up = finding(9, "this line is not in the file", "imaginary")
    fake_llm.script("sharp", *[Reply.json({"findings": [grounded]})] * 8)
    fake_llm.script("vague", *[Reply.json({"findings": [made_up, made_up]})] * 8)

    result = cli(
        "compare",
        "--job",
        "review",
        "--models",
        "openai/sharp,openai/vague",
        "--runs",
        "4",
        "--format",
        "json",
    )
    text = cli("compare", "--job", "review", "--models", "openai/sharp,openai/vague", "--", "--staged")

    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    rows = {row["model"]: row for row in report["models"]}
    assert (rows["openai/sharp"]["accepted"], rows["openai/sharp"]["acceptance"]) == (4, 1.0)
    assert rows["openai/vague"]["dropped"] == {"anchor-not-found": 8}
    assert rows["openai/sharp"]["latency_ms_p50"] is not None
    assert report["verdict"]["best"] == "openai/sharp" and report["verdict"]["significant"]
    assert len(fake_llm.requests) == 10, (
        "every run asks the model: the response cache is off for a comparison"
    )
    assert "openai/sharp" in text.stdout and "too few claims" not in text.stdout
