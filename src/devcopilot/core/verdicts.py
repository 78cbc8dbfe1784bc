"""What verification decided about each model claim: one record per claim, every figure derived from them.

A claim is anything a model proposes that a user could see: a review finding,
an incident hypothesis or next check, a generated test. Each ends as exactly
one verdict: ``accepted`` (shown as the model's), ``merged`` (it confirmed
something the engine found, which stays the engine's) or ``dropped`` with a
reason. Engine results are not claims and get no verdict.

Counts, rates and (later) routing choices are computed from these records and
never kept beside them, so they cannot disagree.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["accepted", "merged", "dropped"]
FINGERPRINT_PREFIX = "c1:"
"""Fingerprints are sha256 over canonical JSON (sorted keys, no spaces); the prefix names that scheme."""


def claim_fingerprint(claim: BaseModel | Mapping[str, Any] | str) -> str:
    """A stable id for a claim's content: the same claim from another run or model gets the same id."""
    if isinstance(claim, BaseModel):
        data: Any = claim.model_dump(mode="json")
    elif isinstance(claim, Mapping):
        data = dict(claim)
    else:
        data = claim
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return FINGERPRINT_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


class Answer(Protocol):
    """What a verdict needs to know of the answer a claim came from (a router ``Completion``)."""

    @property
    def model(self) -> str: ...

    @property
    def prompt_id(self) -> str: ...

    @property
    def prompt_version(self) -> str: ...


class Verdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    claim: str
    """What kind of claim: ``finding``, ``hypothesis``, ``check``, ``test``..."""
    fingerprint: str
    outcome: Outcome
    reason: str | None = None
    """Why it was dropped (``anchor-not-found``, ``fails``...); ``None`` otherwise."""
    model: str
    prompt_id: str
    prompt_version: str

    @property
    def label(self) -> str:
        """``accepted``, ``merged`` or ``dropped:<reason>``, as reports and stats name it."""
        return f"dropped:{self.reason or 'unspecified'}" if self.outcome == "dropped" else self.outcome


class Tally(BaseModel):
    """The verification figures of a set of verdicts."""

    proposed: int = 0
    accepted: int = 0
    merged: int = 0
    dropped: dict[str, int] = Field(default_factory=dict)
    acceptance_rate: float | None = None
    """(accepted + merged) / proposed; ``None`` when nothing was proposed."""

    @classmethod
    def of(cls, verdicts: Iterable[Verdict]) -> Tally:
        outcomes: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for verdict in verdicts:
            outcomes[verdict.outcome] += 1
            if verdict.outcome == "dropped":
                reasons[verdict.reason or "unspecified"] += 1
        proposed = sum(outcomes.values())
        kept = outcomes["accepted"] + outcomes["merged"]
        return cls(
            proposed=proposed,
            accepted=outcomes["accepted"],
            merged=outcomes["merged"],
            dropped=dict(sorted(reasons.items())),
            acceptance_rate=round(kept / proposed, 4) if proposed else None,
        )


class Verdicts:
    """The verdicts of one run, collected as the job's verifier decides them (safe across threads)."""

    def __init__(self) -> None:
        self._items: list[Verdict] = []
        self._lock = threading.Lock()

    def add(
        self,
        claim: str,
        content: BaseModel | Mapping[str, Any] | str,
        outcome: Outcome,
        *,
        model: str,
        prompt_id: str,
        prompt_version: str,
        reason: str | None = None,
    ) -> Verdict:
        verdict = Verdict(
            claim=claim,
            fingerprint=claim_fingerprint(content),
            outcome=outcome,
            reason=reason if outcome == "dropped" else None,
            model=model,
            prompt_id=prompt_id,
            prompt_version=prompt_version,
        )
        with self._lock:
            self._items.append(verdict)
        return verdict

    def judge(
        self,
        answer: Answer,
        claim: str,
        content: BaseModel | Mapping[str, Any] | str,
        outcome: Outcome,
        reason: str | None = None,
    ) -> Verdict:
        """The verdict on one claim of ``answer``: its model and prompt version come from the answer."""
        return self.add(
            claim,
            content,
            outcome,
            model=answer.model,
            prompt_id=answer.prompt_id,
            prompt_version=answer.prompt_version,
            reason=reason,
        )

    @property
    def items(self) -> list[Verdict]:
        with self._lock:
            return list(self._items)

    def tally(self) -> Tally:
        return Tally.of(self.items)

    def groups(self) -> dict[tuple[str, str, str], list[Verdict]]:
        """The verdicts per (model, prompt id, prompt version): one provenance record each."""
        grouped: dict[tuple[str, str, str], list[Verdict]] = {}
        for verdict in self.items:
            grouped.setdefault((verdict.model, verdict.prompt_id, verdict.prompt_version), []).append(verdict)
        return grouped


class ModelPass(BaseModel):
    """What a job's model pass did, in the same words for every job: who answered, what survived."""

    route_models: list[str]
    answered_by: list[str] = Field(default_factory=list)
    prompts: list[str] = Field(default_factory=list)
    """``id@version`` of every prompt the claims came from."""
    proposed: int = 0
    accepted: int = 0
    merged: int = 0
    dropped: dict[str, int] = Field(default_factory=dict)
    acceptance_rate: float | None = None
    cost_usd: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_hits: int = 0
    warning: str | None = None
    """Why the model pass did not cover everything (no model answered, the cost cap...), if it did not."""
    details: dict[str, int] = Field(default_factory=dict)
    """Figures only one job has (review's chunks and dropped suggestions, tests' rounds)."""

    def describe(self) -> str:
        """One line for a terminal or a comment, the same in every job."""
        who = ", ".join(self.answered_by) or "no answer"
        dropped = ", ".join(f"{n} {reason}" for reason, n in sorted(self.dropped.items())) or "none"
        rate = f"{self.acceptance_rate:.0%}" if self.acceptance_rate is not None else "-"
        extra = "".join(f", {name.replace('_', ' ')} {value}" for name, value in sorted(self.details.items()))
        return (
            f"model pass ({who}): {self.proposed} proposed, {self.accepted} accepted, {self.merged} merged "
            f"into the engine's, dropped: {dropped}; acceptance {rate}{extra}; "
            f"{self.input_tokens}+{self.output_tokens} tokens, ${self.cost_usd:.4f}"
        )
