"""Compose files: parsed with their lines, validated against the Compose specification, and built-in rules.

The schema is the Compose specification's own, as check-jsonschema vendors
it (when installed); a file that does not parse is a finding at the line YAML
names. Built-in rules: secret literals in ``environment``, unpinned images,
privileged services, and published ports without a healthcheck.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import yaml

from devcopilot.core.findings import Finding, Severity
from devcopilot.core.redaction import find_secrets
from devcopilot.jobs.iac.dockerfile_rules import rule_finding

_SECRET_NAME = re.compile(r"(?i)(password|passwd|secret|token|api[_-]?key|private[_-]?key)")


@cache
def compose_schema() -> dict[str, Any] | None:
    """The Compose specification's JSON schema, from check-jsonschema's vendored copy; ``None`` without it."""
    try:
        from importlib.resources import files  # noqa: PLC0415

        text = (files("check_jsonschema") / "builtin_schemas" / "vendor" / "compose-spec.json").read_text(
            "utf-8"
        )
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def check(path: str, text: str) -> list[Finding]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        # Where the broken construct starts (an unclosed bracket), else where YAML gave up.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return [_finding(path, line, "error", "iac/parse-error", f"the compose file does not parse: {error}")]
    if not isinstance(document, dict):
        return [
            _finding(path, 1, "error", "iac/parse-error", "the compose file is not a mapping of services")
        ]
    lines = text.splitlines()
    findings = _schema(path, document, lines)
    services = document.get("services")
    services = services if isinstance(services, dict) else {}
    for name, service in services.items():
        if isinstance(service, dict):
            findings += _service(path, str(name), service, lines)
    return findings


def _schema(path: str, document: dict[str, Any], lines: list[str]) -> list[Finding]:
    schema = compose_schema()
    if schema is None:
        return []
    import jsonschema  # type: ignore[import-untyped]  # noqa: PLC0415 - only compose validation needs it

    validator = jsonschema.Draft7Validator(schema)
    findings = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        line = _line_of(lines, [str(p) for p in error.absolute_path])
        findings.append(_finding(path, line, "error", "compose/schema", f"{where}: {error.message}"))
    return findings


def _service(path: str, name: str, service: dict[str, Any], lines: list[str]) -> list[Finding]:
    findings = []
    image = service.get("image")
    if isinstance(image, str) and "@" not in image and not image.startswith("$"):
        last = image.rsplit("/", 1)[-1]
        if ":" not in last or last.endswith(":latest"):
            findings.append(
                _finding(
                    path,
                    _line_of(lines, ["services", name, "image"]),
                    "warning",
                    "iac/unpinned-image",
                    f"service {name}: image {image} is not pinned to a version tag",
                )
            )
    environment = service.get("environment")
    pairs: list[tuple[str, str]] = []
    if isinstance(environment, dict):
        pairs = [(str(k), "" if v is None else str(v)) for k, v in environment.items()]
    elif isinstance(environment, list):
        pairs = [tuple(str(e).partition("=")[::2]) for e in environment]  # type: ignore[misc]
    for key, value in pairs:
        if (
            value
            and "${" not in value
            and not value.startswith("$")
            and (_SECRET_NAME.search(key) or find_secrets(value))
        ):
            findings.append(
                _finding(
                    path,
                    _line_of(lines, ["services", name, "environment", key]),
                    "error",
                    "iac/secret-in-compose",
                    f"service {name}: {key} holds a secret literal; read it from .env (${{{key}}})",
                )
            )
    if service.get("privileged") is True:
        findings.append(
            _finding(
                path,
                _line_of(lines, ["services", name, "privileged"]),
                "error",
                "iac/privileged",
                f"service {name} runs privileged: it can take over the host",
            )
        )
    # A service built here gets its healthcheck from its Dockerfile; an image named here must say.
    if service.get("ports") and "healthcheck" not in service and "build" not in service:
        findings.append(
            _finding(
                path,
                _line_of(lines, ["services", name, "ports"]),
                "info",
                "iac/no-healthcheck",
                f"service {name} publishes ports but has no healthcheck",
            )
        )
    return findings


def _line_of(lines: list[str], keys: list[str]) -> int:
    """The line of the deepest key of ``keys`` found in order (a plain search: good enough to point at)."""
    line = 0
    for key in keys:
        pattern = re.compile(rf"^\s*-?\s*['\"]?{re.escape(key)}['\"]?\s*[:=]")
        for number in range(line, len(lines)):
            if pattern.match(lines[number]):
                line = number
                break
    return line + 1


def _finding(path: str, line: int, severity: Severity, rule: str, message: str) -> Finding:
    return rule_finding(path, line, severity, rule, message, security=SECURITY_RULES)


SECURITY_RULES = frozenset({"iac/secret-in-compose", "iac/privileged"})
