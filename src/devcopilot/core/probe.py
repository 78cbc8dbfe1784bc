"""The health check behind ``devcopilot models test``: one small structured request, verified.

A model that answers but does not echo the nonce reached us and failed to
follow a one-line instruction; the result says which, so a user does not
trust a route that only looks alive.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.router import Completion, ModelRouter
from devcopilot.core.router.types import AttemptSummary

PROBE_PROMPT = "core/probe"


class ProbeAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")

    reply: str


@dataclass(frozen=True)
class ProbeResult:
    route: str
    completion: Completion[ProbeAnswer]
    nonce: str

    @property
    def followed_instructions(self) -> bool:
        answer = self.completion.parsed
        return answer is not None and answer.reply.strip() == self.nonce

    @property
    def failed_attempts(self) -> tuple[AttemptSummary, ...]:
        return tuple(a for a in self.completion.attempts if a.error_type is not None)


def run_probe(router: ModelRouter, prompts: PromptRegistry) -> ProbeResult:
    nonce = f"probe-{secrets.token_hex(4)}"
    prompt = prompts.render(PROBE_PROMPT, {"nonce": nonce})
    completion = router.complete(prompt, ProbeAnswer)
    return ProbeResult(router.route.name, completion, nonce)
