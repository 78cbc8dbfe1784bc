"""Logs in layouts nobody wrote down: the header learned from the log, kept in config, shown to the user."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devcopilot.jobs.incident.stamps import FORM_BY_NAME, find_stamps, value
from tests.support.envelope import result_of

MESSAGES = (
    "connection from {ip} closed after {n} ms",
    "cache miss for key user:{n}",
    "payment {n} declined by issuer",
    "worker {n} restarted",
)
ERROR = "database timeout after {n} ms"


def write_log(
    path: Path,
    header: Callable[[datetime, str, random.Random], str],
    lines: int = 300,
    errors_from: int = 250,
) -> Path:
    """A log of four messages and, from ``errors_from`` on, errors; every line under ``header``."""
    rng = random.Random(7)  # noqa: S311 - seeded sample values, not cryptography
    start = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    out = []
    for index in range(lines):
        moment = start + timedelta(seconds=index * 3, milliseconds=rng.randrange(1000))
        failing = index >= errors_from
        text = ERROR if failing else MESSAGES[index % len(MESSAGES)]
        message = text.format(ip=f"10.0.{rng.randrange(9)}.{rng.randrange(255)}", n=rng.randrange(1, 99999))
        out.append(header(moment, "error" if failing else "info", rng) + message)
    path.write_text("\n".join(out) + "\n")
    return path


HEADERS: dict[str, Callable[[datetime, str, random.Random], str]] = {
    "epoch millis, pipes": lambda t, level, r: (
        f"{int(t.timestamp() * 1000)}|{level.upper()}|{r.choice(('api', 'db'))}|"
    ),
    "bracketed day-first, node": lambda t, level, r: (
        f"[{t.strftime('%d.%m.%Y %H:%M:%S')}] node-{r.randrange(1, 4)} {level.upper()} - "
    ),
    "compact, letter level, tag": lambda t, level, r: (
        f"{t.strftime('%Y%m%d %H%M%S')} {r.choice((811, 812))} {level[0].upper()} Svc{r.randrange(3)}: "
    ),
    "month name, host, component": lambda t, level, r: (
        f"{t.strftime('%b')} {t.day:>2} {t:%Y %H:%M:%S} host{r.randrange(1, 3)} app[{r.choice((41, 42))}]: "
    ),
    "label, epoch, padded level": lambda t, level, r: (
        f"- {int(t.timestamp())} {t:%Y.%m.%d} [{level.upper():<5}] "
    ),
}


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_a_layout_nobody_wrote_down_is_read_to_the_message(name: str, tmp_path: Path, cli: Any) -> None:
    log = write_log(tmp_path / "app.log", HEADERS[name])

    mined = cli("incident", "templates", str(log), "--format", "json")
    shown = cli("incident", "formats", str(log), "--format", "json")

    assert mined.code == 0, mined.stderr
    templates = {row["template"] for row in result_of(mined.stdout, "incident", "templates")["templates"]}
    assert len(templates) == len(MESSAGES) + 1, templates  # one per message, the header left out
    assert all(not t[0].isdigit() and "INFO" not in t for t in templates)
    assert "no header layout" not in mined.stderr
    (layout,) = result_of(shown.stdout, "incident", "formats")["files"]
    assert (layout["kind"], layout["lines"], layout["matched"]) == ("inferred", 300, 300)
    assert {"ts", "msg"} <= set(layout["fields"])


def test_the_header_gives_level_host_and_time_to_the_incident(tmp_path: Path, repo: Path, cli: Any) -> None:
    log = write_log(tmp_path / "app.log", HEADERS["bracketed day-first, node"])

    result = cli("incident", "explain", str(log), "--format", "json")

    assert result.code == 0, result.stderr
    report = result_of(result.stdout, "incident", "explain")
    assert report["errors"] == 50
    assert report["impact_start"].startswith("2024-05-01T09:12:30")  # line 251, read from a day-first stamp
    evidence = report["hypotheses"][0]["evidence"][0]
    assert "database timeout" in evidence["template"]
    assert set(evidence["hosts"]) <= {"node-1", "node-2", "node-3"} and evidence["hosts"]


@pytest.mark.parametrize(
    ("text", "form", "expected"),
    [
        ("20171223-22:15:29:606", "Ymd", datetime(2017, 12, 23, 22, 15, 29, 606000)),
        ("1709600523123", "epoch", datetime(2024, 3, 5, 1, 2, 3, 123000, tzinfo=UTC)),
        ("Sun Dec 04 04:47:44 2005", "b-d-time-Y", datetime(2005, 12, 4, 4, 47, 44)),
        ("10/Oct/2000:13:55:36 -0700", "d-b-Y", datetime.fromisoformat("2000-10-10T13:55:36-07:00")),
        ("2005-06-03-15.42.50.675872", "Y-m-d", datetime(2005, 6, 3, 15, 42, 50, 675872)),
        ("081109 203615", "ymd-compact", datetime(2008, 11, 9, 20, 36, 15)),
        ("2024-03-05T01:02:03.123456789Z", "Y-m-d", datetime(2024, 3, 5, 1, 2, 3, 123456, tzinfo=UTC)),
    ],
)
def test_the_timestamp_grammar_reads_each_form(text: str, form: str, expected: datetime) -> None:
    found = find_stamps([f"{text} something happened"] * 5, 2024)

    assert found and found[0].form.name == form
    match = FORM_BY_NAME[form].pattern.search(text)
    assert match is not None and value(FORM_BY_NAME[form], match, 2024) == expected


def test_an_impossible_date_is_not_a_timestamp() -> None:
    assert find_stamps(["2024-13-45 25:61:00 not a time"] * 5, 2024) == []


def test_a_configured_format_is_used_first_and_shown(tmp_path: Path, repo: Path, cli: Any) -> None:
    log = write_log(tmp_path / "app.log", lambda t, level, r: f"{t:%Y-%m-%d %H:%M:%S} ~{level}~ ")
    pattern = "%{TIMESTAMP:ts} ~%{WORD:level}~ %{GREEDYDATA:msg}"
    (repo / ".devcopilot.toml").write_text(
        f"[incident]\nformats = [{{name = \"tilde\", pattern = '{pattern}'}}]\n"
    )

    shown = cli("incident", "formats", str(log))
    mined = cli("incident", "templates", str(log), "--format", "json")

    assert shown.code == 0, shown.stderr
    assert "configured layout 'tilde (from configuration)', 300 of 300 lines" in shown.stdout
    templates = [row["template"] for row in result_of(mined.stdout, "incident", "templates")["templates"]]
    assert not any("~" in t for t in templates)


def test_an_inferred_pattern_kept_in_config_reads_the_log_the_same_way(
    tmp_path: Path, repo: Path, cli: Any
) -> None:
    log = write_log(tmp_path / "app.log", HEADERS["month name, host, component"])
    inferred = result_of(
        cli("incident", "formats", str(log), "--format", "json").stdout, "incident", "formats"
    )
    pattern = inferred["files"][0]["pattern"]
    (repo / ".devcopilot.toml").write_text(
        f"[incident]\nformats = [{{name = \"kept\", pattern = '''{pattern}'''}}]\n"
    )

    kept = result_of(cli("incident", "formats", str(log), "--format", "json").stdout, "incident", "formats")

    assert kept["files"][0]["kind"] == "configured"
    assert kept["files"][0]["matched"] == inferred["files"][0]["matched"] == 300
    assert kept["files"][0]["example"] == inferred["files"][0]["example"]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("%{TIMESTAMP:ts} %{WORD:level}", "names no msg field"),
        ("%{NOPE:x} %{GREEDYDATA:msg}", "unknown type %{NOPE}"),
        ("%{TIMESTAMP:ts:Q-Q} %{GREEDYDATA:msg}", "unknown timestamp form"),
        ("(%{GREEDYDATA:msg}", "not a valid pattern"),
    ],
)
def test_a_bad_configured_format_is_one_clear_line(repo: Path, cli: Any, pattern: str, reason: str) -> None:
    (repo / ".devcopilot.toml").write_text(
        f"[incident]\nformats = [{{name = \"x\", pattern = '{pattern}'}}]\n"
    )
    (repo / "a.log").write_text("hello\n")

    result = cli("incident", "formats", "a.log")

    assert result.code == 2 and reason in result.stderr and "Traceback" not in result.stderr


def test_lines_that_share_no_structure_are_read_one_event_each(tmp_path: Path, cli: Any) -> None:
    rng = random.Random(3)  # noqa: S311 - seeded sample words
    words = ["alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma"]
    log = tmp_path / "prose.log"
    log.write_text("\n".join(" ".join(rng.choices(words, k=rng.randint(1, 9))) for _ in range(200)) + "\n")

    mined = cli("incident", "templates", str(log), "--format", "json")
    shown = cli("incident", "formats", str(log))

    assert (
        mined.code == 0
        and "no header layout found in its first lines; read one event per line" in mined.stderr
    )
    assert "no layout found (0 of 200 lines): read one event per line" in shown.stdout


def test_a_log_that_changes_layout_after_its_first_lines_says_so(
    tmp_path: Path, cli: Any, repo: Path
) -> None:
    first = write_log(tmp_path / "a.log", HEADERS["bracketed day-first, node"], lines=1200, errors_from=5000)
    later = write_log(tmp_path / "b.log", HEADERS["epoch millis, pipes"], lines=300, errors_from=250)
    log = tmp_path / "changed.log"
    log.write_text(first.read_text() + later.read_text())

    explained = cli("incident", "explain", str(log), "--format", "json")
    shown = result_of(cli("incident", "formats", str(log), "--format", "json").stdout, "incident", "formats")

    assert explained.code == 0 and "Traceback" not in explained.stderr
    report = result_of(explained.stdout, "incident", "explain")
    assert any("300 lines did not fit its layout" in q for q in report["open_questions"])
    assert (shown["files"][0]["lines"], shown["files"][0]["matched"]) == (1500, 1200)
    assert report["errors"] == 50, "the errors after the change are still seen by their level words"


def test_interleaved_layouts_keep_every_line(tmp_path: Path, cli: Any) -> None:
    a = (
        write_log(tmp_path / "a.log", HEADERS["compact, letter level, tag"], lines=200)
        .read_text()
        .splitlines()
    )
    b = (
        write_log(tmp_path / "b.log", HEADERS["label, epoch, padded level"], lines=200)
        .read_text()
        .splitlines()
    )
    log = tmp_path / "mixed.log"
    log.write_text("\n".join(line for pair in zip(a, b, strict=True) for line in pair) + "\n")

    mined = cli("incident", "templates", str(log), "--format", "json")

    assert mined.code == 0, mined.stderr
    lines = result_of(mined.stdout, "incident", "templates")["lines"]
    assert len(lines) == 400 and all(entry["template_id"] for entry in lines)
    assert json.loads(mined.stdout)["result"]["templates"]
