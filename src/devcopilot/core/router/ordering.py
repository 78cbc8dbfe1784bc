"""The order in which a run tries a route's models: a pin first, then the route's strategy.

``fallback`` keeps the route's order; ``cheapest`` sorts by price; ``fastest`` by
the median latency this repository's provenance shows; ``ab`` draws the first
model by weight on every prompt; ``verified`` draws once per run from what
verification made of each model's claims (``selection``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from devcopilot.core.config import EffectiveConfig, Route
from devcopilot.core.provenance import ProvenanceLog
from devcopilot.core.router.types import Backend


@dataclass
class ModelOrder:
    route: Route
    config: EffectiveConfig
    backend: Backend
    provenance: ProvenanceLog | None
    job: str
    rng: random.Random
    pinned: str | None = None
    """A model pinned for this job (``models pin``): tried first, whatever the strategy."""
    _latency_p50: dict[str, float] | None = field(default=None, init=False, repr=False)
    _verified_order: list[str] | None = field(default=None, init=False, repr=False)

    def models(self) -> list[str]:
        """The route's models in the order to try them: a pinned model first, then the strategy's order."""
        ordered = self._strategy_order()
        if self.pinned is None:
            return ordered
        return [self.pinned, *(m for m in ordered if m != self.pinned)]

    def _strategy_order(self) -> list[str]:
        models = self.route.callable_models
        strategy = self.route.strategy
        if strategy == "verified":
            return list(self._verified())
        if strategy == "cheapest":
            prices = {m: self.backend.price_per_token(m, self.config.model_settings(m)) for m in models}
            return sorted(models, key=lambda m: (prices[m] is None, prices[m] or 0.0))
        if strategy == "fastest":
            latency = self._observed_latency()
            return sorted(models, key=lambda m: (m not in latency, latency.get(m, 0.0)))
        if strategy == "ab" and self.route.weights:
            weights = self.route.weights[: len(models)]
            first = self.rng.choices(models, weights=weights, k=1)[0]
            return [first, *(m for m in models if m != first)]
        return list(models)

    def _verified(self) -> list[str]:
        """One Thompson draw per run: every prompt of the run (review chunks, repair rounds) goes to the
        same model first, and the provenance log is read once, not once per prompt."""
        if self._verified_order is None:
            from devcopilot.core.router.selection import Budgets, choose, model_figures  # noqa: PLC0415

            records = self.provenance.read() if self.provenance is not None else iter(())
            figures = model_figures(records, self.job)
            budgets = Budgets(self.route.max_cost_usd, self.route.max_latency_s)
            self._verified_order = choose(
                self.route.callable_models,
                figures,
                budgets=budgets,
                objective=self.route.objective,
                rng=self.rng,
            )
        return self._verified_order

    def _observed_latency(self) -> dict[str, float]:
        """Median latency per model from this repository's provenance: what "fastest" means here."""
        if self._latency_p50 is None:
            from devcopilot.core.provenance.stats import compute_stats  # noqa: PLC0415 - only this strategy needs it

            records = self.provenance.read() if self.provenance is not None else iter(())
            rows = compute_stats(records, by="model")
            self._latency_p50 = {r.group: r.latency_ms_p50 for r in rows if r.latency_ms_p50 is not None}
        return self._latency_p50
