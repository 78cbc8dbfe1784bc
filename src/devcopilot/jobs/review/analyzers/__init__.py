"""The analyzers the review engine runs, by name. Order is the order of the report."""

from __future__ import annotations

from devcopilot.jobs.review.analyzers.base import Analyzer
from devcopilot.jobs.review.analyzers.builtin import BuiltinAnalyzer
from devcopilot.jobs.review.analyzers.changes import ChangesAnalyzer
from devcopilot.jobs.review.analyzers.injection import InjectionAnalyzer
from devcopilot.jobs.review.analyzers.linters import BanditAnalyzer, RuffAnalyzer
from devcopilot.jobs.review.analyzers.secrets import SecretsAnalyzer
from devcopilot.jobs.review.analyzers.shell_docker import HadolintAnalyzer, ShellcheckAnalyzer

ANALYZERS: dict[str, Analyzer] = {
    "builtin": BuiltinAnalyzer(),
    "secrets": SecretsAnalyzer(),
    "injection": InjectionAnalyzer(),
    "changes": ChangesAnalyzer(),
    "ruff": RuffAnalyzer(),
    "bandit": BanditAnalyzer(),
    "shellcheck": ShellcheckAnalyzer(),
    "hadolint": HadolintAnalyzer(),
}

__all__ = ["ANALYZERS", "Analyzer"]
