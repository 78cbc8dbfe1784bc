"""With a model, drift may be explained and ignore rules proposed; each is checked before it is shown.

An explanation is kept when it is about a difference that was reported (its id)
and names that difference's field, object or value. A proposed ignore rule is
kept when it silences exactly the differences it names, and none of a set of
real changes injected into copies of the same live objects (an image, a
privileged container, a new container, replicas, env, ports, a label, a Secret
key, an RBAC verb). Nothing the model answers removes a difference from the
report: a kept rule is shown for a person to add to their ``--ignore`` file.
"""

from __future__ import annotations

import base64
import copy
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from devcopilot.core.errors import ModelUnavailableError
from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.redaction import redact
from devcopilot.core.router import ModelRouter
from devcopilot.core.verdicts import Verdicts
from devcopilot.jobs.iac.drift import owners as ownership
from devcopilot.jobs.iac.drift.engine import ObjectDrift, Options, Outcome, compare_object, secret_key_paths
from devcopilot.jobs.iac.drift.ignore import IgnoreRule, expression_problem
from devcopilot.jobs.iac.drift.paths import show

PROMPT_ID = "iac/drift"
MAX_EXPLANATION = 400
Obj = dict[str, Any]


class Explanation(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    text: str


class ProposedRule(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    group: str = ""
    kind: str = ""
    name: str | None = None
    namespace: str | None = None
    json_pointers: list[str] = Field(default_factory=list, alias="jsonPointers")
    jmespath_expressions: list[str] = Field(default_factory=list, alias="jmespathExpressions")
    differences: list[str] = Field(default_factory=list)
    reason: str = ""


class DriftAnswer(BaseModel):
    model_config = ConfigDict(extra="allow")

    explanations: list[Explanation] = Field(default_factory=list)
    ignore_rules: list[ProposedRule] = Field(default_factory=list)


@dataclass(frozen=True)
class Reported:
    id: str
    drift: ObjectDrift
    position: int

    @property
    def path(self) -> tuple[Any, ...]:
        return self.drift.differences[self.position].path


@dataclass
class ModelOutcome:
    explanations: dict[tuple[str, str], str] = field(default_factory=dict)
    """By (object, path): the model's explanation of that difference, checked."""
    rules: list[dict[str, Any]] = field(default_factory=list)
    """Ignore rules that passed their checks, as a person would add them to an ``--ignore`` file."""
    warning: str | None = None


def reported(outcome: Outcome) -> list[Reported]:
    found: list[Reported] = []
    for drift in outcome.objects:
        for position in range(len(drift.differences)):
            found.append(Reported(f"D{len(found) + 1}", drift, position))
    return found


def describe(items: list[Reported]) -> str:
    lines = []
    for item in items:
        difference = item.drift.differences[item.position]
        hidden = secret_key_paths(item.drift.ref.kind, difference.path)
        shown = {
            "id": item.id,
            "object": str(item.drift.ref),
            "path": show(difference.path),
            "change": difference.change,
            "declared": "(hidden)" if hidden and difference.desired is not None else difference.desired,
            "live": "(hidden)" if hidden and difference.live is not None else difference.live,
            "written_by": [str(w) for w in item.drift.owners.get(item.position, [])],
        }
        lines.append(json.dumps(shown, sort_keys=True, default=str))
    return redact("\n".join(lines)).text


def run_model_pass(
    router: ModelRouter, prompts: PromptRegistry, outcome: Outcome, options: Options, verdicts: Verdicts
) -> ModelOutcome:
    items = reported(outcome)
    if not items:
        return ModelOutcome()
    prompt = prompts.render(PROMPT_ID, {"differences": describe(items)})
    try:
        answer = router.complete(prompt, DriftAnswer)
    except ModelUnavailableError as error:
        return ModelOutcome(warning=str(error))
    parsed = answer.parsed or DriftAnswer()
    by_id = {item.id: item for item in items}
    result = ModelOutcome()
    for claim in parsed.explanations:
        reason = _explanation_problem(claim, by_id)
        verdicts.judge(answer, "explanation", claim.model_dump(), "dropped" if reason else "accepted", reason)
        if reason is None:
            item = by_id[claim.id]
            result.explanations[(str(item.drift.ref), show(item.path))] = " ".join(claim.text.split())
    for proposal in parsed.ignore_rules:
        rule, reason = _rule_problem(proposal, items, outcome, options)
        verdicts.judge(
            answer, "ignore-rule", proposal.model_dump(), "dropped" if reason else "accepted", reason
        )
        if rule is not None and reason is None:
            result.rules.append(rule.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True))
    return result


def _explanation_problem(claim: Explanation, by_id: dict[str, Reported]) -> str | None:
    item = by_id.get(claim.id)
    if item is None:
        return "unknown-difference"
    text = " ".join(claim.text.split())
    if not text or len(text) > MAX_EXPLANATION:
        return "empty-or-too-long"
    difference = item.drift.differences[item.position]
    names = {item.drift.ref.name, show(difference.path)}
    names |= {s if isinstance(s, str) else s.label for s in difference.path[-2:]}
    hidden = secret_key_paths(item.drift.ref.kind, difference.path)
    if not hidden:
        names |= {str(v) for v in (difference.desired, difference.live) if isinstance(v, str | int)}
    if not any(name and name in text for name in names):
        return "not-about-the-difference"
    return None


def _rule_problem(
    proposal: ProposedRule, items: list[Reported], outcome: Outcome, options: Options
) -> tuple[IgnoreRule | None, str | None]:
    try:
        rule = IgnoreRule.model_validate(
            proposal.model_dump(by_alias=True, include={"group", "kind", "name", "namespace"})
            | {"jsonPointers": proposal.json_pointers, "jmespathExpressions": proposal.jmespath_expressions}
        )
    except ValidationError:
        return None, "invalid-rule"
    if any(expression_problem(e) for e in rule.jmespath_expressions):
        return None, "invalid-rule"
    if not rule.json_pointers and not rule.jmespath_expressions:
        return None, "invalid-rule"
    silenced = {item.id for item in items if _silences(rule, item.drift, item.position)}
    if silenced != set(proposal.differences):
        return rule, "silences-other-differences" if silenced - set(proposal.differences) else "misses-named"
    for drift in outcome.objects:
        if drift.declared is None or drift.live is None or not rule.applies_to(drift.ref):
            continue
        for _, changed in real_changes(drift.live):
            after = compare_object(
                drift.ref,
                drift.declared,
                changed,
                autoscaled=outcome.autoscaled,
                options=options,
                left_out=Counter(),
            )
            before = {show(d.path) for d in drift.differences}
            fresh = [i for i, d in enumerate(after.differences) if show(d.path) not in before]
            if any(_silences(rule, after, i) for i in fresh):
                return rule, "silences-real-change"
    return rule, None


def _silences(rule: IgnoreRule, drift: ObjectDrift, position: int) -> bool:
    if drift.declared is None or drift.live is None or not rule.applies_to(drift.ref):
        return False
    path = drift.differences[position].path
    return rule.silences(path, (drift.live, drift.declared.obj), ownership.owners(drift.live, path))


_CONTAINER_EDITS: tuple[tuple[str, Callable[[Obj], object]], ...] = (
    ("image", lambda c: c.update(image=f"{c.get('image', '')}-injected")),
    ("privileged", lambda c: c.update(securityContext={"privileged": True})),
    ("env", lambda c: c.setdefault("env", []).append({"name": "INJECTED", "value": "1"})),
    ("port", lambda c: c.setdefault("ports", []).append({"containerPort": 65001})),
)
_POD_PATHS = (("spec",), ("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"))


def real_changes(live: Obj) -> list[tuple[str, Obj]]:
    """Copies of a live object, each with one change a person could make that must never be ignored."""
    edits: list[tuple[str, Callable[[Obj], object]]] = [
        ("label", lambda o: o.setdefault("metadata", {}).setdefault("labels", {}).update(injected="yes")),
    ]
    spec: Obj = live["spec"] if isinstance(live.get("spec"), dict) else {}
    if isinstance(spec.get("replicas"), int):
        edits.append(("replicas", lambda o: o["spec"].update(replicas=o["spec"]["replicas"] + 5)))
    if isinstance(spec.get("ports"), list) and spec["ports"]:
        edits.append(("service-port", lambda o: o["spec"]["ports"].pop()))
    for pod in _POD_PATHS:
        if _containers(live, pod):
            edits += [(label, partial(_on_first, pod, edit)) for label, edit in _CONTAINER_EDITS]
            edits.append(("container", partial(_add_container, pod)))
    if live.get("kind") == "Secret":
        edits.append(
            ("secret", lambda o: o.setdefault("data", {}).update(injected=base64.b64encode(b"1").decode()))
        )
    if live.get("kind") == "ConfigMap":
        edits.append(("data", lambda o: o.setdefault("data", {}).update(injected="yes")))
    rules = live.get("rules")
    if isinstance(rules, list) and rules and isinstance(rules[0], dict):
        edits.append(("rbac", lambda o: o["rules"][0].setdefault("verbs", []).append("delete")))
    made = []
    for label, edit in edits:
        copied = copy.deepcopy(live)
        edit(copied)
        made.append((label, copied))
    return made


def _on_first(pod: tuple[str, ...], edit: Callable[[Obj], object], obj: Obj) -> None:
    edit(_containers(obj, pod)[0])


def _add_container(pod: tuple[str, ...], obj: Obj) -> None:
    _containers(obj, pod).append({"name": "injected", "image": "busybox:1.36"})


def _containers(obj: Obj, pod_path: tuple[str, ...]) -> list[Obj]:
    node: Any = obj
    for step in pod_path:
        node = node.get(step) if isinstance(node, dict) else None
    containers = node.get("containers") if isinstance(node, dict) else None
    return (
        containers if isinstance(containers, list) and containers and isinstance(containers[0], dict) else []
    )
