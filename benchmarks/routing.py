"""Model selection on verified results: `verified` against fallback, cheapest, fastest and the oracle.

Each seed draws a scenario from a family: scripted models behind the loopback
OpenAI server, each answering a small job (name the animals in a text) with a
number of claims of which a share is true, at a price and a latency. Every run
goes through the real runner, router (litellm), verifier and provenance, in a
fresh repository per strategy, so `verified` learns only from its own runs.

Per seed and strategy: accepted claims per run and per dollar, and the share
of the oracle's accepted claims after the minimum sample (the oracle always
uses the best model under the objective, which only the script knows).

    python benchmarks/routing.py [--seeds 20] [--runs 40]

Families: clear winner, close call, a best model that degrades mid-run, a free
local model (objective per dollar), a model that fails outright, and one held
back while the strategy was written (many claims at lower acceptance against
few at high). Targets: within 10% of the oracle after the minimum sample on
every family, and ahead of every other strategy on the mean.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

from tests.support.fake_openai import FakeOpenAI, Reply
from tests.test_job_contract import PROMPT, TABLE, TEXT, pick

from devcopilot.core.router.selection import MIN_RUNS
from devcopilot.core.runner import run_job

STRATEGIES = ("fallback", "cheapest", "fastest", "verified")
TRUE_WORDS = TEXT.split()
HELD_BACK = "many-claims"


@dataclass
class Model:
    name: str
    acceptance: float
    claims: int
    price: float
    """Dollars per output token (the claims' tokens dominate a run's cost)."""
    latency_s: float
    fails: bool = False
    degrades_to: float | None = None

    def accepted_per_run(self, run: int, runs: int) -> float:
        if self.fails:
            return 0.0
        return self.claims * self.rate(run, runs)

    def rate(self, run: int, runs: int) -> float:
        if self.degrades_to is not None and run >= runs // 2:
            return self.degrades_to
        return self.acceptance

    def cost_per_run(self) -> float:
        return max(self.price * (5 + 3 * self.claims), 0.0)


@dataclass
class Scenario:
    family: str
    models: list[Model]
    objective: str = "accepted"
    max_cost_usd: float = 1.0

    def oracle(self, run: int, runs: int) -> float:
        """Accepted claims per run of the best model for this run, under the objective."""
        usable = [m for m in self.models if not m.fails and m.cost_per_run() <= self.max_cost_usd]

        def score(model: Model) -> float:
            accepted = model.accepted_per_run(run, runs)
            return (
                accepted / max(model.cost_per_run(), 0.0001) if self.objective == "per_dollar" else accepted
            )

        return max(usable, key=score).accepted_per_run(run, runs)


def scenario(seed: int) -> Scenario:
    rng = random.Random(seed)  # noqa: S311 - scenario parameters, seeded
    families: list[Callable[[random.Random], Scenario]] = [
        _clear_winner, _close_call, _degrading, _free_local, _failing, _many_claims,
    ]  # fmt: skip
    return families[seed % len(families)](rng)


def _priced(rng: random.Random, name: str, acceptance: float, claims: int = 3, **extra: Any) -> Model:
    price = rng.choice([1e-6, 3e-6, 1e-5])
    return Model(name, acceptance, claims, price, rng.choice([0.0, 0.005, 0.02]), **extra)


def _shuffled(rng: random.Random, models: list[Model]) -> list[Model]:
    """The route's order puts the best model anywhere but first, so a fixed order is not the answer."""
    best = max(models, key=lambda m: m.acceptance * m.claims)
    rest = [m for m in models if m is not best]
    rng.shuffle(rest)
    return [*rest[:1], best, *rest[1:]]


def _clear_winner(rng: random.Random) -> Scenario:
    models = [_priced(rng, "m1", 0.9), _priced(rng, "m2", 0.5), _priced(rng, "m3", 0.3)]
    return Scenario("clear-winner", _shuffled(rng, models))


def _close_call(rng: random.Random) -> Scenario:
    models = [_priced(rng, "m1", 0.8), _priced(rng, "m2", 0.72), _priced(rng, "m3", 0.4)]
    return Scenario("close-call", _shuffled(rng, models))


def _degrading(rng: random.Random) -> Scenario:
    models = [_priced(rng, "m1", 0.9, degrades_to=0.2), _priced(rng, "m2", 0.7), _priced(rng, "m3", 0.4)]
    return Scenario("degrading", _shuffled(rng, models))


def _free_local(rng: random.Random) -> Scenario:
    local = Model("local", 0.6, 3, 0.0, 0.02)
    models = [_priced(rng, "m1", 0.9), local, _priced(rng, "m2", 0.5)]
    return Scenario("free-local", models, objective="per_dollar")


def _failing(rng: random.Random) -> Scenario:
    models = [_priced(rng, "down", 0.9, fails=True), _priced(rng, "m1", 0.5), _priced(rng, "m2", 0.8)]
    return Scenario("failing", models)


def _many_claims(rng: random.Random) -> Scenario:
    models = [
        _priced(rng, "few", 0.9, claims=2),
        _priced(rng, "many", 0.5, claims=6),
        _priced(rng, "m3", 0.3),
    ]
    return Scenario(HELD_BACK, models)


@dataclass
class Outcome:
    accepted: list[float] = field(default_factory=list)
    cost: float = 0.0


def run_strategy(scene: Scenario, strategy: str, runs: int, seed: int, scratch: Path) -> Outcome:
    rng = random.Random(seed * 31 + STRATEGIES.index(strategy))  # noqa: S311 - scripted answers, seeded
    by_name = {m.name: m for m in scene.models}
    state = {"run": 0}

    def answer(body: dict[str, Any]) -> Reply:
        model = by_name[str(body.get("model", "")).split("/")[-1]]
        if model.fails:
            return Reply.error(500, "down")
        rate = model.rate(state["run"], runs)
        words = [
            rng.choice(TRUE_WORDS) if rng.random() < rate else f"x{rng.randrange(10**6)}"
            for _ in range(model.claims)
        ]
        return Reply.json({"words": words}, delay_s=model.latency_s, completion_tokens=5 + 3 * model.claims)

    repo = scratch / f"{strategy}-{seed}"
    (repo / ".git").mkdir(parents=True)
    (repo / ".devcopilot" / "prompts" / "words").mkdir(parents=True)
    (repo / ".devcopilot" / "prompts" / "words" / "pick.j2").write_text(PROMPT)
    outcome = Outcome()
    with FakeOpenAI(default=answer) as server:
        settings = {
            f"openai/{m.name}": {
                "api_base": server.url,
                "api_key_env": "BENCH_KEY",
                "input_cost_per_token": 0.0,
                "output_cost_per_token": m.price,
            }
            for m in scene.models
        }
        route = {
            "models": [f"openai/{m.name}" for m in scene.models],
            "strategy": strategy,
            "objective": scene.objective,
            "max_cost_usd": scene.max_cost_usd,
            "max_retries": 0,
            "stream": False,
        }
        (repo / ".devcopilot.toml").write_text(
            "cache = false\n" + _toml({"routes": {"words": route}, "models": settings})
        )
        cwd = Path.cwd()
        os.chdir(repo)
        try:
            for run in range(runs):
                state["run"] = run
                finished = run_job(TABLE, "words", "pick", pick)
                model = finished.result.model
                outcome.accepted.append(float(model.accepted + model.merged) if model else 0.0)
                outcome.cost += model.cost_usd if model else 0.0
        finally:
            os.chdir(cwd)
    return outcome


def _toml(data: dict[str, Any]) -> str:
    import tomli_w

    return tomli_w.dumps(data)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    os.environ["BENCH_KEY"] = "sk-bench"
    skip = 2 * MIN_RUNS * 3  # the minimum sample of every model, before a figure is trusted
    table: dict[str, dict[str, list[float]]] = {}
    per_dollar: dict[str, list[float]] = {s: [] for s in STRATEGIES}
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DEVCOPILOT_HOME"] = str(Path(scratch) / "home")
        for seed in range(args.seeds):
            scene = scenario(seed)
            oracle = sum(scene.oracle(run, args.runs) for run in range(skip, args.runs))
            for strategy in STRATEGIES:
                outcome = run_strategy(scene, strategy, args.runs, seed, Path(scratch))
                share = sum(outcome.accepted[skip:]) / oracle if oracle else 0.0
                table.setdefault(scene.family, {}).setdefault(strategy, []).append(share)
                per_dollar[strategy].append(sum(outcome.accepted) / max(outcome.cost, 1e-9))
    print(f"{args.seeds} seeds x {args.runs} runs; share of the oracle's accepted claims after run {skip}")
    print(f"{'family':<14}" + "".join(f"{s:>11}" for s in STRATEGIES))
    means: dict[str, list[float]] = {s: [] for s in STRATEGIES}
    for family, row in table.items():
        label = family + (" (held back)" if family == HELD_BACK else "")
        cells = ""
        for strategy in STRATEGIES:
            value = statistics.mean(row[strategy])
            means[strategy].append(value)
            cells += f"{value:>10.1%} "
        print(f"{label:<14}{cells}")
    print(f"{'mean':<14}" + "".join(f"{statistics.mean(means[s]):>10.1%} " for s in STRATEGIES))
    print(
        "accepted per dollar (median): "
        + json.dumps({s: round(statistics.median(v)) for s, v in per_dollar.items()})
    )
    worst = min(statistics.mean(table[f]["verified"]) for f in table)
    ahead = all(statistics.mean(means["verified"]) >= statistics.mean(means[s]) for s in STRATEGIES)
    print(f"verified: worst family {worst:.1%} of the oracle (target >= 90%); ahead on the mean: {ahead}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
