"""Review output formats: SARIF (validated against the official schema), CI annotations, reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git

SARIF_SCHEMA = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "sarif" / "sarif-schema-2.1.0.json"
)


@pytest.fixture
def reviewed_repo(repo: Path) -> Path:
    (repo / "pkg").mkdir()
    (repo / "pkg" / "core.py").write_text(
        "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n    return missing\n"
    )
    (repo / "pkg" / "odd,name.py").write_text("x = nope\n")
    (repo / "pkg" / "keys.py").write_text('KEY = "AKIAQ7XMB2KZ4WJ3N5RT"\n')
    git(repo, "add", "-A")
    return repo


def output(cli: Any, fmt: str) -> str:
    result = cli("review", "--format", fmt)
    assert result.code == 1, result.stderr
    assert result.stderr == ""
    return str(result.stdout)


def test_sarif_validates_against_the_official_schema(reviewed_repo: Path, cli: Any) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} on this machine")
    import jsonschema

    document = json.loads(output(cli, "sarif"))

    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    [run] = document["runs"]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert {r["ruleId"] for r in run["results"]} == set(rule_ids)
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith("/"), "repo-relative URIs"
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert len(result["partialFingerprints"]["devcopilot/v1"]) == 64
    secret = next(r for r in run["results"] if r["ruleId"] == "secret/aws-access-key")
    assert secret["level"] == "error"
    assert secret["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "endLine": 1,
        "snippet": {"text": 'KEY = "AKIAQ7XMB2KZ4WJ3N5RT"'},
    }


def test_fingerprints_survive_code_moving_down(reviewed_repo: Path, cli: Any) -> None:
    before = {
        r["ruleId"]: r["partialFingerprints"] for r in json.loads(output(cli, "sarif"))["runs"][0]["results"]
    }
    keys = reviewed_repo / "pkg" / "keys.py"
    keys.write_text("# a new first line\n" + keys.read_text())
    git(reviewed_repo, "add", "-A")

    after = {r["ruleId"]: r for r in json.loads(output(cli, "sarif"))["runs"][0]["results"]}

    moved = after["secret/aws-access-key"]
    assert moved["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert moved["partialFingerprints"] == before["secret/aws-access-key"]


def test_github_annotations(reviewed_repo: Path, cli: Any) -> None:
    lines = output(cli, "github").splitlines()

    secret = (
        "::error file=pkg/keys.py,line=1,endLine=1,title=devcopilot secret/aws-access-key::secret committed"
    )
    assert any(line.startswith(secret) for line in lines)
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any(
        line.startswith("::error file=pkg/core.py,line=6,endLine=6,title=devcopilot ruff/F821::")
        for line in lines
    )
    assert any(line.startswith("::error file=pkg/odd%2Cname.py,line=1,") for line in lines), (
        "commas are escaped"
    )


def test_gitlab_code_quality(reviewed_repo: Path, cli: Any) -> None:
    issues = json.loads(output(cli, "gitlab"))

    secret = next(i for i in issues if i["check_name"] == "secret/aws-access-key")
    assert secret["severity"] == "critical"
    assert secret["location"] == {"path": "pkg/keys.py", "lines": {"begin": 1, "end": 1}}
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_rdjsonl_for_reviewdog(reviewed_repo: Path, cli: Any) -> None:
    diagnostics = [json.loads(line) for line in output(cli, "rdjsonl").splitlines()]

    by_code = {d["code"]["value"]: d for d in diagnostics}
    assert by_code["bandit/B602"]["severity"] == "ERROR"
    assert by_code["bandit/B602"]["location"] == {
        "path": "pkg/core.py",
        "range": {"start": {"line": 5}, "end": {"line": 5}},
    }
    assert by_code["bandit/B602"]["source"] == {"name": "devcopilot/bandit"}


def test_markdown_pull_request_comment(reviewed_repo: Path, cli: Any) -> None:
    text = output(cli, "markdown")

    assert text.startswith("## devcopilot review\n")
    assert "| 🔴 | `pkg/keys.py` | 1 |" in text
    assert "<details><summary>Coverage</summary>" in text
    assert "- analyzer `ruff`: ran" in text
