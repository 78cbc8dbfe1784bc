"""Machine formats of any result made of findings, one function each, chosen by name from ``FORMATS``.

Every job whose result satisfies ``FindingsReport`` gets SARIF, GitHub and GitLab
annotations, reviewdog's rdjsonl and a markdown comment from here.

Every path is repository-relative with forward slashes, so that code-scanning
services match results across runs. Fingerprints hash the rule, the path and
the reviewed code (whitespace-normalized), not the line number: moving code
does not open a new alert, and the same problem pasted elsewhere does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from devcopilot import __version__
from devcopilot.core.findings import FindingsReport, fingerprint

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/devcopilot/"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITLAB_SEVERITY = {"error": "critical", "warning": "major", "info": "info"}
_RDJSON_SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}


def to_sarif(result: FindingsReport) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for finding in result.findings:
        if finding.rule not in rules:
            properties: dict[str, Any] = {"tags": [finding.category, finding.source]}
            if finding.category == "security":
                properties["security-severity"] = _SECURITY_SEVERITY[finding.severity]
            rules[finding.rule] = {
                "id": finding.rule,
                "name": finding.rule.replace("/", "-"),
                "shortDescription": {"text": finding.rule},
                "defaultConfiguration": {"level": _SARIF_LEVEL[finding.severity]},
                "properties": properties,
            }
        lines: dict[str, Any] = {"startLine": finding.line, "endLine": finding.end_line}
        region = lines | ({"snippet": {"text": finding.code}} if finding.code else {})
        entry: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": list(rules).index(finding.rule),
            "level": _SARIF_LEVEL[finding.severity],
            "message": {"text": finding.shown_message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                        "region": region,
                    }
                }
            ],
            "partialFingerprints": {"devcopilot/v1": fingerprint(finding)},
        }
        if finding.confirmed_by:
            entry["properties"] = {"confirmedBy": finding.confirmed_by}
        if finding.suggestion is not None:
            entry["fixes"] = [
                {
                    "description": {"text": "suggested replacement"},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                            "replacements": [
                                {
                                    "deletedRegion": lines,
                                    "insertedContent": {"text": finding.suggestion},
                                }
                            ],
                        }
                    ],
                }
            ]
        results.append(entry)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "devcopilot",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(_without_none(document), indent=2) + "\n"


def to_github(result: FindingsReport) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""
    lines = []
    for finding in result.findings:
        command = {"error": "error", "warning": "warning", "info": "notice"}[finding.severity]
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", finding.path),
                ("line", finding.line),
                ("endLine", finding.end_line),
                ("title", f"devcopilot {finding.rule}"),
            )
        )
        lines.append(f"::{command} {properties}::{_escape_data(finding.shown_message)}")
    return "".join(line + "\n" for line in lines)


def to_gitlab(result: FindingsReport) -> str:
    """GitLab Code Quality report (a JSON array), for the merge-request widget."""
    issues = [
        {
            "description": finding.shown_message,
            "check_name": finding.rule,
            "fingerprint": fingerprint(finding),
            "severity": _GITLAB_SEVERITY[finding.severity],
            "categories": ["Security" if finding.category == "security" else "Bug Risk"],
            "location": {"path": finding.path, "lines": {"begin": finding.line, "end": finding.end_line}},
        }
        for finding in result.findings
    ]
    return json.dumps(issues, indent=2) + "\n"


def to_rdjsonl(result: FindingsReport) -> str:
    """reviewdog's diagnostic format, one JSON object per line (``reviewdog -f=rdjsonl``)."""
    lines = []
    for finding in result.findings:
        diagnostic: dict[str, Any] = {
            "message": finding.shown_message,
            "location": {
                "path": finding.path,
                "range": {"start": {"line": finding.line}, "end": {"line": finding.end_line}},
            },
            "severity": _RDJSON_SEVERITY[finding.severity],
            "source": {"name": f"devcopilot/{finding.source}"},
            "code": {"value": finding.rule},
        }
        if finding.suggestion is not None:
            diagnostic["suggestions"] = [
                {
                    "range": {"start": {"line": finding.line}, "end": {"line": finding.end_line + 1}},
                    "text": finding.suggestion,
                }
            ]
        lines.append(json.dumps(diagnostic))
    return "".join(line + "\n" for line in lines)


def to_markdown(result: FindingsReport) -> str:
    """A pull-request comment: the headline, a table of findings, and what was covered."""
    out = [f"## devcopilot {result.job}", "", f"{result.headline()}.", ""]
    if result.findings:
        out += ["| | file | line | finding | rule |", "|---|---|---|---|---|"]
        icon = {"error": "🔴", "warning": "🟡", "info": "🔵"}
        for finding in result.findings:
            message = finding.shown_message.replace("|", "\\|").replace("\n", " ")
            where = f"`{finding.path}` | {finding.line}"
            out.append(f"| {icon[finding.severity]} | {where} | {message} | `{finding.rule}` |")
        out.append("")
    out += ["<details><summary>Coverage</summary>", ""]
    out += [f"- {line}" for line in result.coverage_lines()]
    out += ["", "</details>", ""]
    return "\n".join(out)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


FORMATS: dict[str, Callable[[FindingsReport], str]] = {
    "sarif": to_sarif,
    "github": to_github,
    "gitlab": to_gitlab,
    "rdjsonl": to_rdjsonl,
    "markdown": to_markdown,
}
