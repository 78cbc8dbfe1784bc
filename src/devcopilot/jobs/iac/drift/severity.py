"""The rules table (``rules.yaml``): the rule, severity and category of each kind of difference."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, Field

from devcopilot.core.findings import Category, Severity
from devcopilot.jobs.iac.drift import paths
from devcopilot.jobs.iac.drift.paths import Path

MISSING: tuple[str, Severity] = ("drift/missing", "error")
"""An object declared and not in the cluster."""
UNDECLARED: tuple[str, Severity] = ("drift/undeclared", "warning")
"""An object in the cluster that nothing declares."""


class Rule(BaseModel):
    rule: str
    severity: Severity
    category: Category = "configuration"
    kinds: list[str] = Field(default_factory=list)
    paths: list[str]


@cache
def rules() -> tuple[Rule, ...]:
    text = files("devcopilot.jobs.iac.drift").joinpath("rules.yaml").read_text("utf-8")
    table = tuple(Rule.model_validate(entry) for entry in yaml.safe_load(text))
    for rule in table:
        for pattern in rule.paths:
            paths.compile_pattern(pattern)
    return table


def rule_for(kind: str, path: Path) -> Rule:
    for rule in rules():
        if (not rule.kinds or kind in rule.kinds) and any(paths.matches(p, path) for p in rule.paths):
            return rule
    raise AssertionError("rules.yaml ends with a rule for every path")
