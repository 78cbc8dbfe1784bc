"""The shape of devcopilot's configuration, validated strictly.

Every source (user file, repo file, environment, flags) is validated against
these models on its own, so an error can name the file and key that caused it;
unknown keys are errors because a silently ignored typo in a route is a model
bill nobody expected.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from devcopilot.core.jobs import NO_JOBS, JobTable

DEFAULT_ROUTE = "default"
OFFLINE = "offline"
"""The pseudo-model meaning: the deterministic engine only, no model call."""

Strategy = Literal["fallback", "cheapest", "fastest", "ab", "verified"]
Objective = Literal["accepted", "per_dollar"]
ResponseFormatMode = Literal["auto", "json_schema", "json_object", "none"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RouteSettings(StrictModel):
    """One route as written in a source; ``None`` means "inherit from the default route"."""

    models: list[Annotated[str, Field(min_length=1)]] | None = Field(default=None, min_length=1)
    """Models in order (default ``["offline"]``); ``offline`` (engine only) may only come last."""
    strategy: Strategy | None = None
    """Default ``fallback`` (in order); ``cheapest`` (litellm's price map, or your prices), ``fastest``
    (median latency seen in this repo's provenance), ``ab`` (weighted first choice), ``verified`` (the
    model whose claims survive verification most, learned from this repository's provenance)."""
    weights: list[Annotated[float, Field(ge=0)]] | None = None
    """One per model, for ``ab``."""
    timeout_s: Annotated[float, Field(gt=0, le=3600)] | None = None
    """Per request; default 60."""
    max_retries: Annotated[int, Field(ge=0, le=10)] | None = None
    """Retries of one model on 429, 5xx, timeouts, resets, malformed or truncated answers; default 2."""
    retry_backoff_s: Annotated[float, Field(ge=0, le=60)] | None = None
    """First pause, doubling, capped at 8 s (a ``Retry-After`` header is honoured up to 60 s); default 0.5."""
    max_cost_usd: Annotated[float, Field(ge=0)] | None = None
    """Per run; once spent, further calls are refused with a clear message; default 1.0."""
    max_latency_s: Annotated[float, Field(gt=0)] | None = None
    """For ``verified``: a model whose median latency is over this is tried last."""
    objective: Objective | None = None
    """For ``verified``: ``accepted`` (the default: most accepted claims per run) or ``per_dollar``
    (a free model counts as $0.0001 a run)."""
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    """Default 0.0."""
    max_tokens: Annotated[int, Field(gt=0)] | None = None
    """Default: the provider's."""
    max_input_tokens: Annotated[int, Field(gt=0)] | None = None
    """The budget jobs pack their context into; default from litellm."""
    stream: bool | None = None
    """Default true: streaming is how time to first token is measured."""

    @field_validator("models")
    @classmethod
    def _offline_comes_last(cls, models: list[str] | None) -> list[str] | None:
        if models and OFFLINE in models[:-1]:
            raise ValueError(f"'{OFFLINE}' ends a route: it may only be the last model")
        return models


class ModelSettings(StrictModel):
    """Settings for one litellm model string, shared by every route that names it."""

    api_base: str | None = None
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    response_format: ResponseFormatMode = "auto"
    input_cost_per_token: Annotated[float, Field(ge=0)] | None = None
    output_cost_per_token: Annotated[float, Field(ge=0)] | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class Settings(StrictModel):
    """The core's settings; each registered job adds its own section (see ``settings_model``)."""

    routes: dict[str, RouteSettings] = Field(default_factory=dict)
    models: dict[str, ModelSettings] = Field(default_factory=dict)
    log_content: bool = False
    """Store prompt and answer text in provenance (redacted). Off: only hashes and counts."""
    cache: bool = True
    provenance_max_mb: Annotated[float, Field(gt=0)] = 20.0
    provenance_keep: Annotated[int, Field(ge=1, le=100)] = 5

    @field_validator("routes")
    @classmethod
    def _known_routes(
        cls, routes: dict[str, RouteSettings], info: ValidationInfo
    ) -> dict[str, RouteSettings]:
        names = route_names(info.context)
        unknown = sorted(set(routes) - set(names))
        if unknown:
            raise ValueError(f"unknown route {unknown[0]!r}; routes are named {', '.join(names)}")
        return routes


def route_names(context: Any) -> tuple[str, ...]:
    """The routes a validation may name: the default route and those of the job table it was given."""
    table = context.get("jobs") if isinstance(context, dict) else None
    return (table if isinstance(table, JobTable) else NO_JOBS).route_names()


@cache
def settings_model(jobs: JobTable) -> type[Settings]:
    """``Settings`` with a strict section for every job of the table that declares one."""
    sections = jobs.sections()
    if not sections:
        return Settings
    fields: dict[str, Any] = {name: (model, Field(default_factory=model)) for name, model in sections.items()}
    built: type[Settings] = create_model("Settings", __base__=Settings, **fields)
    return built


class Route(StrictModel):
    """A route with every field resolved: what the router actually uses."""

    name: str
    models: list[str]
    strategy: Strategy = "fallback"
    weights: list[float] | None = None
    timeout_s: float = 60.0
    max_retries: int = 2
    retry_backoff_s: float = 0.5
    max_cost_usd: float = 1.0
    max_latency_s: float | None = None
    """For ``verified``: a model slower than this (median) is tried last."""
    objective: Objective = "accepted"
    """For ``verified``: most accepted claims per run, or ``per_dollar``."""
    temperature: float = 0.0
    max_tokens: int | None = None
    max_input_tokens: int | None = None
    stream: bool = True

    @model_validator(mode="after")
    def _weights_match_models(self) -> Route:
        if self.strategy == "ab":
            if not self.weights or len(self.weights) != len(self.models):
                raise ValueError("strategy 'ab' needs one weight per model")
            if sum(self.weights) <= 0:
                raise ValueError("strategy 'ab' needs at least one positive weight")
        return self

    @property
    def offline(self) -> bool:
        return self.models == [OFFLINE]

    @property
    def callable_models(self) -> list[str]:
        return [m for m in self.models if m != OFFLINE]


BUILTIN_ROUTE_DEFAULTS: dict[str, Any] = {"models": [OFFLINE]}
