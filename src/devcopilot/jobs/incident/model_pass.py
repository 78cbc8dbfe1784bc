"""The model's explanation of an incident, and the verification each of its claims must pass.

The model sees compressed evidence only: templates with counts and first and
last seen, a few redacted sample lines each, the stack traces, and the
candidate commits with the files they touch, within the route's token
budget; never the raw log. Its answer is checked claim by claim:

- an evidence reference must be a ``file:line`` or template id given to it;
- a commit sha must resolve to a commit of the repository;
- a next check must be a command the engine can show is read-only.

A hypothesis left with no verified evidence is dropped, unknown shas and
unsafe commands are removed, and every drop is counted. The model adds
hypotheses after the engine's; it can never remove or reorder them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from devcopilot.core.budget import TokenBudget
from devcopilot.core.errors import ModelUnavailableError
from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.router import ModelRouter
from devcopilot.core.verdicts import Verdicts
from devcopilot.jobs.incident.checks import is_read_only
from devcopilot.jobs.incident.correlate import sha_exists
from devcopilot.jobs.incident.engine import Analysis, evidence_of
from devcopilot.jobs.incident.gather import clean
from devcopilot.jobs.incident.report import CommitRef, Evidence, Hypothesis

PROMPT_ID = "incident/explain"
TEMPLATES_SHARE = 0.6
"""Of the evidence budget, what the templates may take; stack traces and commits share the rest."""
SAMPLES_PER_TEMPLATE = 2


class ModelHypothesis(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str
    explanation: str = ""
    confidence: Literal["high", "medium", "low"] = "low"
    evidence: list[str] = Field(default_factory=list)
    commits: list[str] = Field(default_factory=list)


class IncidentAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")

    summary: str = ""
    impact: str = ""
    hypotheses: list[ModelHypothesis] = Field(default_factory=list)
    next_checks: list[str] = Field(default_factory=list)
    mitigations: list[str] = Field(default_factory=list)


@dataclass
class Outcome:
    hypotheses: list[Hypothesis]
    next_checks: list[str]
    mitigations: list[str]
    warning: str | None = None


def evidence_text(analysis: Analysis, token_budget: TokenBudget) -> tuple[str, dict[str, Evidence]]:
    """The compressed evidence, and every reference it contains (what a model may cite)."""
    signals = analysis.signals
    refs: dict[str, Evidence] = {}
    lines: list[str] = []
    used = 0
    budget = token_budget.chars
    anomalous_first = sorted(
        signals.templates,
        key=lambda t: (
            not any(level in ("error", "critical", "warning") for level in signals.stats[t.id].levels),
            -t.count,
        ),
    )
    for shown, template in enumerate(anomalous_first):
        stats = signals.stats[template.id]
        first = stats.first_ts.isoformat() if stats.first_ts else "?"
        last = stats.last_ts.isoformat() if stats.last_ts else "?"
        levels = ",".join(sorted(stats.levels)) or "-"
        block = [
            f"{template.label} x{template.count} [{levels}] first {first} last {last}: {clean(template.text)}"
        ]
        samples = stats.samples[:SAMPLES_PER_TEMPLATE]
        block += [f"    {source}:{line}: {clean(message)[:300]}" for source, line, message in samples]
        text = "\n".join(block)
        used += len(text)
        if used > token_budget.share(TEMPLATES_SHARE):  # what is left out cannot be cited either
            lines.append(f"[{len(anomalous_first) - shown} more templates left out for the token budget]")
            break
        lines.append(text)
        evidence = evidence_of(template, stats)
        refs[template.label] = evidence
        for source, line, _ in samples:
            refs[f"{source}:{line}"] = evidence.model_copy(update={"ref": f"{source}:{line}"})
    for group in analysis.trace_groups[:5]:
        template = signals.by_key[group.key_index]
        refs.setdefault(
            group.first.ref,
            Evidence(
                ref=group.first.ref,
                template_id=template.label,
                template=clean(template.text),
                count=group.count,
            ),
        )
        lines.append(
            f"Stack trace x{group.count} first at {group.first.ref}: {clean(group.first.message)[:200]}"
        )
        lines.extend(f"    {clean(frame)[:200]}" for frame in group.lines[:20])
    for commit in analysis.ranked[:10]:
        files = ", ".join(commit.files[:15])
        lines.append(f"Commit {commit.sha} {commit.when.isoformat()} {clean(commit.subject)}: {files}")
    return "\n".join(lines)[:budget], refs


def run_model_pass(
    router: ModelRouter, prompts: PromptRegistry, analysis: Analysis, repo: Path | None, verdicts: Verdicts
) -> Outcome:
    """Ask for an explanation; each hypothesis and next check ends as one verdict in ``verdicts``.

    A hypothesis is accepted when at least one of its evidence references is real; its unknown
    references and commit shas are removed from it (it stays accepted). One with no real evidence
    is dropped. A next check is accepted only when the engine can show it is read-only.
    """
    text, refs = evidence_text(analysis, TokenBudget.of(router.route))
    engine = [h.title for h in analysis.report.hypotheses]
    prompt = prompts.render(PROMPT_ID, {"evidence": text, "engine_hypotheses": engine})
    try:
        answer = router.complete(prompt, IncidentAnswer)
    except ModelUnavailableError as error:
        return Outcome([], [], [], warning=str(error))
    parsed = answer.parsed or IncidentAnswer()
    hypotheses: list[Hypothesis] = []
    for claim in parsed.hypotheses:
        evidence = []
        for ref in claim.evidence:
            found = refs.get(ref.strip().strip("`"))
            cited = {"hypothesis": claim.title, "ref": ref}
            if found is None:
                verdicts.judge(answer, "evidence", cited, "dropped", "unknown-evidence")
                continue
            verdicts.judge(answer, "evidence", cited, "accepted")
            if found not in evidence:
                evidence.append(found)
        commits = _verified_commits(claim, analysis, repo, lambda *judged: verdicts.judge(answer, *judged))
        if not evidence:
            verdicts.judge(answer, "hypothesis", claim, "dropped", "no-verified-evidence")
            continue
        verdicts.judge(answer, "hypothesis", claim, "accepted")
        hypotheses.append(
            Hypothesis(
                title=clean(claim.title)[:200],
                confidence=claim.confidence,
                source=f"model:{answer.model}",
                explanation=clean(claim.explanation)[:1000],
                evidence=evidence,
                commits=commits,
            )
        )
    checks = []
    for command in parsed.next_checks:
        if is_read_only(command):
            verdicts.judge(answer, "check", command, "accepted")
            checks.append(clean(command))
        else:
            verdicts.judge(answer, "check", command, "dropped", "unsafe-command")
    return Outcome(hypotheses, checks, [clean(m)[:300] for m in parsed.mitigations[:5]])


def _verified_commits(
    claim: ModelHypothesis, analysis: Analysis, repo: Path | None, judge: Callable[..., object]
) -> list[CommitRef]:
    """The named commits that exist in the repository; each named sha is judged as a claim."""
    commits = []
    for sha in claim.commits:
        full = sha_exists(repo, sha.strip()) if repo is not None else None
        named = {"hypothesis": claim.title, "commit": sha}
        if full is None:
            judge("commit", named, "dropped", "unknown-commit")
            continue
        judge("commit", named, "accepted")
        known = next((c for c in analysis.ranked if c.sha == full), None)
        commits.append(
            CommitRef(
                sha=full,
                subject=clean(known.subject) if known else "",
                author=clean(known.author) if known else "",
                date=known.when.isoformat() if known else "",
                files=known.files[:20] if known else [],
                score=known.score if known else 0.0,
                reasons=["named by the model"],
            )
        )
    return commits
