"""Aggregate provenance records into the figures ``devcopilot stats`` shows.

Percentiles use linear interpolation between closest ranks (numpy's default),
so p50 of two calls is their mean and a single call is its own p99.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from devcopilot.core.errors import UsageError

GroupBy = Literal["job", "model", "prompt"]
GROUP_KEYS: dict[str, str] = {"job": "job", "model": "gen_ai.request.model", "prompt": "prompt.id"}
TIMEOUT_ERRORS = frozenset({"timeout"})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class GroupStats(BaseModel):
    group: str
    calls: int
    errors: int
    error_rate: float
    timeouts: int
    timeout_rate: float
    retries: int
    retry_rate: float
    fallbacks: int
    cache_hits: int
    cache_hit_rate: float
    latency_ms_p50: float | None
    latency_ms_p90: float | None
    latency_ms_p95: float | None
    latency_ms_p99: float | None
    ttft_ms_p50: float | None
    ttft_ms_p95: float | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    job_runs: int


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``24h``, ``7d``, ``2w``."""
    match = _DURATION.match(text)
    if not match:
        raise UsageError(f"invalid duration {text!r}", hint="use a number and a unit: 90s, 30m, 24h, 7d, 2w")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    value = ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
    return round(value, 3)


def _timestamp(record: dict[str, Any]) -> datetime | None:
    raw = record.get("timestamp")
    if not isinstance(raw, str):
        return None
    try:
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def compute_stats(
    records: Iterable[dict[str, Any]],
    *,
    by: GroupBy = "job",
    since: timedelta | None = None,
    now: datetime | None = None,
) -> list[GroupStats]:
    """One row per group, sorted by group name, then an ``(all)`` row."""
    cutoff = (now or datetime.now(UTC)) - since if since is not None else None
    groups: dict[str, list[dict[str, Any]]] = {}
    everything: list[dict[str, Any]] = []
    for record in records:
        if cutoff is not None:
            stamp = _timestamp(record)
            if stamp is None or stamp < cutoff:
                continue
        everything.append(record)
        groups.setdefault(str(record.get(GROUP_KEYS[by]) or "-"), []).append(record)
    rows = [_summarize(name, items) for name, items in sorted(groups.items())]
    if everything:
        rows.append(_summarize("(all)", everything))
    return rows


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _summarize(name: str, records: list[dict[str, Any]]) -> GroupStats:
    calls = [r for r in records if r.get("kind") == "model_call"]
    errors = [r for r in calls if r.get("error.type")]
    timeouts = [r for r in errors if r.get("error.type") in TIMEOUT_ERRORS]
    retries = [r for r in calls if int(r.get("attempt") or 1) > 1]
    hits = [r for r in calls if r.get("cache_hit")]
    fallbacks = [
        r
        for r in calls
        if not r.get("error.type")
        and not r.get("cache_hit")
        and int(r.get("devcopilot.fallback_position") or 0) > 0
    ]
    live = [r for r in calls if not r.get("cache_hit") and isinstance(r.get("duration_ms"), int | float)]
    latencies = [float(r["duration_ms"]) for r in live]
    ttfts = [float(r["ttft_ms"]) for r in live if isinstance(r.get("ttft_ms"), int | float)]
    return GroupStats(
        group=name,
        calls=len(calls),
        errors=len(errors),
        error_rate=_rate(len(errors), len(calls)),
        timeouts=len(timeouts),
        timeout_rate=_rate(len(timeouts), len(calls)),
        retries=len(retries),
        retry_rate=_rate(len(retries), len(calls)),
        fallbacks=len(fallbacks),
        cache_hits=len(hits),
        cache_hit_rate=_rate(len(hits), len(calls)),
        latency_ms_p50=percentile(latencies, 50),
        latency_ms_p90=percentile(latencies, 90),
        latency_ms_p95=percentile(latencies, 95),
        latency_ms_p99=percentile(latencies, 99),
        ttft_ms_p50=percentile(ttfts, 50),
        ttft_ms_p95=percentile(ttfts, 95),
        input_tokens=sum(int(r.get("gen_ai.usage.input_tokens") or 0) for r in calls),
        output_tokens=sum(int(r.get("gen_ai.usage.output_tokens") or 0) for r in calls),
        cost_usd=round(sum(float(r.get("cost_usd") or 0.0) for r in calls), 6),
        job_runs=sum(1 for r in records if r.get("kind") == "job_run"),
    )
