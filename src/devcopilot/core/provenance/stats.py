"""Aggregate provenance records into the figures ``devcopilot stats`` shows.

Percentiles use linear interpolation between closest ranks (numpy's default),
so p50 of two calls is their mean and a single call is its own p99.

Verification figures come from the ``verdicts`` records, one verdict per model
claim: acceptance is (accepted + merged) / proposed, and cost and latency per
accepted claim divide the group's model spend and model time by the claims
that survived verification. Prompts are grouped by id and version.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from devcopilot.core.errors import UsageError
from devcopilot.core.verdicts import Tally, Verdict

GroupBy = Literal["job", "model", "prompt"]
GROUP_KEYS: dict[str, str] = {"job": "job", "model": "gen_ai.request.model", "prompt": "prompt.id"}
TIMEOUT_ERRORS = frozenset({"timeout"})
SIGNIFICANCE = 0.05
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
    proposed: int
    accepted: int
    merged: int
    dropped: dict[str, int]
    acceptance_rate: float | None
    """(accepted + merged) / proposed; ``None`` when no claim was proposed."""
    cost_per_accepted_usd: float | None
    latency_ms_per_accepted: float | None


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
        groups.setdefault(group_of(record, by), []).append(record)
    rows = [_summarize(name, items) for name, items in sorted(groups.items())]
    if everything:
        rows.append(_summarize("(all)", everything))
    return rows


def group_of(record: dict[str, Any], by: GroupBy) -> str:
    name = str(record.get(GROUP_KEYS[by]) or "-")
    version = record.get("prompt.version")
    return f"{name}@{version}" if by == "prompt" and version else name


def verdicts_of(records: Iterable[dict[str, Any]]) -> list[Verdict]:
    """The verdicts the ``verdicts`` records hold, each with its record's model and prompt."""
    found = []
    for record in records:
        if record.get("kind") != "verdicts":
            continue
        for entry in record.get("verdicts") or []:
            if not isinstance(entry, dict) or entry.get("outcome") not in ("accepted", "merged", "dropped"):
                continue
            found.append(
                Verdict(
                    claim=str(entry.get("claim") or "unknown"),
                    fingerprint=str(entry.get("fingerprint") or ""),
                    outcome=entry["outcome"],
                    reason=entry.get("reason"),
                    model=str(record.get("gen_ai.request.model") or "-"),
                    prompt_id=str(record.get("prompt.id") or "-"),
                    prompt_version=str(record.get("prompt.version") or "-"),
                )
            )
    return found


def _per(total: float, count: int, digits: int) -> float | None:
    return round(total / count, digits) if count else None


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
    tally = Tally.of(verdicts_of(records))
    survived = tally.accepted + tally.merged
    cost = round(sum(float(r.get("cost_usd") or 0.0) for r in calls), 6)
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
        cost_usd=cost,
        job_runs=sum(1 for r in records if r.get("kind") == "job_run"),
        proposed=tally.proposed,
        accepted=tally.accepted,
        merged=tally.merged,
        dropped=tally.dropped,
        acceptance_rate=tally.acceptance_rate,
        cost_per_accepted_usd=_per(cost, survived, 6),
        latency_ms_per_accepted=_per(sum(latencies), survived, 1),
    )


def two_proportion_p(success_a: int, total_a: int, success_b: int, total_b: int) -> float | None:
    """Two-sided p-value of a two-proportion z-test; ``None`` when a side has no claim or no variance."""
    if not total_a or not total_b:
        return None
    pooled = (success_a + success_b) / (total_a + total_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_a + 1 / total_b))
    if spread == 0:
        return None
    z = (success_a / total_a - success_b / total_b) / spread
    return math.erfc(abs(z) / math.sqrt(2))


def leader(rows: list[GroupStats]) -> dict[str, Any] | None:
    """The group with the best acceptance, and whether it leads the next by more than chance (p < 0.05)."""
    ranked = sorted(
        (r for r in rows if r.acceptance_rate is not None and r.group not in ("(all)", "-")),
        key=lambda r: -(r.acceptance_rate or 0.0),
    )
    if len(ranked) < 2:
        return None
    best, second = ranked[0], ranked[1]
    p_value = two_proportion_p(
        best.accepted + best.merged, best.proposed, second.accepted + second.merged, second.proposed
    )
    return {
        "best": best.group,
        "runner_up": second.group,
        "p_value": None if p_value is None else round(p_value, 4),
        "significant": p_value is not None and p_value < SIGNIFICANCE,
    }
