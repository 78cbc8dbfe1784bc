"""With a model, stale paragraphs the engine cannot rewrite mechanically get proposals, each checked.

The model sees each paragraph (redacted, fenced as untrusted) with the name
the change removed and the names that exist next to it. A proposal becomes a
rewrite only if ``prose.problem`` finds nothing wrong with it; every proposal
gets a verdict, so the route learns which model's rewrites survive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from devcopilot.core.errors import ModelUnavailableError
from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.redaction import redact
from devcopilot.core.router import ModelRouter
from devcopilot.core.verdicts import Verdicts
from devcopilot.jobs.docs.api import Api
from devcopilot.jobs.docs.refresh.prose import Paragraph, problem

PROMPT_ID = "docs/refresh"
MAX_CANDIDATES = 40


class ProposedRewrite(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    text: str


class RefreshAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")

    rewrites: list[ProposedRewrite] = Field(default_factory=list)


@dataclass
class ModelRewrites:
    kept: dict[int, str] = field(default_factory=dict)
    """By the paragraph's index in the list asked about: the rewrite that passed every check."""
    dropped: dict[int, str] = field(default_factory=dict)
    """By index: why the model's proposal was not kept."""
    model: str | None = None
    warning: str | None = None


def ask(
    router: ModelRouter,
    prompts: PromptRegistry,
    verdicts: Verdicts,
    paragraphs: list[Paragraph],
    context: tuple[Api, dict[str, list[range]]],
) -> ModelRewrites:
    api, generated = context
    if not paragraphs:
        return ModelRewrites()
    shown = [
        json.dumps({"id": f"P{i + 1}", "file": p.path, "removed": p.stale, "paragraph": p.text})
        for i, p in enumerate(paragraphs)
    ]
    candidates = {p.stale: _nearby(api, p.stale) for p in paragraphs}
    prompt = prompts.render(
        PROMPT_ID,
        {"paragraphs": redact("\n".join(shown)).text, "candidates": json.dumps(candidates, indent=1)},
    )
    try:
        answer = router.complete(prompt, RefreshAnswer)
    except ModelUnavailableError as error:
        return ModelRewrites(warning=str(error))
    result = ModelRewrites(model=answer.model)
    for proposal in (answer.parsed or RefreshAnswer()).rewrites:
        index = int(proposal.id[1:]) - 1 if proposal.id[1:].isdigit() else -1
        if not 0 <= index < len(paragraphs):
            verdicts.judge(answer, "rewrite", proposal.model_dump(), "dropped", "unknown-paragraph")
            continue
        paragraph = paragraphs[index]
        reason = problem(paragraph, proposal.text.strip("\n"), api, generated.get(paragraph.path, []))
        verdicts.judge(answer, "rewrite", proposal.model_dump(), "dropped" if reason else "accepted", reason)
        if reason is None:
            result.kept[index] = proposal.text.strip("\n")
        else:
            result.dropped[index] = reason
    return result


def _nearby(api: Api, removed: str) -> list[str]:
    """Public names in the removed name's module or class, then the package's top level."""
    parent = removed.rpartition(".")[0]
    top = api.packages[0]
    near = sorted(p for p in api.public_paths() if p.rpartition(".")[0] in (parent, top))
    return near[:MAX_CANDIDATES]
