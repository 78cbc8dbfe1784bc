"""How much of a job's context fits a model's input, and how to pack it into requests.

Tokens are estimated at four characters each, the usual figure for English and
code; a route's ``max_input_tokens`` sets the budget (12,000 when unset), and
part of it is kept for the prompt's own instructions and the schema. Packing
never drops a piece silently: a piece larger than a whole request is clipped
(by the job's own rule, at a boundary it understands) and reported as clipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from devcopilot.core.config import Route

CHARS_PER_TOKEN = 4
DEFAULT_INPUT_TOKENS = 12_000
PROMPT_OVERHEAD_TOKENS = 1_500
"""The template's own text and the schema instructions the router adds."""
MIN_CHARS = 1_000


@dataclass(frozen=True)
class TokenBudget:
    tokens: int

    @classmethod
    def of(cls, route: Route) -> TokenBudget:
        return cls(route.max_input_tokens or DEFAULT_INPUT_TOKENS)

    @property
    def chars(self) -> int:
        """Characters of context one request may carry, after the prompt's own share."""
        return max(MIN_CHARS, (self.tokens - PROMPT_OVERHEAD_TOKENS) * CHARS_PER_TOKEN)

    def share(self, fraction: float) -> int:
        """Characters for one part of the context (the rest goes to other parts)."""
        return int(self.chars * fraction)


@dataclass
class Chunk:
    keys: list[str] = field(default_factory=list)
    text: str = ""


@dataclass(frozen=True)
class Packed:
    chunks: list[Chunk]
    clipped: list[str]
    """Keys of the pieces that were cut to fit one request."""


def pack(pieces: Sequence[tuple[str, str]], budget: TokenBudget, clip: Callable[[str, int], str]) -> Packed:
    """Pieces ``(key, text)`` in order, as few requests as the budget allows; none left out."""
    limit = budget.chars
    chunks: list[Chunk] = []
    clipped: list[str] = []
    current = Chunk()
    for key, whole in pieces:
        text = whole
        if len(whole) > limit:
            text = clip(whole, limit)
            clipped.append(key)
        if current.keys and len(current.text) + len(text) > limit:
            chunks.append(current)
            current = Chunk()
        current.keys.append(key)
        current.text += text
    if current.keys:
        chunks.append(current)
    return Packed(chunks, clipped)
