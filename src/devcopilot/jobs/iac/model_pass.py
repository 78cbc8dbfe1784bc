"""A model changes generated container files, and only a change that passes every check is kept.

Each file (an app's Dockerfile, the compose file) is a target of the core's
propose, verify, repair loop: the model sees the detected facts, the file the
template made and the request (``--describe``, or "improve it" without one),
and answers with the whole new file. A proposal is kept only when it passes
the checks ``iac check`` runs and stays true to what ``detect`` found (see
``verify``); otherwise its failures go back for at most three rounds. Each
proposal ends as one verdict: accepted, or dropped with the first failed check.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.redaction import redact
from devcopilot.core.repair_loop import LoopOutcome, propose_verify_repair
from devcopilot.core.router import Completion, ModelRouter
from devcopilot.core.verdicts import Outcome, Verdicts
from devcopilot.jobs.iac.detect.model import App
from devcopilot.jobs.iac.verify import compose_problems, dockerfile_problems

PROMPT_ID = "iac/generate"
MAX_ROUNDS = 3
DEFAULT_REQUEST = (
    "Improve the file if something in it is wrong for this application; otherwise return it unchanged."
)


class ProposedFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    path: str
    content: str


class IacAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")

    files: list[ProposedFile] = Field(default_factory=list)
    explanation: str = ""


@dataclass
class Target:
    path: str
    """Where the file goes, as shown to the user (``api/Dockerfile``, ``compose.yaml``)."""
    text: str
    app: App | None = None
    """The app of a Dockerfile; ``None`` for the compose file."""
    accepted: str | None = None


@dataclass(frozen=True)
class Proposal:
    target: str
    content: str | None
    problem: str | None = None
    """Set when the answer itself is unusable (no file, another file)."""


@dataclass
class IacRounds:
    router: ModelRouter
    prompts: PromptRegistry
    targets_by_path: dict[str, Target]
    apps: list[App]
    app_names: dict[str, str]
    request: str
    judged: Verdicts
    reasons: dict[str, str] = field(default_factory=dict)
    """The last failure of each target whose proposals were all dropped."""
    _answer: Completion[IacAnswer] | None = None

    def run(self) -> LoopOutcome:
        return propose_verify_repair(self, MAX_ROUNDS)

    def targets(self, round_number: int, failures: Mapping[str, list[str]]) -> list[str]:
        pending = [p for p, t in self.targets_by_path.items() if t.accepted is None]
        return pending if round_number == 0 else [p for p in pending if failures.get(p)]

    def propose(self, target: str, failures: list[str]) -> list[Proposal]:
        current = self.targets_by_path[target]
        facts = [a.model_dump(exclude_none=True) for a in ([current.app] if current.app else self.apps)]
        prompt = self.prompts.render(
            PROMPT_ID,
            {
                "request": self.request,
                "path": target.rsplit("/", 1)[-1],
                "facts": redact(json.dumps(facts, indent=1)).text,
                "current": redact(current.text).text,
                "failures": failures,
            },
        )
        self._answer = self.router.complete(prompt, IacAnswer)
        parsed = self._answer.parsed or IacAnswer()
        name = target.rsplit("/", 1)[-1]
        if not parsed.files:
            return [Proposal(target, None, "no-file: the answer holds no file")]
        return [
            Proposal(target, f.content)
            if f.path.rsplit("/", 1)[-1] == name
            else Proposal(target, None, f"unexpected-file: {f.path} was not asked for")
            for f in parsed.files
        ]

    def verify(self, candidate: Proposal) -> str | None:
        target = self.targets_by_path[candidate.target]
        if candidate.content is None:
            problems = [candidate.problem or "no-file"]
        elif target.app is not None:
            problems = dockerfile_problems(candidate.content, target.app)
        else:
            problems = compose_problems(candidate.content, self.apps, self.app_names)
        if self._answer is not None:
            reason = None if not problems else _reason(problems[0])
            outcome: Outcome = "accepted" if not problems else "dropped"
            self.judged.judge(self._answer, "file", candidate.content or "", outcome, reason)
        if problems or candidate.content is None:
            self.reasons[candidate.target] = problems[0]
            return "; ".join(problems)
        target.accepted = candidate.content if candidate.content.endswith("\n") else candidate.content + "\n"
        self.reasons.pop(candidate.target, None)
        return None

    def exhausted(self) -> bool:
        return False

    def progress(self) -> Hashable:
        return tuple(t.accepted is not None for t in self.targets_by_path.values())


def _reason(problem: str) -> str:
    """The check a proposal failed, as a verdict's reason: ``hadolint/DL3007``, ``port-changed``..."""
    head = problem.split(": ", 2)
    word = head[1] if problem.startswith("line ") and len(head) > 1 else head[0]
    return word.split()[0][:60]
