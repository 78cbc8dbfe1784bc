"""What the router and a model backend exchange: plain data, no litellm types.

Keeping litellm's objects behind these types lets the router's policy
(ordering, retries, fallback, repair, budget) be read and tested on its own,
and keeps litellm imported by one module only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from devcopilot.core.config.schema import ModelSettings

T = TypeVar("T", bound=BaseModel)


class Action(Enum):
    RETRY = "retry"
    """Transient: the same model again after a pause (429, 5xx, timeout, reset, truncated stream)."""
    NEXT_MODEL = "next_model"
    """This model cannot answer this request (auth, not found, context too long): try the next one."""
    DROP_RESPONSE_FORMAT = "drop_response_format"
    """The server rejected the JSON-schema response format: the same model once more without it."""


@dataclass(frozen=True)
class Failure:
    action: Action
    error_type: str
    message: str
    retry_after_s: float | None = None


@dataclass(frozen=True)
class CallRequest:
    model: str
    messages: Sequence[Mapping[str, str]]
    params: Mapping[str, Any]
    stream: bool


@dataclass(frozen=True)
class RawAnswer:
    text: str
    response_model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    ttft_ms: float | None = None


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class AttemptSummary:
    model: str
    attempt: int
    error_type: str | None
    duration_ms: float


@dataclass(frozen=True)
class Completion(Generic[T]):
    """A model's answer, validated when a schema was asked for."""

    text: str
    parsed: T | None
    model: str
    response_model: str | None
    duration_ms: float
    ttft_ms: float | None
    input_tokens: int | None
    output_tokens: int | None
    cost_usd: float | None
    cache_hit: bool
    attempts: tuple[AttemptSummary, ...] = field(default_factory=tuple)
    prompt_id: str = ""
    prompt_version: str = ""
    """The prompt that was answered: every verdict on this answer's claims names it."""


@dataclass
class RunUsage:
    """What the answers of one run cost, and who gave them: the figures every model pass reports."""

    answered_by: set[str] = field(default_factory=set)
    prompts: set[str] = field(default_factory=set)
    cost_usd: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_hits: int = 0

    def add(self, answer: Completion[Any]) -> None:
        self.answered_by.add(answer.model)
        self.prompts.add(f"{answer.prompt_id}@{answer.prompt_version}")
        self.cost_usd += answer.cost_usd or 0.0
        self.input_tokens += answer.input_tokens or 0
        self.output_tokens += answer.output_tokens or 0
        self.cache_hits += int(answer.cache_hit)


class Backend(Protocol):
    """A way to reach models. The real one is litellm; the protocol keeps the policy testable."""

    def call(self, request: CallRequest) -> RawAnswer: ...

    async def acall(self, request: CallRequest) -> RawAnswer: ...

    def classify(self, error: BaseException, *, had_response_format: bool) -> Failure: ...

    def cost(self, model: str, answer: RawAnswer, settings: ModelSettings) -> float | None: ...

    def price_per_token(self, model: str, settings: ModelSettings) -> float | None: ...

    def provider(self, model: str) -> str: ...

    def supports_response_schema(self, model: str) -> bool: ...
