"""Counts per time bin, in bounded memory however long the log spans.

Bins start one minute wide; when the span needs more than ``MAX_BINS`` of
them, every bin doubles in width (counts are re-keyed, never dropped). Each
template keeps its own bins at the same width, so rates compare directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_BINS = 240
START_WIDTH_S = 60


@dataclass
class Timeline:
    origin: datetime | None = None
    width_s: int = START_WIDTH_S
    low: int = 0
    high: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    warnings: dict[int, int] = field(default_factory=dict)
    events: dict[int, int] = field(default_factory=dict)

    def index(self, when: datetime, others: Iterable[dict[int, int]]) -> int:
        """The bin of ``when``; widens every bin (``others`` too) first when the span would be too long."""
        if self.origin is None:
            self.origin = when
        index = int((when - self.origin).total_seconds() // self.width_s)
        while max(self.high, index) - min(self.low, index) >= MAX_BINS:
            self._widen(others)
            index = int((when - self.origin).total_seconds() // self.width_s)
        self.low, self.high = min(self.low, index), max(self.high, index)
        return index

    def _widen(self, others: Iterable[dict[int, int]]) -> None:
        self.width_s *= 2
        for bins in (self.errors, self.warnings, self.events, *others):
            rekeyed: dict[int, int] = {}
            for index, count in bins.items():
                rekeyed[index // 2] = rekeyed.get(index // 2, 0) + count
            bins.clear()
            bins.update(rekeyed)
        self.low //= 2
        self.high //= 2

    def start_of(self, index: int) -> datetime:
        if self.origin is None:
            raise ValueError("an empty timeline has no bins")
        return self.origin + timedelta(seconds=index * self.width_s)
