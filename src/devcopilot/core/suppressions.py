"""Inline suppressions and baselines: how a team adopts a check on a repository that predates it.

- An inline comment ``devcopilot: ignore[rule] reason`` on a finding's line, or
  on the line just above it, suppresses findings of that rule there (several
  rules separated by commas; ``ruff/*`` names every rule with that prefix).
- A baseline file (``.devcopilot-baseline.json``, committed) lists the findings
  a team has accepted, by fingerprint (rule, path and code, not the line
  number), per job; ``--write-baseline`` writes it.

Both are read as the change's base commit has them: a change cannot silence
its own findings. A suppression comment the change itself adds is reported
as not applied (it takes effect once merged), never silently honoured. Every
finding left out is counted in the report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devcopilot.core.change.diff import BlobReader
from devcopilot.core.errors import InputError
from devcopilot.core.findings import Finding, SuppressionCounts, fingerprint

BASELINE_FILE = ".devcopilot-baseline.json"
BASELINE_VERSION = 1
MAX_FILE_BYTES = 16 * 1024 * 1024
_IGNORE = re.compile(r"devcopilot:\s*ignore\[([^\]]*)\]")

LinesOf = Callable[[str], list[str] | None]
"""A file's lines by repository path (``None`` when it does not exist there)."""


def ignored_rules(line: str) -> set[str]:
    """The rules an ``ignore[...]`` comment on this line names (empty when it has none)."""
    rules: set[str] = set()
    for match in _IGNORE.finditer(line):
        rules.update(part.strip() for part in match.group(1).split(",") if part.strip())
    return rules


def names_rule(pattern: str, rule: str) -> bool:
    if pattern.endswith("*"):
        return rule.startswith(pattern[:-1])
    return pattern == rule


@dataclass(frozen=True)
class Baseline:
    fingerprints: frozenset[str] = frozenset()

    @classmethod
    def of_repository(cls, root: Path, job: str, *, use: bool = True) -> Baseline:
        """``job``'s section of the repository's baseline file; empty when unused or absent."""
        path = root / BASELINE_FILE
        if not use or not path.is_file():
            return cls()
        return cls.parse(str(path), path.read_text("utf-8"), job)

    @classmethod
    def parse(cls, label: str, text: str, job: str) -> Baseline:
        """The fingerprints the file accepts for ``job``; a broken file is an error naming it."""
        try:
            document = json.loads(text)
            entries = document["jobs"].get(job, [])
            return cls(frozenset(str(entry["fingerprint"]) for entry in entries))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise InputError(
                f"{label}: not a devcopilot baseline ({type(error).__name__}: {error})",
                hint="write it again with --write-baseline",
            ) from None


def baseline_document(existing: str | None, job: str, findings: Iterable[Finding]) -> str:
    """The baseline file with ``job``'s findings replaced by ``findings`` (other jobs' sections kept)."""
    jobs: dict[str, Any] = {}
    if existing:
        try:
            loaded = json.loads(existing)
        except json.JSONDecodeError:
            loaded = None  # a broken baseline is replaced whole
        if isinstance(loaded, dict) and isinstance(loaded.get("jobs"), dict):
            jobs = loaded["jobs"]
    entries = {
        fingerprint(f): {"fingerprint": fingerprint(f), "rule": f.rule, "path": f.path, "message": f.message}
        for f in findings
    }
    jobs[job] = sorted(entries.values(), key=lambda e: (e["path"], e["rule"], e["fingerprint"]))
    document = {"schema_version": BASELINE_VERSION, "jobs": jobs}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def apply(
    findings: list[Finding], *, new_lines: LinesOf, base_lines: LinesOf, baseline: Baseline
) -> tuple[list[Finding], SuppressionCounts]:
    """The findings still shown, and how many were suppressed, baselined, or named by a new comment."""
    kept: list[Finding] = []
    counts = SuppressionCounts()
    base_cache: dict[str, set[str]] = {}
    for finding in findings:
        if fingerprint(finding) in baseline.fingerprints:
            counts.baselined += 1
            continue
        comments = _suppressing_lines(finding, new_lines(finding.path) or [])
        if not comments:
            kept.append(finding)
            continue
        if finding.path not in base_cache:
            base_cache[finding.path] = {line.strip() for line in base_lines(finding.path) or []}
        if any(comment.strip() in base_cache[finding.path] for comment in comments):
            counts.suppressed += 1
            continue
        counts.not_applied += 1
        kept.append(finding)
    return kept, counts


def _suppressing_lines(finding: Finding, lines: list[str]) -> list[str]:
    """The comment lines (the one above the finding, and its own) that name its rule."""
    if finding.scope == "file":
        return []
    found = []
    for number in range(max(1, finding.line - 1), min(len(lines), finding.end_line) + 1):
        line = lines[number - 1]
        if any(names_rule(pattern, finding.rule) for pattern in ignored_rules(line)):
            found.append(line)
    return found


def apply_at_base(
    repo: Path,
    base: str | None,
    job: str,
    findings: list[Finding],
    new_texts: Mapping[str, str],
    *,
    use_baseline: bool = True,
) -> tuple[list[Finding], SuppressionCounts]:
    """``apply`` with the comments and the baseline read at ``base`` (nothing is read without a base)."""
    with BlobReader(repo) as blobs:

        def at_base(path: str) -> str | None:
            if base is None:
                return None
            content = blobs.size_and_read(f"{base}:{path}", MAX_FILE_BYTES)[1]
            return content.decode("utf-8", "replace") if content is not None else None

        baseline_text = at_base(BASELINE_FILE) if use_baseline else None
        baseline = Baseline()
        if baseline_text is not None:
            baseline = Baseline.parse(f"{BASELINE_FILE} at {(base or '')[:12]}", baseline_text, job)
        return apply(
            findings,
            new_lines=lambda path: new_texts[path].splitlines() if path in new_texts else None,
            base_lines=lambda path: (at_base(path) or "").splitlines(),
            baseline=baseline,
        )
