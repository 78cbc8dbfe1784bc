"""Built-in Dockerfile rules for what hurts most, beside hadolint's style and shell checks.

Unpinned or ``latest`` base images, a final stage that runs as root, secrets
baked into ``ENV`` or ``ARG``, ``ADD`` of a URL, and a served port without a
healthcheck. The parser reads instructions with their line numbers (line
continuations joined, heredocs skipped); it only needs to find instructions,
not to build the image, so it is a few lines rather than a dependency.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from devcopilot.core.findings import Category, Finding, Severity
from devcopilot.core.redaction import find_secrets

_SECRET_NAME = re.compile(r"(?i)(password|passwd|secret|token|api[_-]?key|private[_-]?key|credentials?)")
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    arguments: str


def parse(text: str) -> list[Instruction]:
    """The instructions, each at the line it starts on; ``ValueError`` names the line that breaks it."""
    instructions: list[Instruction] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        raw = lines[index]
        start = index + 1
        index += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = [stripped]
        while parts[-1].endswith("\\") and index < len(lines):
            parts[-1] = parts[-1][:-1]
            following = lines[index].strip()
            index += 1
            if following.startswith("#"):
                parts.append("\\")  # a comment inside a continuation keeps it going
                continue
            parts.append(following)
        joined = " ".join(p for p in parts if p != "\\")
        heredoc = _HEREDOC.search(joined)
        if heredoc:
            while index < len(lines) and lines[index].strip() != heredoc.group(1):
                index += 1
            index += 1
        keyword, _, arguments = joined.partition(" ")
        if not re.fullmatch(r"[A-Za-z]+", keyword):
            raise ValueError(f"line {start}: {keyword!r} is not a Dockerfile instruction")
        instructions.append(Instruction(start, keyword.upper(), arguments.strip()))
    if not any(i.keyword == "FROM" for i in instructions):
        raise ValueError("line 1: no FROM instruction")
    return instructions


def check(path: str, text: str) -> list[Finding]:
    try:
        instructions = parse(text)
    except ValueError as error:
        line = int(str(error).split(":")[0].removeprefix("line "))
        return [_finding(path, line, "error", "iac/parse-error", f"the Dockerfile does not parse: {error}")]
    findings: list[Finding] = []
    stages: set[str] = set()
    arguments = {i.arguments.split("=")[0].strip() for i in instructions if i.keyword == "ARG"}
    final_start = max(n for n, i in enumerate(instructions) if i.keyword == "FROM")
    for instruction in instructions:
        if instruction.keyword == "FROM":
            findings += _base_image(path, instruction, stages, arguments)
        elif instruction.keyword in ("ENV", "ARG"):
            findings += _secrets(path, instruction)
        elif instruction.keyword == "ADD" and re.search(r"\bhttps?://", instruction.arguments):
            findings.append(
                _finding(
                    path,
                    instruction.line,
                    "warning",
                    "iac/add-url",
                    "ADD fetches a URL unverified; download with a checksum in a RUN, or COPY",
                )
            )
    final = instructions[final_start:]
    users = [i for i in final if i.keyword == "USER"]
    if not users or users[-1].arguments.split(":")[0] in ("root", "0"):
        line = users[-1].line if users else instructions[final_start].line
        findings.append(
            _finding(
                path,
                line,
                "warning",
                "iac/root-user",
                "the final stage runs as root; add a USER with a non-root id",
            )
        )
    exposed = [i for i in final if i.keyword == "EXPOSE"]
    if exposed and not any(
        i.keyword == "HEALTHCHECK" and not i.arguments.upper().startswith("NONE") for i in final
    ):
        findings.append(
            _finding(
                path,
                exposed[0].line,
                "info",
                "iac/no-healthcheck",
                "the image serves a port but has no HEALTHCHECK",
            )
        )
    return findings


def _base_image(path: str, instruction: Instruction, stages: set[str], arguments: set[str]) -> list[Finding]:
    words = [w for w in instruction.arguments.split() if not w.startswith("--")]
    if not words:
        return [_finding(path, instruction.line, "error", "iac/parse-error", "FROM names no image")]
    image = words[0]
    if len(words) >= 3 and words[1].lower() == "as":
        stages.add(words[2].lower())
    if image.lower() in stages or image == "scratch" or image.startswith("$"):
        return []
    name, _, digest = image.partition("@")
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else None
    if digest:
        return []
    if tag is None or tag == "latest":
        why = "no tag" if tag is None else "the latest tag"
        return [
            _finding(
                path,
                instruction.line,
                "warning",
                "iac/unpinned-base-image",
                f"base image {name} has {why}: pin a version tag (or a digest) so builds repeat",
            )
        ]
    return []


def _secrets(path: str, instruction: Instruction) -> list[Finding]:
    findings = []
    try:
        pairs = shlex.split(instruction.arguments)
    except ValueError:
        pairs = instruction.arguments.split()
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not value or value.startswith("$"):
            continue
        if _SECRET_NAME.search(key) or find_secrets(value):
            findings.append(
                _finding(
                    path,
                    instruction.line,
                    "error",
                    "iac/secret-in-image",
                    f"{instruction.keyword} {key} holds a secret literal: it stays in the image's "
                    "history; pass it at run time or as a build secret",
                )
            )
    return findings


def _finding(path: str, line: int, severity: Severity, rule: str, message: str) -> Finding:
    return rule_finding(path, line, severity, rule, message, security=SECURITY_RULES)


SECURITY_RULES = frozenset({"iac/secret-in-image", "iac/root-user", "iac/add-url"})


def rule_finding(
    path: str, line: int, severity: Severity, rule: str, message: str, *, security: frozenset[str]
) -> Finding:
    """A built-in rule's finding on one line; a rule in ``security`` is a security finding."""
    category: Category = "security" if rule in security else "configuration"
    source = "builtin" if rule.startswith("iac/") else rule.split("/", 1)[0]
    return Finding(
        path=path,
        line=line,
        end_line=line,
        severity=severity,
        category=category,
        rule=rule,
        source=source,
        message=message,
    )
