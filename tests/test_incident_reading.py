"""Reading logs without being told their format: headers, structured lines, traces, bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from devcopilot.jobs.incident.events import Event, FormatInfo, read_events
from devcopilot.jobs.incident.miner import mask
from devcopilot.jobs.incident.reader import MAX_LINE_BYTES, open_source


def events_of(path: Path) -> tuple[FormatInfo, list[Event]]:
    source = open_source(str(path))
    try:
        info, events = read_events(source.name, source.lines(), default_year=2024)
        return info, list(events)
    finally:
        source.close()


SAMPLES = {
    "iso-level-thread-logger": (
        "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.MRAppMaster: Created MRAppMaster for app 7\n"
        "2015-10-18 18:01:48,963 ERROR [main] org.apache.hadoop.MRAppMaster: Lost container 9\n",
        "Lost container 9",
        "error",
    ),
    "syslog": (
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n"
        "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster\n",
        "Failed password for invalid user webmaster",
        None,
    ),
    "apache-error": (
        "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties\n"
        "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6\n",
        "mod_jk child workerEnv in error state 6",
        "error",
    ),
    "access-log": (
        '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326\n'
        '127.0.0.1 - frank [10/Oct/2000:13:55:37 -0700] "GET /b HTTP/1.0" 500 12\n',
        '"GET /b HTTP/1.0" 500 12',
        None,
    ),
    "klog": (
        "I0102 15:04:05.123456   12345 controller.go:123] Syncing pod default/web-1\n"
        "E0102 15:04:06.123456   12345 controller.go:130] Failed to sync pod default/web-1\n",
        "Failed to sync pod default/web-1",
        "error",
    ),
    "yymmdd-pid-level": (
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38 terminating\n"
        "081109 203807 222 WARN dfs.DataNode$PacketResponder: Slow block blk_12\n",
        "Slow block blk_12",
        "warning",
    ),
    "iso-dash-level-thread": (
        "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200\n"
        "2015-07-29 19:04:29,071 - WARN  [SendWorker:188978561024:QuorumCnxManager$SendWorker@688] - Send worker leaving thread\n",
        "Send worker leaving thread",
        "warning",
    ),
    "iso-logger-level": (
        "2024-05-01 10:00:00,001 - app.db - INFO - connected\n2024-05-01 10:00:01,001 - app.db - ERROR - pool exhausted\n",
        "pool exhausted",
        "error",
    ),
}


@pytest.mark.parametrize("layout", sorted(SAMPLES))
def test_text_headers_are_found_and_split_from_the_message(tmp_path: Path, layout: str) -> None:
    text, message, level = SAMPLES[layout]
    path = tmp_path / "app.log"
    path.write_text(text, encoding="utf-8")
    info, events = events_of(path)
    assert info.layout == layout
    assert [e.line for e in events] == [1, 2]
    assert events[1].message == message
    assert events[1].level == level
    assert events[1].timestamp is not None and events[0].timestamp is not None
    assert events[1].timestamp >= events[0].timestamp


def test_a_timestamp_without_year_or_zone_is_read_and_said_so(tmp_path: Path) -> None:
    path = tmp_path / "auth.log"
    path.write_text(SAMPLES["syslog"][0], encoding="utf-8")
    info, events = events_of(path)
    assert info.assumed_year == 2024 and info.zone_assumed
    assert events[0].timestamp is not None and events[0].timestamp.year == 2024


def test_json_lines_logfmt_and_their_traces(tmp_path: Path) -> None:
    lines = [
        {"@timestamp": "2024-05-01T10:00:00Z", "level": "info", "message": "started", "logger": "api"},
        {
            "ts": 1714557601.5,
            "severity": "ERROR",
            "msg": "boom",
            "stack_trace": 'Traceback...\n  File "a.py", line 1',
        },
        {"time": "2024-05-01T10:00:02.123456789+02:00", "level": 50, "msg": "pino error"},
    ]
    path = tmp_path / "app.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json at all\n", encoding="utf-8")
    info, events = events_of(path)
    assert info.kind == "json"
    assert [e.message for e in events] == ["started", "boom", "pino error", "not json at all"]
    assert [e.level for e in events[:3]] == ["info", "error", "error"]
    assert events[1].trace[1].strip().startswith('File "a.py"')
    assert events[3].timestamp == events[2].timestamp  # a line without time inherits the previous one
    logfmt = tmp_path / "app.logfmt"
    logfmt.write_text(
        'time=2024-05-01T10:00:00Z level=warn msg="disk almost full" disk=/dev/sda1\n'
        'time=2024-05-01T10:00:05Z level=error msg="write failed" err="no space left"\n',
        encoding="utf-8",
    )
    info, events = events_of(logfmt)
    assert info.kind == "logfmt"
    assert [(e.level, e.message) for e in events] == [
        ("warning", "disk almost full"),
        ("error", "write failed"),
    ]


def test_kubernetes_events_become_events_of_their_object(tmp_path: Path) -> None:
    document: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "shop"},
                "metadata": {"name": "web-1.17a"},
                "reason": "BackOff",
                "message": "Back-off restarting failed container",
                "type": "Warning",
                "lastTimestamp": "2024-05-01T10:00:00Z",
                "count": 7,
            },
            {
                "involvedObject": {"kind": "Pod", "name": "web-2", "namespace": "shop"},
                "metadata": {"name": "web-2.17b"},
                "reason": "Pulled",
                "message": "Container image pulled",
                "type": "Normal",
                "lastTimestamp": "2024-05-01T09:59:00Z",
            },
        ],
    }
    path = tmp_path / "events.json"
    text = json.dumps(document, indent=4)
    path.write_text(text, encoding="utf-8")
    info, events = events_of(path)
    assert info.kind == "k8s-events"
    assert events[0].message == "BackOff: Back-off restarting failed container"
    assert events[0].level == "warning" and events[0].component == "shop/Pod/web-1"
    assert '"web-1.17a"' in text.splitlines()[events[0].line - 1]  # the cited line is the event's own


@pytest.mark.parametrize(
    "trace",
    [
        "Traceback (most recent call last):\n  File \"/srv/app/db.py\", line 3, in get\n    x()\nKeyError: 'id'\n",
        "java.lang.IllegalStateException: closed\n\tat com.shop.Pool.get(Pool.java:42)\n\t... 3 more\n",
        "panic: runtime error: index out of range\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d\n",
    ],
)
def test_multi_line_traces_stay_with_their_event(tmp_path: Path, trace: str) -> None:
    path = tmp_path / "app.log"
    path.write_text(
        "2024-05-01 10:00:00,001 INFO app: before\n"
        f"2024-05-01 10:00:01,001 ERROR app: request failed\n{trace}"
        "2024-05-01 10:00:02,001 INFO app: after\n",
        encoding="utf-8",
    )
    _, events = events_of(path)
    assert [e.message for e in events] == ["before", "request failed", "after"]
    assert [e.line for e in events] == [1, 2, 3 + len(trace.splitlines())]
    assert len(events[1].trace) >= 2


def test_unknown_formats_mixed_encodings_and_huge_lines_degrade_gracefully(tmp_path: Path) -> None:
    path = tmp_path / "odd.log"
    path.write_bytes(
        b"hello there\n"
        + "caf\u00e9 utf8\n".encode()
        + b"caf\xe9 latin1\n"
        + b"x" * (MAX_LINE_BYTES * 3)
        + b"\nend\n"
    )
    source = open_source(str(path))
    info, events = read_events(source.name, source.lines(), default_year=2024)
    messages = [e.message for e in events]
    assert info.kind == "lines"
    assert messages[:3] == ["hello there", "café utf8", "café latin1"]
    assert len(messages[3]) == MAX_LINE_BYTES and messages[4] == "end"
    assert source.stats.cut_lines == 1 and source.stats.latin1_lines == 1


def test_gzip_is_read_and_binary_is_refused(tmp_path: Path) -> None:
    packed = tmp_path / "app.log.gz"
    packed.write_bytes(gzip.compress(SAMPLES["klog"][0].encode()))
    _, events = events_of(packed)
    assert events[1].message == "Failed to sync pod default/web-1"
    binary = tmp_path / "core.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    from devcopilot.core.errors import InputError

    with pytest.raises(InputError, match="binary"):
        open_source(str(binary))


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("Connection from 10.0.0.1:8080 closed after 35ms", "Connection from <*>:<*> closed after <*>"),
        (
            "uploaded /var/data/file-1.txt (12 KB) for 5f0c9a3e-1b2c-4d5e-8f90-123456789abc",
            "uploaded <*> (<*>) for <*>",
        ),
        (
            "Accepted password for root from 1.2.3.4 port 22 ssh2",
            "Accepted password for root from <*> port <*> ssh2",
        ),
        ("retry='3' ok=true host=db.example.com", "retry='<*>' ok=<*> host=<*>"),
    ],
)
def test_masking_replaces_what_is_plainly_a_variable(message: str, key: str) -> None:
    assert mask(message) == key


def test_mining_a_large_file_in_parallel_finds_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from devcopilot.jobs.incident import reader
    from devcopilot.jobs.incident.mining import _parallel_shares, mine_sources, template_stats

    monkeypatch.setattr(reader, "BLOCK_BYTES", 256 * 1024)  # several blocks, so that workers get a share

    path = tmp_path / "big.log"
    lines = []
    for n in range(40_000):
        user = ("ann", "bob", "cyd", "dan", "eve")[n % 5]
        lines.append(
            f"2024-05-01T10:{n // 3600 % 60:02d}:{n // 60 % 60:02d}.{n % 1000:03d}Z INFO app.w{n % 3}: "
            + (f"user {user} logged in from 10.0.{n % 256}.{n % 7}" if n % 3 else f"job {n} took {n % 90}ms")
        )
    lines[25_000] = "2024-05-01T10:07:00.000Z ERROR app.w1: disk /var/data is full"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def summary(parallel_min_bytes: int) -> list[tuple[str, int, list[int], str]]:
        source = open_source(str(path))
        result = mine_sources(
            [source], default_year=2024, per_line=False, parallel_min_bytes=parallel_min_bytes
        )
        source.close()
        assert result.lines == len(lines) and result.events == len(lines)
        rows = []
        for template in result.templates:
            stats = template_stats(template)
            rows.append(
                (
                    template.text,
                    template.count,
                    [sample[1] for sample in stats.samples],
                    str(stats.last_ts),
                )
            )
        return rows

    probe = open_source(str(path))
    next(probe.blocks())
    assert len(_parallel_shares(probe, 0) or []) == 2  # this machine's two cores each get a range
    probe.close()
    sequential, parallel = summary(10**12), summary(0)
    assert parallel == sequential
    assert ("disk <*> is full", 1, [25_001], "2024-05-01 10:07:00+00:00") in parallel
