"""Propose, verify, repair: the loop a job runs when a model's answers are checked and retried.

Each round asks about a few targets (a function without coverage, a manifest
that failed its policy), verifies every candidate on its own, and hands what
failed back to the next round's prompt for that target. The loop stops at the
round limit, when the job has nothing left to ask or no budget left, when a
round changed nothing and left nothing to repair, or when no model answers.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from devcopilot.core.errors import ModelUnavailableError

TargetT = TypeVar("TargetT", bound=Hashable)
CandidateT = TypeVar("CandidateT")


class Repairable(Protocol[TargetT, CandidateT]):
    def targets(self, round_number: int, failures: Mapping[TargetT, list[str]]) -> list[TargetT]:
        """What to ask about in this round (round 0 first); an empty list ends the loop."""
        ...

    def propose(self, target: TargetT, failures: list[str]) -> list[CandidateT]:
        """The model's candidates for ``target``, told what failed last time (may raise ModelUnavailable)."""
        ...

    def verify(self, candidate: CandidateT) -> str | None:
        """``None`` when the candidate is kept, else the failure to show the next round."""
        ...

    def exhausted(self) -> bool:
        """Whether the budget (time, cost) is spent."""
        ...

    def progress(self) -> Hashable:
        """A value that changes whenever a round achieved something (coverage reached, files fixed)."""
        ...


@dataclass(frozen=True)
class LoopOutcome:
    rounds: int
    warning: str | None = None
    """Why the loop stopped early because no model answered, if it did."""


def propose_verify_repair(loop: Repairable[TargetT, CandidateT], max_rounds: int) -> LoopOutcome:
    failures: dict[TargetT, list[str]] = {}
    rounds = 0
    for round_number in range(max_rounds):
        targets = loop.targets(round_number, failures)
        if not targets or loop.exhausted():
            break
        before = loop.progress()
        rounds += 1
        for target in targets:
            if loop.exhausted():
                break
            try:
                candidates = loop.propose(target, failures.get(target, []))
            except ModelUnavailableError as error:
                return LoopOutcome(rounds, str(error))
            failures[target] = [f for c in candidates if (f := loop.verify(c)) is not None]
        if loop.progress() == before and not any(failures.values()):
            break  # nothing improved and there is nothing to repair
    return LoopOutcome(rounds)
