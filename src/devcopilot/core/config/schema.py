"""The shape of devcopilot's configuration, validated strictly.

Every source (user file, repo file, environment, flags) is validated against
these models on its own, so an error can name the file and key that caused it;
unknown keys are errors because a silently ignored typo in a route is a model
bill nobody expected.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

JOB_ROUTES = ("review", "tests", "iac", "docs", "incident")
DEFAULT_ROUTE = "default"
ROUTE_NAMES = (DEFAULT_ROUTE, *JOB_ROUTES)
OFFLINE = "offline"
"""The pseudo-model meaning: the deterministic engine only, no model call."""

Strategy = Literal["fallback", "cheapest", "fastest", "ab"]
ResponseFormatMode = Literal["auto", "json_schema", "json_object", "none"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RouteSettings(StrictModel):
    """One route as written in a source; ``None`` means "inherit from the default route"."""

    models: list[Annotated[str, Field(min_length=1)]] | None = Field(default=None, min_length=1)
    strategy: Strategy | None = None
    weights: list[Annotated[float, Field(ge=0)]] | None = None
    timeout_s: Annotated[float, Field(gt=0, le=3600)] | None = None
    max_retries: Annotated[int, Field(ge=0, le=10)] | None = None
    retry_backoff_s: Annotated[float, Field(ge=0, le=60)] | None = None
    max_cost_usd: Annotated[float, Field(ge=0)] | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    max_tokens: Annotated[int, Field(gt=0)] | None = None
    max_input_tokens: Annotated[int, Field(gt=0)] | None = None
    stream: bool | None = None

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


class ReviewSettings(StrictModel):
    concurrency: Annotated[int, Field(ge=1, le=32)] = 4
    """Chunks sent to the model at once."""
    exclude: list[str] = Field(default_factory=list)
    """Globs of files never reviewed (in addition to vendored, lock and generated files)."""
    ruff_extend_select: list[Annotated[str, Field(pattern=r"^[A-Z]+[0-9]*$")]] = Field(default_factory=list)
    """ruff rules or prefixes shown in addition to the bug and correctness set (as warnings)."""
    bandit_level: Literal["low", "medium", "high"] = "medium"
    """The lowest bandit severity shown; ``low`` findings are shown as info."""


class Settings(StrictModel):
    routes: dict[str, RouteSettings] = Field(default_factory=dict)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    models: dict[str, ModelSettings] = Field(default_factory=dict)
    log_content: bool = False
    """Store prompt and answer text in provenance (redacted). Off: only hashes and counts."""
    cache: bool = True
    provenance_max_mb: Annotated[float, Field(gt=0)] = 20.0
    provenance_keep: Annotated[int, Field(ge=1, le=100)] = 5

    @field_validator("routes")
    @classmethod
    def _known_routes(cls, routes: dict[str, RouteSettings]) -> dict[str, RouteSettings]:
        unknown = sorted(set(routes) - set(ROUTE_NAMES))
        if unknown:
            raise ValueError(f"unknown route {unknown[0]!r}; routes are named {', '.join(ROUTE_NAMES)}")
        return routes


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
