"""``devcopilot incident``: explain with evidence and commits, templates, memory, bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import incident_log
from tests.support.envelope import result_of


def explain(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("incident", "explain", "--format", "json", *args)
    assert result.code == 0, result.stderr
    return result_of(result.stdout, "incident", "explain")


def test_the_first_error_is_tied_to_the_commit_that_touched_its_stack_frame(
    shop: dict[str, Any], cli: Any
) -> None:
    report = explain(cli, str(shop["log"]))
    top = report["hypotheses"][0]
    assert top["title"].startswith("ZeroDivisionError at app/billing.py:charge")
    assert top["confidence"] == "high"
    assert (
        top["commits"][0]["sha"] == shop["culprit"]
    )  # the change just before, not the older one or the revert
    assert shop["later"] not in {c["sha"] for c in top["commits"]}
    assert shop["unrelated"] not in {c["sha"] for h in report["hypotheses"] for c in h["commits"]}
    evidence = top["evidence"][0]
    assert evidence["ref"] == f"{shop['log']}:13" and evidence["count"] == 5
    line = shop["log"].read_text().splitlines()[12]
    assert "charge failed" in line  # the cited line is the first failing one
    assert report["impact_start"].startswith("2024-05-01T10:12:00")
    assert f"git show --stat {shop['culprit'][:12]}" in report["next_checks"]
    assert "git log -p -n 3 -- app/billing.py" in report["next_checks"]


def test_secrets_and_emails_never_reach_the_report(shop: dict[str, Any], cli: Any) -> None:
    for fmt in ("json", "text", "markdown"):
        result = cli("incident", "explain", "--format", fmt, str(shop["log"]))
        assert result.code == 0
        assert "bob@example.com" not in result.stdout
        assert "sk-live-abcdefghijklmnopqrstu" not in result.stdout


def test_markdown_is_a_postmortem_draft(shop: dict[str, Any], cli: Any) -> None:
    result = cli("incident", "explain", "--format", "markdown", str(shop["log"]))
    headings = [line for line in result.stdout.splitlines() if line.startswith("## ")]
    assert headings[:9] == [
        "## Summary",
        "## Impact",
        "## Root causes",
        "## Trigger",
        "## Resolution",
        "## Detection",
        "## Action items",
        "## Timeline",
        "## Lessons learned",
    ]
    assert shop["culprit"][:12] in result.stdout


def test_a_quiet_log_reports_nothing_to_explain(repo: Path, cli: Any) -> None:
    log = repo.parent / "ok.log"
    log.write_text("".join(f"2024-05-01 10:{m:02d}:00,001 INFO app: tick {m}\n" for m in range(30)))
    report = explain(cli, str(log))
    assert report["hypotheses"] == []
    assert report["summary"].startswith("nothing stands out")


def test_several_files_interleave_by_time_and_gzip_is_read(
    shop: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    other = tmp_path / "db.log.gz"
    other.write_bytes(
        gzip.compress(b"2024-05-01 10:11:30,000 WARNING db.pool: pool exhausted, 0 of 20 free\n")
    )
    report = explain(cli, str(shop["log"]), str(other))
    refs = [entry["ref"] for entry in report["timeline"]]
    assert refs[0] == f"{other}:1"  # the pool warning came before the first error
    assert report["lines"] == len(shop["log"].read_text().splitlines()) + 1


def test_since_and_until_narrow_the_window(shop: dict[str, Any], cli: Any) -> None:
    report = explain(cli, str(shop["log"]), "--until", "2024-05-01T10:11:00Z")
    assert report["errors"] == 0 and report["hypotheses"] == []
    bad = cli("incident", "explain", str(shop["log"]), "--since", "yesterday")
    assert bad.code == 2 and "ISO-8601" in bad.stderr and "Traceback" not in bad.stderr


def test_incidents_are_remembered_and_resolutions_come_back(
    shop: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    first = explain(cli, str(shop["log"]))
    resolved = cli("incident", "resolve", first["id"], "--note", "reverted the rounding change")
    assert resolved.code == 0
    listed = result_of(cli("incident", "list", "--json").stdout, "incident", "list")["incidents"]
    assert listed[0]["id"] == first["id"] and listed[0]["resolution"] == "reverted the rounding change"
    again = incident_log(tmp_path / "next-week.log", user="carl@example.com")
    text = again.read_text().replace("2024-05-01", "2024-05-08")
    again.write_text(text)
    second = explain(cli, str(again))
    assert second["id"] != first["id"]
    assert second["similar"][0]["id"] == first["id"]
    assert second["similar"][0]["resolution"] == "reverted the rounding change"
    assert (shop["repo"] / ".devcopilot" / "incidents" / f"{first['id']}.json").is_file()
    missing = cli("incident", "resolve", "inc-nope", "--note", "x")
    assert missing.code == 2 and "no incident" in missing.stderr


def test_templates_count_lines_and_map_every_input_line(repo: Path, cli: Any) -> None:
    log = repo.parent / "t.log"
    lines = [
        f"2024-05-01 10:00:{s:02d},000 INFO app: user {name} logged in from 10.0.0.{s}"
        for s, name in enumerate(["ann", "bob", "cyd", "dan", "eve", "fay"])
    ]
    lines.insert(3, "2024-05-01 10:00:03,500 ERROR app: disk /var/data is full")
    log.write_text("\n".join(lines) + "\n")
    result = cli("incident", "templates", str(log), "--format", "json")
    data = result_of(result.stdout, "incident", "templates")
    assert [(t["template"], t["count"]) for t in data["templates"]] == [
        ("user <*> logged in from <*>", 6),
        ("disk <*> is full", 1),
    ]
    assert [entry["line"] for entry in data["lines"]] == list(range(1, 8))
    assert data["lines"][3]["template"] == "disk <*> is full"
    assert data["templates"][0]["first_seen"].startswith("2024-05-01T10:00:00")
    text = cli("incident", "templates", str(log))
    assert text.stdout.splitlines()[-1] == "2 templates in 7 events (7 lines)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the input is empty"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(repo: Path, cli: Any, content: bytes, message: str) -> None:
    path = repo.parent / "bad.log"
    path.write_bytes(content)
    for command in ("explain", "templates"):
        result = cli("incident", command, str(path))
        assert result.code == 2
        assert message in result.stderr and "Traceback" not in result.stderr
    missing = cli("incident", "explain", str(repo.parent / "nope.log"))
    assert missing.code == 2 and "no such file" in missing.stderr


def test_stdin_is_read_with_a_dash(shop: dict[str, Any]) -> None:
    import subprocess

    from tests.conftest import devcopilot_executable

    done = subprocess.run(
        [devcopilot_executable(), "incident", "explain", "-", "--format", "json"],
        input=shop["log"].read_bytes(),
        capture_output=True,
        cwd=shop["repo"],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = result_of(done.stdout, "incident", "explain")
    assert report["hypotheses"][0]["evidence"][0]["ref"] == "stdin:13"
    assert done.stderr == b""  # nothing but the report, and nothing on stderr off a terminal


def test_kubernetes_warnings_suggest_describing_their_object(repo: Path, cli: Any) -> None:
    def item(name: str, reason: str, kind: str, minute: int) -> dict[str, Any]:
        return {
            "involvedObject": {"kind": "Pod", "name": name, "namespace": "shop"},
            "metadata": {"name": f"{name}.{minute}"},
            "reason": reason,
            "message": f"{reason} for pod {name}",
            "type": kind,
            "lastTimestamp": f"2024-05-01T10:{minute:02d}:00Z",
        }

    items = [item("web-1", "Pulled", "Normal", m) for m in range(8)] + [
        item("web-2", "BackOff", "Warning", 9)
    ]
    events = repo.parent / "events.json"
    events.write_text(json.dumps({"kind": "List", "items": items}, indent=4))
    report = explain(cli, str(events))
    assert report["hypotheses"][0]["evidence"][0]["template"].startswith("BackOff")
    assert "kubectl describe pod web-2 -n shop" in report["next_checks"]
    assert not any("web-1" in check for check in report["next_checks"])
