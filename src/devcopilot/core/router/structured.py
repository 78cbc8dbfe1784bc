"""Turn a model's text into a validated pydantic instance, tolerating how models actually answer.

Models wrap JSON in code fences, put a sentence before it, or add a remark
after it. We look for JSON in that order: the whole text, fenced blocks, then
each ``{``/``[`` from the left, and keep the first candidate that validates.
Every failure is a ``StructuredOutputError`` whose message can be sent back to
the model in the one repair round.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```[ \t]*(?:json|JSON|jsonc)?[ \t]*\n(.*?)```", re.DOTALL)
_MAX_SCAN_STARTS = 64  # bounds the left-to-right scan: quadratic work on adversarial text stays small
_DECODER = json.JSONDecoder()


class StructuredOutputError(ValueError):
    """The answer holds no JSON, or none that matches the schema."""


def json_candidates(text: str) -> Iterator[Any]:
    """Every JSON value found in ``text``, most likely first."""
    stripped = text.strip()
    if not stripped:
        return
    whole = _decode(stripped)
    if whole is not None:
        yield whole[0]
    for match in _FENCE.finditer(text):
        fenced = _decode(match.group(1).strip())
        if fenced is not None:
            yield fenced[0]
    starts = 0
    for index, char in enumerate(text):
        if char not in "{[":
            continue
        starts += 1
        if starts > _MAX_SCAN_STARTS:
            return
        found = _decode(text, index)
        if found is not None:
            yield found[0]


def _decode(text: str, start: int = 0) -> tuple[Any, int] | None:
    try:
        return _DECODER.raw_decode(text, start)
    except (json.JSONDecodeError, RecursionError, ValueError):
        return None


def extract_json(text: str) -> Any:
    """The first JSON object or array in ``text``."""
    for candidate in json_candidates(text):
        if isinstance(candidate, dict | list):
            return candidate
    raise StructuredOutputError("the answer contains no JSON object")


def parse_structured(text: str, schema: type[T]) -> T:
    """The first JSON candidate in ``text`` that validates against ``schema``."""
    first_error: ValidationError | None = None
    for candidate in json_candidates(text):
        if not isinstance(candidate, dict):
            continue
        try:
            return schema.model_validate(candidate)
        except ValidationError as exc:
            first_error = first_error or exc
    if first_error is not None:
        raise StructuredOutputError(_describe(first_error)) from None
    raise StructuredOutputError("the answer contains no JSON object")


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    more = len(error.errors()) - 5
    suffix = f"; and {more} more" if more > 0 else ""
    return "the answer does not match the schema: " + "; ".join(parts) + suffix


def schema_instructions(schema: type[BaseModel]) -> str:
    """What a model without a JSON-schema response format is told, appended to the system message."""
    spec = json.dumps(schema.model_json_schema(), separators=(",", ":"), sort_keys=True)
    return (
        "Answer with exactly one JSON object and nothing else: no prose, no code fences. "
        f"It must validate against this JSON Schema: {spec}"
    )
