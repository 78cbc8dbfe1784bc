"""``devcopilot stats``: call counts, latency percentiles, rates and costs, grouped and windowed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devcopilot.core.errors import UsageError
from devcopilot.core.provenance import ProvenanceLog
from devcopilot.core.provenance.stats import compute_stats, parse_duration, percentile

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def call(minutes_ago: float, **fields: Any) -> dict[str, Any]:
    stamp = (NOW - timedelta(minutes=minutes_ago)).isoformat().replace("+00:00", "Z")
    base = {"schema_version": 1, "kind": "model_call", "timestamp": stamp, "job": "review", "attempt": 1}
    base.update(fields)
    return base


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]

    assert percentile(values, 50) == 50.5
    assert percentile(values, 99) == 99.01
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_rates_counts_tokens_and_costs_per_group() -> None:
    records = [
        call(
            5,
            **{
                "gen_ai.request.model": "a",
                "duration_ms": 100,
                "ttft_ms": 40,
                "gen_ai.usage.input_tokens": 10,
                "gen_ai.usage.output_tokens": 2,
                "cost_usd": 0.01,
            },
        ),
        call(4, **{"gen_ai.request.model": "a", "duration_ms": 300, "error.type": "timeout"}),
        call(3, **{"gen_ai.request.model": "a", "duration_ms": 200, "attempt": 2, "ttft_ms": 60}),
        call(2, **{"gen_ai.request.model": "b", "duration_ms": 1, "cache_hit": True, "cost_usd": 0.0}),
        call(1, **{"gen_ai.request.model": "b", "duration_ms": 50, "devcopilot.fallback_position": 1}),
        {"schema_version": 1, "kind": "job_run", "timestamp": NOW.isoformat(), "job": "review"},
    ]

    rows = {r.group: r for r in compute_stats(records, by="model", now=NOW)}

    a = rows["a"]
    assert (a.calls, a.errors, a.timeouts, a.retries) == (3, 1, 1, 1)
    assert a.timeout_rate == pytest.approx(1 / 3, abs=1e-3)
    assert (a.latency_ms_p50, a.ttft_ms_p50) == (200.0, 50.0)
    assert (a.input_tokens, a.output_tokens, a.cost_usd) == (10, 2, 0.01)
    b = rows["b"]
    assert (b.cache_hits, b.cache_hit_rate, b.fallbacks) == (1, 0.5, 1)
    assert b.latency_ms_p50 == 50.0, "cache hits do not count as model latency"
    assert rows["(all)"].calls == 5
    assert rows["(all)"].job_runs == 1


def test_since_keeps_only_the_window() -> None:
    records = [call(90), call(30), call(5)]

    [group, total] = compute_stats(records, since=timedelta(hours=1), now=NOW)

    assert (group.group, group.calls, total.calls) == ("review", 2, 2)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("24h", 86400), ("7d", 604800), ("2w", 1209600), ("1.5h", 5400)],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "5", "5x", "-1h", "h"])
def test_bad_durations_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text)


def test_cli_stats_groups_and_reports_bad_input(repo: Path, cli: Any) -> None:
    log = ProvenanceLog(repo / ".devcopilot" / "provenance.jsonl", repo_root=repo)
    for job, ms in (("review", 100), ("review", 300), ("docs", 50)):
        log.append(
            log.new_record("model_call", job=job, attempt=1, duration_ms=ms, **{"prompt.id": f"{job}/main"})
        )

    by_job = json.loads(cli("stats", "--json").stdout)
    by_prompt = json.loads(cli("stats", "--by", "prompt", "--since", "1h", "--json").stdout)
    text = cli("stats", "--by", "model")
    bad_since = cli("stats", "--since", "yesterday")
    bad_by = cli("stats", "--by", "colour")

    groups = {g["group"]: g for g in by_job["groups"]}
    assert groups["review"]["calls"] == 2
    assert groups["review"]["latency_ms_p50"] == 200.0
    assert {g["group"] for g in by_prompt["groups"]} == {"docs/main", "review/main", "(all)"}
    assert text.code == 0
    assert "p99" in text.stdout
    assert (bad_since.code, bad_by.code) == (2, 2)
    assert "invalid duration 'yesterday'" in bad_since.stderr
