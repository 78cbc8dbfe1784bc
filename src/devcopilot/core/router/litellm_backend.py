"""The only module that imports litellm, and only when a model is actually used.

Importing litellm takes seconds, so ``devcopilot --help`` and a pre-commit run
with nothing to review must never reach this import. litellm's own retries are
switched off (``num_retries=0``, ``max_retries=0``): the router owns retries,
fallback and cool-down so that each attempt is visible in provenance.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from functools import cache
from types import ModuleType
from typing import Any

from devcopilot.core.config.schema import ModelSettings
from devcopilot.core.redaction import redact
from devcopilot.core.router.types import Action, CallRequest, Failure, RawAnswer

# A server that cannot do JSON-schema output says so in one of these words (llama.cpp answers 500, vLLM 400).
_FORMAT_REJECTED = re.compile(
    r"response_format|json_schema|json schema|grammar|guided_json|structured output", re.IGNORECASE
)
_MALFORMED = re.compile(
    r"Unterminated string|Expecting (?:value|property name|',')|JSONDecodeError|Extra data"
)
_CONNECTION = re.compile(
    r"Connection (?:error|reset)|connection was closed|Errno 104|Server disconnected", re.I
)


@cache
def litellm_module() -> ModuleType:
    """Import litellm once, offline: its price map comes from the installed package, never the network."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    # litellm's own deprecation noise and a pydantic note about its types are not the user's concern,
    # and must never land on stderr next to a review.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"litellm")
    warnings.filterwarnings("ignore", message=r".*`ReadOnly` qualifier", category=UserWarning)
    import litellm  # noqa: TID251 - this is the one sanctioned import site

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    # litellm's success logging feeds litellm's own callbacks, which devcopilot never registers (our
    # provenance log is written by the router); for streams it rebuilds and re-prices every answer.
    litellm.disable_streaming_logging = True
    return litellm


def _usage(obj: Any) -> tuple[int | None, int | None]:
    usage = getattr(obj, "usage", None)
    if usage is None:
        return None, None
    return getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None)


def _text_of(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    if not choices:
        return ""
    message = getattr(choices[0], "message", None)
    return (getattr(message, "content", None) or "") if message is not None else ""


def _delta_text(chunk: Any) -> str:
    choices = getattr(chunk, "choices", None) or []
    if not choices:
        return ""
    delta = getattr(choices[0], "delta", None)
    return (getattr(delta, "content", None) or "") if delta is not None else ""


class _StreamCollector:
    """Accumulates a streamed answer and notes when its first token arrived."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.parts: list[str] = []
        self.ttft_ms: float | None = None
        self.model: str | None = None
        self.tokens: tuple[int | None, int | None] = (None, None)

    def add(self, chunk: Any) -> None:
        text = _delta_text(chunk)
        if text and self.ttft_ms is None:
            self.ttft_ms = (time.perf_counter() - self.started) * 1000
        self.parts.append(text)
        self.model = getattr(chunk, "model", None) or self.model
        tokens = _usage(chunk)
        if tokens != (None, None):
            self.tokens = tokens

    def answer(self) -> RawAnswer:
        return RawAnswer("".join(self.parts), self.model, *self.tokens, ttft_ms=self.ttft_ms)


class LiteLLMBackend:
    def call(self, request: CallRequest) -> RawAnswer:
        litellm = litellm_module()
        started = time.perf_counter()
        response = litellm.completion(model=request.model, messages=list(request.messages), **request.params)
        if not request.stream:
            return RawAnswer(_text_of(response), getattr(response, "model", None), *_usage(response))
        collector = _StreamCollector(started)
        chunks: Iterator[Any] = iter(response)
        for chunk in chunks:
            collector.add(chunk)
        return collector.answer()

    async def acall(self, request: CallRequest) -> RawAnswer:
        litellm = litellm_module()
        started = time.perf_counter()
        response = await litellm.acompletion(
            model=request.model, messages=list(request.messages), **request.params
        )
        if not request.stream:
            return RawAnswer(_text_of(response), getattr(response, "model", None), *_usage(response))
        collector = _StreamCollector(started)
        chunks: AsyncIterator[Any] = response.__aiter__()
        async for chunk in chunks:
            collector.add(chunk)
        return collector.answer()

    def classify(self, error: BaseException, *, had_response_format: bool) -> Failure:
        message = _one_line(str(error))
        status = getattr(error, "status_code", None)
        if had_response_format and status in (400, 422, 500) and _FORMAT_REJECTED.search(message):
            return Failure(Action.DROP_RESPONSE_FORMAT, "response_format_rejected", message)
        for matches, action, error_type in _classification_rules():
            if matches(error, message, status):
                retry_after = _retry_after(error) if action is Action.RETRY else None
                return Failure(action, error_type, message, retry_after)
        return Failure(Action.NEXT_MODEL, f"unexpected:{type(error).__name__}", message)

    def cost(self, model: str, answer: RawAnswer, settings: ModelSettings) -> float | None:
        if answer.input_tokens is None and answer.output_tokens is None:
            return None
        custom = None
        if settings.input_cost_per_token is not None or settings.output_cost_per_token is not None:
            custom = {
                "input_cost_per_token": settings.input_cost_per_token or 0.0,
                "output_cost_per_token": settings.output_cost_per_token or 0.0,
            }
        elif _model_info(model) is None:
            # An unpriced model (local, behind a proxy, custom): litellm would search its price map for
            # milliseconds on every call before giving up, so the answer is remembered per model.
            return None
        try:
            prompt_cost, completion_cost = litellm_module().cost_per_token(
                model=model,
                prompt_tokens=answer.input_tokens or 0,
                completion_tokens=answer.output_tokens or 0,
                custom_cost_per_token=custom,
            )
        except Exception:  # noqa: BLE001 - an unpriced model (local, custom) has no known cost, not an error
            return None
        return float(prompt_cost) + float(completion_cost)

    def price_per_token(self, model: str, settings: ModelSettings) -> float | None:
        if settings.input_cost_per_token is not None or settings.output_cost_per_token is not None:
            return (settings.input_cost_per_token or 0.0) + (settings.output_cost_per_token or 0.0)
        info = _model_info(model)
        if info is None:
            return None
        return float(info.get("input_cost_per_token") or 0.0) + float(
            info.get("output_cost_per_token") or 0.0
        )

    def provider(self, model: str) -> str:
        return provider_name(model)

    def supports_response_schema(self, model: str) -> bool:
        try:
            return bool(litellm_module().supports_response_schema(model=model))
        except Exception:  # noqa: BLE001 - unknown models simply do not advertise the feature
            return False


@cache
def provider_name(model: str) -> str:
    """The provider litellm would route ``model`` to (``openai``, ``anthropic``, ``ollama``...)."""
    try:
        return str(litellm_module().get_llm_provider(model)[1])
    except Exception:  # noqa: BLE001 - an unknown model still gets a readable provider name
        return model.split("/", 1)[0] if "/" in model else "unknown"


@cache
def _model_info(model: str) -> dict[str, Any] | None:
    try:
        return dict(litellm_module().get_model_info(model))
    except Exception:  # noqa: BLE001 - unknown to the price map
        return None


_Rule = tuple[Callable[[BaseException, str, Any], bool], Action, str]


@cache
def _classification_rules() -> tuple[_Rule, ...]:
    """First match wins: the most specific litellm classes come before the generic status checks."""
    lm = litellm_module()

    def of(*classes: type[BaseException]) -> Callable[[BaseException, str, Any], bool]:
        return lambda error, _message, _status: isinstance(error, classes)

    def status(*codes: int) -> Callable[[BaseException, str, Any], bool]:
        return lambda _error, _message, code: code in codes

    def text(pattern: re.Pattern[str]) -> Callable[[BaseException, str, Any], bool]:
        return lambda _error, message, _status: bool(pattern.search(message))

    def named(*names: str) -> Callable[[BaseException, str, Any], bool]:
        return lambda error, _message, _status: type(error).__name__ in names

    def from_http_library(error: BaseException, _message: str, _status: Any) -> bool:
        return type(error).__module__.split(".")[0] in {"httpx", "httpcore", "aiohttp"}

    server_errors = tuple(range(500, 600))
    return (
        (of(lm.ContextWindowExceededError), Action.NEXT_MODEL, "context_length"),
        (of(lm.RateLimitError), Action.RETRY, "rate_limit"),
        (of(lm.Timeout, TimeoutError), Action.RETRY, "timeout"),
        # litellm maps some statuses to a generic APIError, so the status code is checked as well.
        (of(lm.AuthenticationError), Action.NEXT_MODEL, "auth"),
        (status(401), Action.NEXT_MODEL, "auth"),
        (of(lm.PermissionDeniedError), Action.NEXT_MODEL, "permission"),
        (status(403), Action.NEXT_MODEL, "permission"),
        (of(lm.NotFoundError), Action.NEXT_MODEL, "not_found"),
        (status(404), Action.NEXT_MODEL, "not_found"),
        (of(lm.BadRequestError, lm.UnprocessableEntityError), Action.NEXT_MODEL, "bad_request"),
        (status(400, 413, 422), Action.NEXT_MODEL, "bad_request"),
        (text(_MALFORMED), Action.RETRY, "malformed_response"),
        (of(json.JSONDecodeError), Action.RETRY, "malformed_response"),
        (named("MidStreamFallbackError"), Action.RETRY, "truncated_stream"),
        (text(_CONNECTION), Action.RETRY, "connection"),
        (of(lm.APIConnectionError, ConnectionError), Action.RETRY, "connection"),
        (status(429), Action.RETRY, "rate_limit"),
        (status(*server_errors), Action.RETRY, "server_error"),
        (from_http_library, Action.RETRY, "connection"),
    )


def credential_status(model: str, settings: ModelSettings) -> tuple[bool, str]:
    """Whether the model's credentials are present, and which variables are missing. Never the key itself."""
    if settings.api_key_env:
        present = bool(os.environ.get(settings.api_key_env))
        return present, "" if present else settings.api_key_env
    try:
        report = litellm_module().validate_environment(model=model, api_base=settings.api_base)
    except Exception:  # noqa: BLE001 - an unknown provider cannot be checked
        return False, "unknown provider"
    missing = [str(name) for name in report.get("missing_keys", [])]
    if settings.api_base:
        missing = [name for name in missing if not name.endswith("_API_BASE")]
    return not missing, ", ".join(missing)


def _retry_after(error: BaseException) -> float | None:
    headers = getattr(error, "litellm_response_headers", None)
    if headers is None:
        response = getattr(error, "response", None)
        headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


# litellm stacks the class name of each layer in front of the provider's message.
_NOISE_PREFIX = re.compile(r"^(?:(?:litellm\.)?\w*(?:Error|Exception|Timeout)\s*(?::|-)\s*)+")


def _one_line(text: str, limit: int = 300) -> str:
    line = _NOISE_PREFIX.sub("", " ".join(text.split())) or " ".join(text.split())
    line = redact(line).text
    return line if len(line) <= limit else line[: limit - 1] + "…"
