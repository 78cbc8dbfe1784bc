"""The provenance log: append-only, safe under concurrent writers, tolerant of torn lines, rotated."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devcopilot.core.provenance import SCHEMA_VERSION, ProvenanceLog
from tests.conftest import git

WRITERS = 6
RECORDS_PER_WRITER = 150


def run_writers(target: Callable[[str, int], None], path: Path) -> None:
    """Start WRITERS fresh processes appending to ``path`` at once, and wait for all of them."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=target, args=(str(path), w)) for w in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0


def append_many(path: str, writer: int) -> None:
    log = ProvenanceLog(Path(path))
    for index in range(RECORDS_PER_WRITER):
        # Long enough lines that unlocked appends would interleave.
        log.append(log.new_record("model_call", writer=writer, index=index, padding="x" * 3000))


def test_many_processes_appending_at_once_lose_and_tear_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state" / "provenance.jsonl"
    run_writers(append_many, path)

    lines = path.read_bytes().splitlines()
    records = [json.loads(line) for line in lines]

    assert len(records) == WRITERS * RECORDS_PER_WRITER
    assert {(r["writer"], r["index"]) for r in records} == {
        (w, i) for w in range(WRITERS) for i in range(RECORDS_PER_WRITER)
    }
    assert len({r["record_id"] for r in records}) == len(records)


def append_rotating(path: str, writer: int) -> None:
    log = ProvenanceLog(Path(path), max_bytes=20_000, keep=100)
    for index in range(RECORDS_PER_WRITER):
        log.append(log.new_record("model_call", writer=writer, index=index, padding="z" * 500))


def test_processes_racing_through_rotations_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "provenance.jsonl"
    run_writers(append_rotating, path)

    log = ProvenanceLog(path, keep=100)
    records = list(log.read())
    files = list(tmp_path.glob("provenance.jsonl*"))

    assert len(files) > 10, "the run must have rotated many times"
    assert log.skipped_lines == 0
    assert sorted((r["writer"], r["index"]) for r in records) == [
        (w, i) for w in range(WRITERS) for i in range(RECORDS_PER_WRITER)
    ]
    assert all(p.stat().st_size <= 20_000 for p in files)


def test_a_torn_last_line_is_skipped_and_the_next_append_stays_whole(tmp_path: Path) -> None:
    log = ProvenanceLog(tmp_path / "provenance.jsonl")
    log.append(log.new_record("job_run", job="review"))
    with log.path.open("ab") as handle:
        handle.write(b'{"schema_version": 1, "kind": "model_call", "job": "rev')  # a writer killed mid-line

    log.append(log.new_record("job_run", job="docs"))
    records = list(log.read())

    assert [r["job"] for r in records] == ["review", "docs"]
    assert log.skipped_lines == 1


def test_records_carry_the_documented_fields(repo: Path) -> None:
    log = ProvenanceLog(repo / ".devcopilot" / "provenance.jsonl", repo_root=repo)

    record = log.new_record("job_run", job="review")

    assert record["schema_version"] == SCHEMA_VERSION
    assert len(record["record_id"]) == 32
    assert record["timestamp"].endswith("Z")
    assert record["repo.head"] == git(repo, "rev-parse", "HEAD")
    assert record["devcopilot.version"]


def test_the_state_folder_ignores_itself_in_git(repo: Path) -> None:
    log = ProvenanceLog(repo / ".devcopilot" / "provenance.jsonl", repo_root=repo)
    log.append(log.new_record("job_run", job="review"))

    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_the_log_rotates_at_its_size_limit_and_reads_across_files(tmp_path: Path) -> None:
    log = ProvenanceLog(tmp_path / "provenance.jsonl", max_bytes=2_000, keep=3)
    for index in range(40):
        log.append(log.new_record("model_call", index=index, padding="y" * 150))

    files = sorted(p.name for p in tmp_path.glob("provenance.jsonl*") if not p.name.endswith(".lock"))
    indexes = [r["index"] for r in log.read()]

    assert files == ["provenance.jsonl", "provenance.jsonl.1", "provenance.jsonl.2", "provenance.jsonl.3"]
    assert all(p.stat().st_size <= 2_000 for p in tmp_path.glob("provenance.jsonl*"))
    assert indexes == sorted(indexes), "oldest first across rotated files"
    assert indexes[-1] == 39
    assert len(indexes) < 40, "the oldest file beyond `keep` is dropped"


def test_records_from_a_newer_devcopilot_are_skipped_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "provenance.jsonl"
    path.write_text(
        json.dumps({"schema_version": SCHEMA_VERSION + 1, "kind": "model_call"}) + "\n[1, 2]\nnot json\n"
    )
    log = ProvenanceLog(path)

    assert list(log.read()) == []
    assert log.skipped_lines == 3


def test_content_fields_are_dropped_unless_opted_in_and_redacted_when_kept(tmp_path: Path) -> None:
    secret_message = [{"role": "user", "content": "use key AKIAIOSFODNN7EXAMPLE"}]
    quiet = ProvenanceLog(tmp_path / "a.jsonl")
    chatty = ProvenanceLog(tmp_path / "b.jsonl", log_content=True)
    for log in (quiet, chatty):
        log.append(log.new_record("model_call", **{"gen_ai.input.messages": secret_message}))

    [kept_out] = list(quiet.read())
    [kept_in] = list(chatty.read())

    assert kept_out["gen_ai.input.messages"] is None
    assert kept_in["gen_ai.input.messages"] == [
        {"role": "user", "content": "use key [REDACTED:aws-access-key]"}
    ]


def test_cli_log_shows_the_latest_records(repo: Path, cli: Any) -> None:
    log = ProvenanceLog(repo / ".devcopilot" / "provenance.jsonl", repo_root=repo)
    for index in range(5):
        log.append(
            log.new_record("model_call", job="review", index=index, **{"gen_ai.request.model": f"m{index}"})
        )

    as_json = cli("log", "--limit", "2", "--json")
    as_text = cli("log")

    assert [r["index"] for r in json.loads(as_json.stdout)] == [3, 4]
    assert as_json.stderr == ""
    assert all(f"m{i}" in as_text.stdout for i in range(5))


def test_cli_log_warns_on_stderr_about_torn_lines_and_keeps_stdout_clean(repo: Path, cli: Any) -> None:
    path = repo / ".devcopilot" / "provenance.jsonl"
    log = ProvenanceLog(path, repo_root=repo)
    log.append(log.new_record("job_run", job="review"))
    with path.open("ab") as handle:
        handle.write(b'{"torn')

    result = cli("log", "--json")

    assert len(json.loads(result.stdout)) == 1
    assert "1 unreadable line(s)" in result.stderr


def test_records_of_an_older_release_are_read_with_their_verification_as_verdicts(
    repo: Path, cli: Any
) -> None:
    """A log written by release 0.1 (counts on the job_run) still answers ``stats`` after an upgrade."""
    path = repo / ".devcopilot" / "provenance.jsonl"
    path.parent.mkdir(exist_ok=True)
    old_run = {
        "schema_version": 1,
        "record_id": "r1",
        "timestamp": "2026-11-30T10:00:00.000Z",
        "kind": "job_run",
        "job": "review",
        "duration_ms": 12.0,
        "verification.proposed": 4,
        "verification.accepted": 1,
        "verification.merged": 1,
        "verification.dropped": {"anchor-not-found": 1},
    }
    path.write_text(json.dumps(old_run) + "\n{torn")

    records = list(ProvenanceLog(path).read())
    stats = json.loads(cli("stats", "--json").stdout)

    run, verdicts = records
    assert run["schema_version"] == verdicts["schema_version"] == SCHEMA_VERSION
    assert not any(key.startswith("verification.") for key in run)
    outcomes = sorted(v["reason"] or v["outcome"] for v in verdicts["verdicts"])
    assert outcomes == ["accepted", "anchor-not-found", "merged", "unspecified"]
    review = next(g for g in stats["groups"] if g["group"] == "review")
    assert (review["proposed"], review["accepted"], review["merged"], review["acceptance_rate"]) == (
        4,
        1,
        1,
        0.5,
    )
    assert path.read_text().startswith(json.dumps(old_run)), "the log itself is never rewritten"
