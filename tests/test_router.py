"""The router, through litellm's real code path, against the loopback OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from devcopilot.core.context import Context
from devcopilot.core.errors import CostCapReachedError, ModelUnavailableError
from devcopilot.core.prompts import RenderedPrompt
from devcopilot.core.router import ModelRouter
from devcopilot.jobs.registry import JOBS
from tests.conftest import git, route_config
from tests.support.fake_openai import FakeOpenAI, Reply


class Verdict(BaseModel):
    verdict: str
    score: int


def prompt(text: str = "Say hello.", output: str | None = None) -> RenderedPrompt:
    return RenderedPrompt(
        id="test/prompt",
        version="1.0.0",
        template_sha256="t" * 64,
        rendered_sha256="r" * 64,
        messages=({"role": "system", "content": "You are terse."}, {"role": "user", "content": text}),
        output=output,
    )


def configure(
    repo: Path,
    fake: FakeOpenAI,
    *models: str,
    settings: dict[str, dict[str, object]] | None = None,
    **route: object,
) -> None:
    text = route_config(fake, *models, model_settings=settings, **route)
    (repo / ".devcopilot.toml").write_text(text, encoding="utf-8")


def router_for(repo: Path, route: str = "default", *, cache: bool = False, seed: int = 7) -> ModelRouter:
    context = Context.load(repo, jobs=JOBS)
    return ModelRouter(
        context.config,
        route,
        log_to=context.provenance,
        cache=context.cache if cache else None,
        rng=random.Random(seed),  # noqa: S311 - a seeded A/B draw, not cryptography
    )


def calls(repo: Path) -> list[dict[str, Any]]:
    return [r for r in Context.load(repo, jobs=JOBS).provenance.read() if r["kind"] == "model_call"]


@pytest.mark.parametrize("stream", [True, False])
def test_an_answer_comes_back_with_usage_and_is_recorded(
    llm_repo: Path, fake_llm: FakeOpenAI, stream: bool
) -> None:
    configure(llm_repo, fake_llm, "primary", stream=stream)
    fake_llm.script("primary", Reply.text("hello there", prompt_tokens=30, completion_tokens=4))

    done = router_for(llm_repo).complete(prompt())

    assert done.text == "hello there"
    assert (done.model, done.input_tokens, done.output_tokens) == ("openai/primary", 30, 4)
    assert fake_llm.requests[0].body.get("stream", False) is stream
    assert fake_llm.requests[0].headers["authorization"] == "Bearer sk-test-not-a-real-key"
    [record] = calls(llm_repo)
    assert record["gen_ai.request.model"] == "openai/primary"
    assert record["gen_ai.usage.input_tokens"] == 30
    assert record["error.type"] is None
    assert record["prompt.id"] == "test/prompt"
    assert (record["ttft_ms"] is not None) is stream
    assert record["repo.head"] == git(llm_repo, "rev-parse", "HEAD")


def test_rate_limit_waits_for_retry_after_then_succeeds(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.script("primary", Reply.error(429, "slow down", retry_after=1), Reply.text("after the pause"))

    started = time.monotonic()
    done = router_for(llm_repo).complete(prompt())
    elapsed = time.monotonic() - started

    assert done.text == "after the pause"
    assert elapsed >= 1.0, "Retry-After: 1 must be honoured"
    assert [r["error.type"] for r in calls(llm_repo)] == ["rate_limit", None]
    assert [r["attempt"] for r in calls(llm_repo)] == [1, 2]


@pytest.mark.parametrize(
    ("fault", "error_type"),
    [
        (Reply.error(500), "server_error"),
        (Reply.error(503), "server_error"),
        (Reply.reset(), "connection"),
        (Reply.malformed(), "malformed_response"),
        (Reply.truncated(), "truncated_stream"),
        (Reply.empty(), "empty_response"),
    ],
    ids=["500", "503", "reset", "malformed-json", "truncated-stream", "empty-content"],
)
def test_transient_faults_are_retried_on_the_same_model(
    llm_repo: Path, fake_llm: FakeOpenAI, fault: Reply, error_type: str
) -> None:
    fake_llm.script("primary", fault, Reply.text("recovered"))

    done = router_for(llm_repo).complete(prompt())

    assert (done.model, done.text) == ("openai/primary", "recovered")
    assert [r["error.type"] for r in calls(llm_repo)] == [error_type, None]
    assert fake_llm.requests_for("backup") == []


def test_a_slow_answer_past_the_timeout_is_retried(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    configure(llm_repo, fake_llm, "primary", "backup", timeout_s=0.5)
    fake_llm.script("primary", Reply.slow(3.0), Reply.text("fast now"))

    started = time.monotonic()
    done = router_for(llm_repo).complete(prompt())

    assert done.text == "fast now"
    assert time.monotonic() - started < 2.5, "the slow answer must be abandoned at the timeout"
    assert [r["error.type"] for r in calls(llm_repo)] == ["timeout", None]


def test_retries_exhausted_fall_back_to_the_next_model(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    configure(llm_repo, fake_llm, "primary", "backup", max_retries=1)
    fake_llm.script("primary", Reply.error(500), Reply.error(502))
    fake_llm.script("backup", Reply.text("backup answered"))

    done = router_for(llm_repo).complete(prompt())

    assert (done.model, done.text) == ("openai/backup", "backup answered")
    records = calls(llm_repo)
    assert [(r["gen_ai.request.model"], r["devcopilot.fallback_position"]) for r in records] == [
        ("openai/primary", 0),
        ("openai/primary", 0),
        ("openai/backup", 1),
    ]
    assert [a.error_type for a in done.attempts] == ["server_error", "server_error", None]


@pytest.mark.parametrize(
    ("fault", "error_type"),
    [
        (Reply.error(401, "invalid api key"), "auth"),
        (Reply.error(403, "forbidden"), "permission"),
        (Reply.error(404, "model not found"), "not_found"),
        (Reply.error(400, "This model's maximum context length is 8192 tokens"), "context_length"),
    ],
    ids=["401", "403", "404", "context-too-long"],
)
def test_permanent_failures_move_on_at_once_and_cool_the_model_down(
    llm_repo: Path, fake_llm: FakeOpenAI, fault: Reply, error_type: str
) -> None:
    fake_llm.script("primary", fault)
    router = router_for(llm_repo)

    first = router.complete(prompt("one"))
    second = router.complete(prompt("two"))

    assert first.model == second.model == "openai/backup"
    assert len(fake_llm.requests_for("primary")) == 1, "no retry, and skipped for the rest of the run"
    assert error_type in router.cooled["openai/primary"]


def test_every_model_failing_raises_with_each_reason(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.script("primary", Reply.error(401))
    fake_llm.script("backup", Reply.error(404))

    with pytest.raises(ModelUnavailableError) as failure:
        router_for(llm_repo).complete(prompt())

    assert failure.value.exit_code == 3
    assert "openai/primary: auth" in str(failure.value)
    assert "openai/backup: not_found" in str(failure.value)


def test_a_retry_after_longer_than_a_minute_moves_on_instead_of_stalling(
    llm_repo: Path, fake_llm: FakeOpenAI
) -> None:
    fake_llm.script("primary", Reply.error(429, retry_after=3600))

    started = time.monotonic()
    done = router_for(llm_repo).complete(prompt())

    assert done.model == "openai/backup"
    assert time.monotonic() - started < 5


def test_structured_answers_are_extracted_and_validated(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.script(
        "primary",
        Reply.text('Sure! Here it is:\n```json\n{"verdict": "ok", "score": 3}\n```\nAnything else?'),
    )

    done = router_for(llm_repo).complete(prompt(), Verdict)

    assert done.parsed == Verdict(verdict="ok", score=3)
    system = fake_llm.requests[0].body["messages"][0]["content"]
    assert '"score"' in system, "the schema is spelled out for models without a response format"


def test_an_invalid_answer_gets_one_repair_round_with_the_error(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.script(
        "primary", Reply.json({"verdict": "ok", "score": "high"}), Reply.json({"verdict": "ok", "score": 9})
    )

    done = router_for(llm_repo).complete(prompt(), Verdict)

    assert done.parsed == Verdict(verdict="ok", score=9)
    repair = fake_llm.requests[1].body["messages"]
    assert repair[-2] == {"role": "assistant", "content": json.dumps({"verdict": "ok", "score": "high"})}
    assert "score" in repair[-1]["content"]
    assert "integer" in repair[-1]["content"]
    assert [r["error.type"] for r in calls(llm_repo)] == ["invalid_output", None]


def test_still_invalid_after_repair_moves_to_the_next_model(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.script("primary", Reply.text("no json here"), Reply.text("still none"))
    fake_llm.script("backup", Reply.json({"verdict": "fine", "score": 1}))

    done = router_for(llm_repo).complete(prompt(), Verdict)

    assert (done.model, done.parsed) == ("openai/backup", Verdict(verdict="fine", score=1))
    assert len(fake_llm.requests_for("primary")) == 2


def test_a_server_rejecting_json_schema_with_500_is_asked_again_without_it(
    llm_repo: Path, fake_llm: FakeOpenAI
) -> None:
    configure(llm_repo, fake_llm, "primary", settings={"primary": {"response_format": "json_schema"}})
    fake_llm.script(
        "primary",
        Reply.error(500, "json_schema is not supported by this server's grammar engine"),
        Reply.json({"verdict": "ok", "score": 1}),
    )

    done = router_for(llm_repo).complete(prompt(), Verdict)

    assert done.parsed == Verdict(verdict="ok", score=1)
    first, second = fake_llm.requests
    assert first.body["response_format"]["type"] == "json_schema"
    assert first.body["response_format"]["json_schema"]["schema"]["properties"]["score"]["type"] == "integer"
    assert "response_format" not in second.body
    assert [r["error.type"] for r in calls(llm_repo)] == ["response_format_rejected", None]


def test_a_cached_answer_costs_nothing_and_sends_nothing(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.script("primary", Reply.json({"verdict": "ok", "score": 2}))

    first = router_for(llm_repo, cache=True).complete(prompt(), Verdict)
    second = router_for(llm_repo, cache=True).complete(prompt(), Verdict)

    assert second.parsed == first.parsed
    assert (first.cache_hit, second.cache_hit) == (False, True)
    assert second.cost_usd == 0.0
    assert len(fake_llm.requests) == 1
    assert [r["cache_hit"] for r in calls(llm_repo)] == [False, True]
    assert (llm_repo / ".devcopilot" / "cache" / "responses.sqlite3").is_file(), "cache lives in .devcopilot/"


def test_an_unusable_cache_is_a_miss_not_an_error(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    cache_dir = llm_repo / ".devcopilot" / "cache"
    cache_dir.mkdir(parents=True)
    (cache_dir / "responses.sqlite3").write_bytes(b"this is not a database" * 100)

    first = router_for(llm_repo, cache=True).complete(prompt())
    second = router_for(llm_repo, cache=True).complete(prompt())

    assert (first.text, second.text) == ("ok", "ok")
    assert len(fake_llm.requests) == 2


def test_a_changed_prompt_misses_the_cache(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    router_for(llm_repo, cache=True).complete(prompt("first question"))
    router_for(llm_repo, cache=True).complete(prompt("second question"))

    assert len(fake_llm.requests) == 2


def test_the_cost_cap_stops_further_calls_before_they_are_sent(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    configure(
        llm_repo,
        fake_llm,
        "primary",
        max_cost_usd=0.001,
        settings={"primary": {"input_cost_per_token": 0.0001}},
    )
    fake_llm.default = Reply.text("priced", prompt_tokens=20, completion_tokens=1)
    router = router_for(llm_repo)

    first = router.complete(prompt("one"))
    with pytest.raises(CostCapReachedError, match=r"cost cap of \$0\.00"):
        router.complete(prompt("two"))

    assert first.cost_usd == pytest.approx(0.002)
    assert len(fake_llm.requests) == 1
    assert calls(llm_repo)[0]["cost_usd"] == pytest.approx(0.002)


def test_secrets_never_leave_the_machine(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    leaky = 'deploy with AWS_KEY=AKIAIOSFODNN7EXAMPLE and password = "hunter2" please'

    router_for(llm_repo).complete(prompt(leaky))

    sent = json.dumps(fake_llm.requests[0].body)
    assert "AKIAIOSFODNN7EXAMPLE" not in sent
    assert "hunter2" not in sent
    assert "[REDACTED:aws-access-key]" in sent
    assert "[REDACTED:password]" in sent
    assert calls(llm_repo)[0]["redactions"] == 2


def test_content_is_logged_only_on_opt_in_and_then_redacted(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.script(
        "primary", Reply.text("no content logged"), Reply.text("token ghp_" + "a" * 36 + " echoed")
    )
    router_for(llm_repo).complete(prompt("first"))
    config = llm_repo / ".devcopilot.toml"
    config.write_text("log_content = true\n" + config.read_text())

    router_for(llm_repo).complete(prompt("second"))

    first, second = calls(llm_repo)
    assert "gen_ai.input.messages" not in first
    assert "gen_ai.output.messages" not in first
    assert second["gen_ai.input.messages"][-1]["content"] == "second"
    assert second["gen_ai.output.messages"][0]["content"] == "token [REDACTED:github-token] echoed"


def test_a_missing_key_variable_skips_that_model(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    configure(
        llm_repo, fake_llm, "primary", "backup", settings={"primary": {"api_key_env": "PRIMARY_KEY_NOT_SET"}}
    )

    router = router_for(llm_repo)
    done = router.complete(prompt())

    assert done.model == "openai/backup"
    assert "PRIMARY_KEY_NOT_SET is not set" in router.cooled["openai/primary"]
    assert fake_llm.requests_for("primary") == []


def test_async_calls_run_concurrently_through_the_same_policy(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.default = Reply.slow(0.4, "together")
    router = router_for(llm_repo)

    async def many() -> list[str]:
        done = await asyncio.gather(*(router.acomplete(prompt(f"q{i}")) for i in range(5)))
        return [d.text for d in done]

    started = time.monotonic()
    texts = asyncio.run(many())

    assert texts == ["together"] * 5
    assert time.monotonic() - started < 1.6, "five 0.4 s answers in parallel, not in series"
    assert len(calls(llm_repo)) == 5


def test_async_path_retries_like_the_sync_path(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    fake_llm.script("primary", Reply.error(503), Reply.reset(), Reply.text("third time"))

    done = asyncio.run(router_for(llm_repo).acomplete(prompt()))

    assert done.text == "third time"
    assert [r["error.type"] for r in calls(llm_repo)] == ["server_error", "connection", None]


def test_cheapest_strategy_asks_the_cheapest_model_first(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    prices = {"dear": {"input_cost_per_token": 0.001}, "cheap": {"input_cost_per_token": 0.000001}}
    configure(llm_repo, fake_llm, "dear", "cheap", strategy="cheapest", settings=prices)

    assert router_for(llm_repo).complete(prompt()).model == "openai/cheap"


def test_ab_strategy_splits_first_choices_by_weight(llm_repo: Path, fake_llm: FakeOpenAI) -> None:
    configure(llm_repo, fake_llm, "arm-a", "arm-b", strategy="ab", weights=[3.0, 1.0])
    router = router_for(llm_repo, seed=11)

    firsts = [router._order()[0] for _ in range(400)]

    share_a = firsts.count("openai/arm-a") / len(firsts)
    assert 0.68 < share_a < 0.82
    assert router.complete(prompt()).model in {"openai/arm-a", "openai/arm-b"}


def test_fastest_strategy_prefers_the_lowest_observed_median_latency(
    llm_repo: Path, fake_llm: FakeOpenAI
) -> None:
    configure(llm_repo, fake_llm, "slowpoke", "quick")
    fake_llm.script("slowpoke", Reply.slow(0.3))
    router_for(llm_repo).complete(prompt("warm up slowpoke"))
    configure(llm_repo, fake_llm, "quick", "slowpoke")
    router_for(llm_repo).complete(prompt("warm up quick"))
    configure(llm_repo, fake_llm, "slowpoke", "quick", strategy="fastest")

    assert router_for(llm_repo)._order() == ["openai/quick", "openai/slowpoke"]


def test_an_offline_route_makes_no_call(repo: Path) -> None:
    router = router_for(repo)

    assert router.offline
    with pytest.raises(ModelUnavailableError, match="offline"):
        router.complete(prompt())
