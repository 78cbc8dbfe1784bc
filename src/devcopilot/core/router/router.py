"""Route a rendered prompt to a model: order, retry, fall back, repair, cap cost, record.

The policy is written once, as a generator that yields what it needs done (a
model call, a pause) and receives the outcome. ``complete`` drives it with
blocking calls and ``acomplete`` with awaited ones, so the sync and async paths
can never disagree about retries, fallback or what gets recorded.

Why not tenacity: the decisions here (which model next, drop the response
format once, one repair round that is not a retry, cool a model down for the
run, stop at the cost cap) are the policy itself, not a wrapper around one
call; the backoff arithmetic that remains is two lines.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
import uuid
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from devcopilot.core.config import EffectiveConfig, Route
from devcopilot.core.config.schema import ModelSettings
from devcopilot.core.errors import CostCapReachedError, ModelUnavailableError
from devcopilot.core.prompts import RenderedPrompt
from devcopilot.core.provenance import ProvenanceLog
from devcopilot.core.redaction import redact
from devcopilot.core.router.cache import CachedAnswer, ResponseCache
from devcopilot.core.router.ordering import ModelOrder
from devcopilot.core.router.structured import StructuredOutputError, parse_structured, schema_instructions
from devcopilot.core.router.types import (
    Action,
    AttemptSummary,
    Backend,
    CallRequest,
    Completion,
    RawAnswer,
    RunUsage,
    Sleep,
    T,
)

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 8.0
MAX_RETRY_AFTER_S = 60.0
"""A server asking for a longer pause is treated as down for this run: waiting would stall the user."""

_Policy = Generator[CallRequest | Sleep, RawAnswer | None, Completion[Any]]
_ModelPolicy = Generator[CallRequest | Sleep, RawAnswer | None, "Completion[Any] | str"]


class ModelRouter:
    """One router per job run: cool-downs and the cost cap last as long as the run."""

    def __init__(
        self,
        config: EffectiveConfig,
        route: str,
        *,
        job: str | None = None,
        log_to: ProvenanceLog | None = None,
        cache: ResponseCache | None = None,
        backend: Backend | None = None,
        rng: random.Random | None = None,
        run_id: str | None = None,
        pinned: str | None = None,
    ) -> None:
        self.config = config
        self.route: Route = config.route(route)
        self.job = job or route
        self.provenance = log_to
        self.cache = cache if config.settings.cache else None
        if backend is None:
            from devcopilot.core.router.litellm_backend import LiteLLMBackend  # noqa: PLC0415 - keeps litellm lazy

            backend = LiteLLMBackend()
        self.backend = backend
        self.rng = rng or random.Random()  # noqa: S311 - A/B assignment, not cryptography
        self.run_id = run_id or uuid.uuid4().hex
        self.spent_usd = 0.0
        self.cooled: dict[str, str] = {}
        """Models that failed this run, with the reason; they are skipped until the run ends."""
        self.usage = RunUsage()
        """Every answer of this run: who gave it, at what cost."""
        self.ordering = ModelOrder(self.route, config, backend, log_to, self.job, self.rng, pinned)

    @property
    def offline(self) -> bool:
        return self.route.offline

    def complete(self, prompt: RenderedPrompt, schema: type[T] | None = None) -> Completion[T]:
        run = _PolicyRun(self._policy(prompt, schema))
        while (step := run.next_step()) is not None:
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                continue
            try:
                run.outcome = self.backend.call(step)
            except Exception as exc:  # noqa: BLE001 - every failure is classified by the policy
                run.error = exc
        self.usage.add(run.result)
        return run.result

    async def acomplete(self, prompt: RenderedPrompt, schema: type[T] | None = None) -> Completion[T]:
        run = _PolicyRun(self._policy(prompt, schema))
        while (step := run.next_step()) is not None:
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
                continue
            try:
                run.outcome = await self.backend.acall(step)
            except Exception as exc:  # noqa: BLE001 - every failure is classified by the policy
                run.error = exc
        self.usage.add(run.result)
        return run.result

    # The policy -----------------------------------------------------------------------------------

    def _policy(self, prompt: RenderedPrompt, schema: type[BaseModel] | None) -> _Policy:
        if self.route.offline:
            raise ModelUnavailableError(f"route '{self.route.name}' is offline: no model is configured")
        if schema is not None and prompt.output is not None and prompt.output != schema.__name__:
            raise ValueError(f"prompt {prompt.id} expects output {prompt.output}, not {schema.__name__}")
        messages, redactions = self._messages(prompt, schema)
        attempts: list[AttemptSummary] = []
        reasons: list[str] = []
        for position, model in enumerate(self._order()):
            if model in self.cooled:
                reasons.append(f"{model}: skipped, failed earlier in this run ({self.cooled[model]})")
                continue
            target = _ModelAttempt(self, model, position, prompt, redactions, attempts)
            outcome = yield from self._try_model(target, schema, messages)
            if isinstance(outcome, Completion):
                return outcome
            self.cooled[model] = outcome
            reasons.append(f"{model}: {outcome}")
        raise ModelUnavailableError(
            f"no model of route '{self.route.name}' could answer: " + "; ".join(reasons)
        )

    def _try_model(
        self, target: _ModelAttempt, schema: type[BaseModel] | None, messages: list[dict[str, str]]
    ) -> _ModelPolicy:
        """Ask one model until it answers validly, or return why it cannot (and so is cooled down)."""
        settings = self.config.model_settings(target.model)
        if settings.api_key_env and not os.environ.get(settings.api_key_env):
            return f"its key variable {settings.api_key_env} is not set"
        use_format = schema is not None and self._wants_response_format(target.model, settings)
        params = self._params(target.prompt, settings, schema if use_format else None)
        cache_key = ResponseCache.key(target.model, messages, params) if self.cache is not None else None
        cached = self._from_cache(cache_key, target, schema)
        if cached is not None:
            return cached
        conversation = messages
        retries = 0
        repaired = format_dropped = False
        while True:
            target.attempt += 1
            self._check_budget()
            started = time.perf_counter()
            try:
                raw = yield CallRequest(target.model, conversation, params, stream=self.route.stream)
            except Exception as exc:  # noqa: BLE001 - classified below; nothing escapes unrecorded
                failure = self.backend.classify(exc, had_response_format=use_format)
                target.record(_elapsed_ms(started), conversation, error=(failure.error_type, failure.message))
                if failure.action is Action.DROP_RESPONSE_FORMAT and use_format and not format_dropped:
                    use_format, format_dropped = False, True
                    params = self._params(target.prompt, settings, None)
                    continue
                pause = (
                    self._pause(retries, failure.retry_after_s) if failure.action is Action.RETRY else None
                )
                if pause is None:
                    return f"{failure.error_type}: {failure.message}"
                retries += 1
                yield Sleep(pause)
                continue
            if raw is None:
                raise RuntimeError("the driver sent no answer")  # a bug in a driver, not a model failure
            duration = _elapsed_ms(started)
            cost = self.backend.cost(target.model, raw, settings)
            self.spent_usd += cost or 0.0
            problem = _check_answer(raw, schema)
            if isinstance(problem, _Problem):
                target.record(duration, conversation, raw, cost, error=(problem.error_type, problem.message))
                if problem.error_type == "invalid_output" and not repaired:
                    repaired = True
                    conversation = [*conversation, *_repair_turn(raw.text, problem.message)]
                    continue
                pause = self._pause(retries, None) if problem.error_type == "empty_response" else None
                if pause is None:
                    suffix = " after a repair round" if repaired else ""
                    return f"{problem.error_type}: {problem.message}{suffix}"
                retries += 1
                yield Sleep(pause)
                continue
            target.record(duration, conversation, raw, cost)
            if cache_key is not None and self.cache is not None:
                self.cache.put(
                    cache_key, CachedAnswer(raw.text, raw.response_model, raw.input_tokens, raw.output_tokens)
                )
            return _completion(target, raw, problem, duration=duration, cost=cost, cache_hit=False)

    def _from_cache(
        self, key: str | None, target: _ModelAttempt, schema: type[BaseModel] | None
    ) -> Completion[Any] | None:
        if key is None or self.cache is None:
            return None
        started = time.perf_counter()
        hit = self.cache.get(key)
        if hit is None:
            return None
        raw = RawAnswer(hit.text, hit.response_model, hit.input_tokens, hit.output_tokens)
        parsed = _check_answer(raw, schema)
        if isinstance(parsed, _Problem):
            return None  # the schema changed since this answer was cached: ask again
        target.cache_hit = True
        target.attempt = 1
        duration = _elapsed_ms(started)
        target.record(duration, None, raw, 0.0)
        return _completion(target, raw, parsed, duration=duration, cost=0.0, cache_hit=True)

    # Pieces of the policy ---------------------------------------------------------------------------

    def _order(self) -> list[str]:
        return self.ordering.models()

    def _wants_response_format(self, model: str, settings: ModelSettings) -> bool:
        if settings.response_format == "auto":
            return self.backend.supports_response_schema(model)
        return settings.response_format != "none"

    def _params(
        self, prompt: RenderedPrompt, settings: ModelSettings, schema: type[BaseModel] | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            **prompt.params,
            "temperature": self.route.temperature,
            "timeout": self.route.timeout_s,
            "num_retries": 0,
            "max_retries": 0,
            "drop_params": True,
        }
        if self.route.max_tokens is not None:
            params["max_tokens"] = self.route.max_tokens
        if settings.api_base:
            params["api_base"] = settings.api_base
        if settings.api_key_env:
            params["api_key"] = os.environ.get(settings.api_key_env, "")
        params.update(settings.params)
        if schema is not None:
            if settings.response_format == "json_object":
                params["response_format"] = {"type": "json_object"}
            else:
                params["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": schema.__name__,
                        "schema": schema.model_json_schema(),
                        "strict": False,
                    },
                }
        if self.route.stream:
            params["stream"] = True
            params["stream_options"] = {"include_usage": True}
        return params

    def _messages(
        self, prompt: RenderedPrompt, schema: type[BaseModel] | None
    ) -> tuple[list[dict[str, str]], int]:
        """The prompt's messages with secrets redacted and, for structured output, the schema spelled out.

        The schema goes into the text even when a response format is sent: some
        servers accept the format and ignore it, and the repair round needs it.
        """
        messages: list[dict[str, str]] = []
        total = 0
        for message in prompt.messages:
            cleaned = redact(message["content"])
            total += cleaned.total
            messages.append({"role": message["role"], "content": cleaned.text})
        if schema is not None:
            instructions = schema_instructions(schema)
            if messages and messages[0]["role"] == "system":
                messages[0] = {"role": "system", "content": messages[0]["content"] + "\n\n" + instructions}
            else:
                messages.insert(0, {"role": "system", "content": instructions})
        return messages, total

    def _pause(self, retries_done: int, retry_after: float | None) -> float | None:
        """Seconds to wait before the next try of the same model, or ``None`` to give up on it."""
        if retries_done >= self.route.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= MAX_RETRY_AFTER_S else None
        backoff = min(MAX_BACKOFF_S, self.route.retry_backoff_s * (2.0**retries_done))
        return backoff * (0.75 + 0.5 * self.rng.random())

    def _check_budget(self) -> None:
        cap = self.route.max_cost_usd
        if self.spent_usd >= cap:
            raise CostCapReachedError(
                f"cost cap of ${cap:.2f} for this run is spent (${self.spent_usd:.4f}); "
                "no further model calls",
                hint=f"raise routes.{self.route.name}.max_cost_usd to allow more",
            )


class _PolicyRun:
    """Steps a policy generator: hands it the last outcome (or error) and returns what it asks next."""

    def __init__(self, policy: _Policy) -> None:
        self.policy = policy
        self.outcome: RawAnswer | None = None
        self.error: BaseException | None = None
        self._result: Completion[Any] | None = None

    @property
    def result(self) -> Completion[Any]:
        if self._result is None:
            raise RuntimeError("the policy has not returned yet")
        return self._result

    def next_step(self) -> CallRequest | Sleep | None:
        """The next request or pause, or ``None`` once the policy has returned its completion."""
        error, self.error = self.error, None
        outcome, self.outcome = self.outcome, None
        try:
            return self.policy.throw(error) if error is not None else self.policy.send(outcome)
        except StopIteration as done:
            self._result = done.value
            return None


@dataclass
class _Problem:
    error_type: str
    message: str


def _check_answer(raw: RawAnswer, schema: type[BaseModel] | None) -> BaseModel | _Problem | None:
    """The parsed answer (``None`` for plain text), or what is wrong with it."""
    if not raw.text.strip():
        return _Problem("empty_response", "the model answered with empty content")
    if schema is None:
        return None
    try:
        return parse_structured(raw.text, schema)
    except StructuredOutputError as invalid:
        return _Problem("invalid_output", str(invalid))


def _completion(
    target: _ModelAttempt,
    raw: RawAnswer,
    parsed: BaseModel | None,
    *,
    duration: float,
    cost: float | None,
    cache_hit: bool,
) -> Completion[Any]:
    return Completion(
        text=raw.text,
        parsed=parsed,
        model=target.model,
        response_model=raw.response_model,
        duration_ms=duration,
        ttft_ms=raw.ttft_ms,
        input_tokens=raw.input_tokens,
        output_tokens=raw.output_tokens,
        cost_usd=cost,
        cache_hit=cache_hit,
        attempts=tuple(target.attempts),
        prompt_id=target.prompt.id,
        prompt_version=target.prompt.version,
    )


@dataclass
class _ModelAttempt:
    """The requests sent to one model for one prompt, and the provenance record each one leaves."""

    router: ModelRouter
    model: str
    position: int
    prompt: RenderedPrompt
    redactions: int
    attempts: list[AttemptSummary]
    attempt: int = 0
    cache_hit: bool = False

    def record(
        self,
        duration_ms: float,
        messages: Sequence[Mapping[str, str]] | None,
        raw: RawAnswer | None = None,
        cost: float | None = None,
        *,
        error: tuple[str, str] | None = None,
    ) -> None:
        error_type, message = error if error is not None else (None, None)
        self.attempts.append(AttemptSummary(self.model, self.attempt, error_type, duration_ms))
        if error is not None:
            log.debug("%s attempt %d failed: %s %s", self.model, self.attempt, error_type, message)
        provenance = self.router.provenance
        if provenance is None:
            return
        route = self.router.route
        record = provenance.new_record(
            "model_call",
            **{
                "run_id": self.router.run_id,
                "job": self.router.job,
                "route": route.name,
                "strategy": route.strategy,
                "attempt": self.attempt,
                "devcopilot.fallback_position": self.position,
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": self.router.backend.provider(self.model),
                "gen_ai.request.model": self.model,
                "gen_ai.response.model": raw.response_model if raw else None,
                "gen_ai.request.temperature": route.temperature,
                "gen_ai.usage.input_tokens": raw.input_tokens if raw else None,
                "gen_ai.usage.output_tokens": raw.output_tokens if raw else None,
                "cost_usd": cost,
                "duration_ms": round(duration_ms, 3),
                "ttft_ms": round(raw.ttft_ms, 3) if raw and raw.ttft_ms is not None else None,
                "cache_hit": self.cache_hit,
                "error.type": error_type,
                "error.message": message,
                "prompt.id": self.prompt.id,
                "prompt.version": self.prompt.version,
                "prompt.sha256": self.prompt.template_sha256,
                "prompt.rendered_sha256": self.prompt.rendered_sha256,
                "prompt.overridden": self.prompt.overridden,
                "redactions": self.redactions,
            },
        )
        if provenance.log_content:
            record["gen_ai.input.messages"] = list(messages or [])
            record["gen_ai.output.messages"] = [{"role": "assistant", "content": raw.text}] if raw else []
        provenance.append(record)


def _repair_turn(answer: str, problem: str) -> list[dict[str, str]]:
    return [
        {"role": "assistant", "content": answer},
        {
            "role": "user",
            "content": f"That answer could not be used: {problem}. "
            "Reply again with only the corrected JSON object, matching the schema exactly.",
        },
    ]


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
