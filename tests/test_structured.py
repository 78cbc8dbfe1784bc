"""Tolerant JSON extraction and schema validation of model answers."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from devcopilot.core.router.structured import StructuredOutputError, extract_json, parse_structured


class Finding(BaseModel):
    line: int
    message: str


@pytest.mark.parametrize(
    "answer",
    [
        '{"line": 3, "message": "off by one"}',
        '```json\n{"line": 3, "message": "off by one"}\n```',
        'Here is my review:\n```\n{"line": 3, "message": "off by one"}\n```\nHope it helps!',
        'Sure. {"line": 3, "message": "off by one"} That is all.',
        '{"note": "first object is not it"}\n{"line": 3, "message": "off by one"}',
    ],
    ids=["bare", "json-fence", "plain-fence-with-prose", "inline-prose", "second-candidate"],
)
def test_the_answer_is_found_however_the_model_wraps_it(answer: str) -> None:
    assert parse_structured(answer, Finding) == Finding(line=3, message="off by one")


def test_a_schema_mismatch_explains_itself_for_the_repair_round() -> None:
    with pytest.raises(StructuredOutputError, match=r"line: Input should be a valid integer"):
        parse_structured('{"line": "three", "message": "x"}', Finding)


@pytest.mark.parametrize("answer", ["", "   ", "no json at all", "[1, 2, 3]", "{broken", "{" * 5000])
def test_answers_without_a_usable_object_fail_cleanly(answer: str) -> None:
    with pytest.raises(StructuredOutputError):
        parse_structured(answer, Finding)


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@given(text=st.text(max_size=300))
def test_any_text_gives_a_result_or_a_clean_error(text: str) -> None:
    with contextlib.suppress(StructuredOutputError):
        parse_structured(text, Finding)
    with contextlib.suppress(StructuredOutputError):
        extract_json(text)


@given(
    payload=st.dictionaries(st.text(max_size=5), json_values, min_size=1, max_size=4),
    prose=st.text(
        alphabet=st.characters(blacklist_characters='{}[]`"', blacklist_categories=("Cs",)), max_size=40
    ),
)
def test_an_object_embedded_in_prose_is_recovered_exactly(payload: dict[str, Any], prose: str) -> None:
    assert extract_json(f"{prose}\n{json.dumps(payload)}\n{prose}") == payload
