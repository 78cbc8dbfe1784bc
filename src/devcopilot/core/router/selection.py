"""The ``verified`` route strategy: prefer the model whose claims survive verification most.

Every job run leaves verdicts in provenance; per model they give a success
count (accepted and merged claims) and a failure count (dropped ones), and the
model calls give cost and latency per run. The choice is Thompson sampling on
acceptance: each model's acceptance is drawn from a Beta posterior, times the
claims it proposes per run (or per dollar, with ``objective = "per_dollar"``),
and the highest draw goes first, so a model that looks worse is still tried
now and then, in proportion to the chance it is in fact better.

- Recency: a run's weight halves every ``HALF_LIFE_RUNS`` newer runs of the job,
  so a model that degrades loses its lead within a few runs, and the figures of
  models not chosen lately grow uncertain, so they are tried again.
- A run in which a model was called and failed (an error, no answer) counts as
  a run with nothing accepted: a model that is down stops being tried first.
- Change: when a model's last ``CHANGE_WINDOW`` runs accept ``CHANGE_DROP`` less
  than its earlier ones, only the recent runs count (``_since_change``).
- Cold start: until a model has ``MIN_RUNS`` runs, the route's order decides
  and the first such model is tried (that is how a figure starts to exist).
- Budgets: a model whose observed cost per run is over the route's
  ``max_cost_usd``, or whose median latency is over ``max_latency_s``, goes last.
- A free model (no cost recorded) counts as costing ``FREE_FLOOR_USD`` per run
  for ``per_dollar``, so it does not win by dividing by zero.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Objective = Literal["accepted", "per_dollar"]
MIN_RUNS = 3
HALF_LIFE_RUNS = 8.0
CHANGE_WINDOW = 3
CHANGE_DROP = 0.35
FREE_FLOOR_USD = 0.0001
EXPLORATION_DRAWS = 2000


@dataclass
class ModelFigures:
    """What provenance says of one model on one job, recent runs weighing more."""

    model: str
    runs: int = 0
    weight: float = 0.0
    """Recency-weighted number of runs."""
    successes: float = 0.0
    failures: float = 0.0
    proposed: float = 0.0
    cost_usd: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def acceptance(self) -> float | None:
        total = self.successes + self.failures
        return self.successes / total if total else None

    @property
    def proposed_per_run(self) -> float:
        return self.proposed / self.weight if self.weight else 0.0

    @property
    def cost_per_run(self) -> float | None:
        return self.cost_usd / self.weight if self.weight else None

    @property
    def latency_ms_p50(self) -> float | None:
        return statistics.median(self.latencies_ms) if self.latencies_ms else None


@dataclass
class _Run:
    age: int
    successes: int = 0
    failures: int = 0
    proposed: int = 0
    calls: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def judged(self) -> int:
        return self.successes + self.failures


def model_figures(records: Iterable[Mapping[str, Any]], job: str) -> dict[str, ModelFigures]:
    """Per model, its recency-weighted verdicts, proposals, cost and latency on ``job``."""
    runs = _runs_by_model(records, job)
    figures: dict[str, ModelFigures] = {}
    for model, model_runs in runs.items():
        entry = figures[model] = ModelFigures(model)
        for run in _since_change(sorted(model_runs, key=lambda r: r.age)):
            weight = 0.5 ** (run.age / HALF_LIFE_RUNS)
            _add_run(entry, weight, run.calls)
            entry.successes += weight * run.successes
            entry.failures += weight * run.failures
            entry.proposed += weight * run.proposed
    return figures


def _runs_by_model(records: Iterable[Mapping[str, Any]], job: str) -> dict[str, list[_Run]]:
    """Each model's runs on ``job``: its verdicts, its calls, and how many runs of the job came since."""
    verdicts, calls, order = _job_records(records, job)
    age = {run_id: len(order) - 1 - index for index, run_id in enumerate(order)}
    runs: dict[tuple[str, str], _Run] = {}
    for record in verdicts:
        model = str(record.get("gen_ai.request.model") or "")
        if not model:
            continue
        run_id = str(record["run_id"])
        run = runs.setdefault((model, run_id), _Run(age[run_id]))
        for verdict in record.get("verdicts") or []:
            outcome = verdict.get("outcome") if isinstance(verdict, dict) else None
            run.proposed += 1
            run.successes += outcome in ("accepted", "merged")
            run.failures += outcome == "dropped"
    for run_id, run_calls in calls.items():
        for call in run_calls:
            model = str(call.get("gen_ai.request.model") or "")
            run = runs.setdefault((model, run_id), _Run(age[run_id]))
            run.calls.append(call)
    for run in runs.values():
        if not run.proposed and run.calls and all(c.get("error.type") for c in run.calls):
            run.failures += 1  # called and failed: a run with nothing accepted
    by_model: dict[str, list[_Run]] = {}
    for (model, _), run in runs.items():
        if run.judged or run.proposed or run.calls:
            by_model.setdefault(model, []).append(run)
    return by_model


def _since_change(runs: list[_Run]) -> list[_Run]:
    """The runs to learn from, newest first: all of them, or only the recent ones when they fell sharply.

    A model whose last ``CHANGE_WINDOW`` runs accept ``CHANGE_DROP`` less than its earlier runs has
    changed (a new version, a degraded provider): what it did before says little about it now.
    """
    recent, older = runs[:CHANGE_WINDOW], runs[CHANGE_WINDOW:]
    if len(recent) < CHANGE_WINDOW or not older:
        return runs
    recent_judged = sum(r.judged for r in recent)
    older_judged = sum(r.judged for r in older)
    if not recent_judged or not older_judged:
        return runs
    recent_rate = sum(r.successes for r in recent) / recent_judged
    older_rate = sum(r.successes for r in older) / older_judged
    return recent if recent_rate < older_rate - CHANGE_DROP else runs


def _job_records(
    records: Iterable[Mapping[str, Any]], job: str
) -> tuple[list[Mapping[str, Any]], dict[str, list[Mapping[str, Any]]], list[str]]:
    """The job's verdicts records, its model calls by run, and its runs oldest first."""
    verdicts: list[Mapping[str, Any]] = []
    calls: dict[str, list[Mapping[str, Any]]] = {}
    order: dict[str, None] = {}
    for record in records:
        kind = record.get("kind")
        if record.get("job") != job or not record.get("run_id") or kind not in ("verdicts", "model_call"):
            continue
        run_id = str(record["run_id"])
        order.setdefault(run_id)
        if kind == "verdicts":
            verdicts.append(record)
        else:
            calls.setdefault(run_id, []).append(record)
    return verdicts, calls, list(order)


def _add_run(entry: ModelFigures, weight: float, calls: list[Mapping[str, Any]]) -> None:
    entry.runs += 1
    entry.weight += weight
    for call in calls:
        entry.cost_usd += weight * float(call.get("cost_usd") or 0.0)
        if not call.get("cache_hit") and isinstance(call.get("duration_ms"), int | float):
            entry.latencies_ms.append(float(call["duration_ms"]))


@dataclass(frozen=True)
class Budgets:
    max_cost_usd: float | None = None
    max_latency_s: float | None = None

    def fits(self, figures: ModelFigures | None) -> bool:
        if figures is None:
            return True
        cost, latency = figures.cost_per_run, figures.latency_ms_p50
        if self.max_cost_usd is not None and cost is not None and cost > self.max_cost_usd:
            return False
        return not (
            self.max_latency_s is not None and latency is not None and latency > self.max_latency_s * 1000
        )


def value(figures: ModelFigures, acceptance: float, objective: Objective) -> float:
    """Expected accepted claims per run (or per dollar) at a given acceptance."""
    accepted = acceptance * max(figures.proposed_per_run, 1.0)
    if objective == "per_dollar":
        return accepted / max(figures.cost_per_run or 0.0, FREE_FLOOR_USD)
    return accepted


def choose(
    models: Sequence[str],
    figures: Mapping[str, ModelFigures],
    *,
    budgets: Budgets,
    objective: Objective = "accepted",
    rng: random.Random,
) -> list[str]:
    """The route's models in the order to try them: one Thompson draw, over-budget models last."""
    fitting = [m for m in models if budgets.fits(figures.get(m))]
    over = [m for m in models if m not in fitting]
    young = [m for m in fitting if figures.get(m) is None or figures[m].runs < MIN_RUNS]
    if young:
        first = young[0]
        return [first, *(m for m in fitting if m != first), *over]
    draws = {m: value(figures[m], _draw(figures[m], rng), objective) for m in fitting}
    cost = {m: figures[m].cost_per_run or 0.0 for m in fitting}
    return [*sorted(fitting, key=lambda m: (-draws[m], cost[m])), *over]


def exploration_share(
    models: Sequence[str],
    figures: Mapping[str, ModelFigures],
    *,
    budgets: Budgets,
    objective: Objective,
    rng: random.Random,
) -> dict[str, float]:
    """How often each model would go first: the greedy choice's share, and the exploration left."""
    first: dict[str, int] = dict.fromkeys(models, 0)
    for _ in range(EXPLORATION_DRAWS):
        first[choose(models, figures, budgets=budgets, objective=objective, rng=rng)[0]] += 1
    return {m: n / EXPLORATION_DRAWS for m, n in first.items()}


def _draw(figures: ModelFigures, rng: random.Random) -> float:
    return rng.betavariate(1.0 + figures.successes, 1.0 + figures.failures)
