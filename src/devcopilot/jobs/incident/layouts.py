"""Find a text log's header layout from its own lines, and split each line into header and message.

A catalogue of the header layouts real software writes (ISO-8601 with a
level, syslog, Apache error and access logs, nginx, log4j/logback, Python
logging, klog, and the Hadoop family), each a regex with named groups. A
sample of the input picks the layout that matches most lines, ties going to
the one that claims more of each line. Nothing is tuned per file: a log in
none of these layouts is read one event per line with no header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = (
    r"(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|CRIT|ALERT|EMERG|"
    r"trace|debug|info|notice|warn|warning|error|err|severe|fatal|critical|crit|alert|emerg|"
    r"Trace|Debug|Info|Notice|Warn|Warning|Error|Severe|Fatal|Critical)"
)
_ISO = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?"
_SYSLOG = r"[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}"
_COMPONENT = r"[\w$.\-/]+(?:\([\w:\-]+\))?(?:\[\d+\])?"
_THREAD = r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]"


@dataclass(frozen=True)
class Layout:
    name: str
    pattern: re.Pattern[str]
    timestamp_formats: tuple[str, ...]
    """``strptime`` formats for the ``ts`` group, tried in order; empty when the layout has none."""
    grok: str | None = None
    """The pattern it was written as (``%{TIMESTAMP:ts} ...``), when it was not a hand-written regex."""


def _layout(name: str, regex: str, *formats: str) -> Layout:
    return Layout(name, re.compile(regex), formats)


LAYOUTS: tuple[Layout, ...] = (
    # 2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - msg
    _layout(
        "iso-dash-level-thread",
        rf"^(?P<ts>{_ISO}) - (?P<level>{LEVELS})\s+(?P<component>{_THREAD}) - (?P<msg>.*)$",
        "iso",
    ),
    # 2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: msg   (log4j with a thread)
    _layout(
        "iso-level-thread-logger",
        rf"^(?P<ts>{_ISO})\s+(?P<level>{LEVELS})\s+{_THREAD}\s+(?P<component>{_COMPONENT}):\s(?P<msg>.*)$",
        "iso",
    ),
    # 2024-01-01 12:00:00,123 [main] ERROR com.example.Foo - msg   (logback's default)
    _layout(
        "iso-thread-level-logger",
        rf"^(?P<ts>{_ISO})\s+{_THREAD}\s+(?P<level>{LEVELS})\s+(?P<component>{_COMPONENT})\s+-\s(?P<msg>.*)$",
        "iso",
    ),
    # 2024-01-01 12:00:00,123 - app.db - ERROR - msg   (Python logging, a common format)
    _layout(
        "iso-logger-level",
        rf"^(?P<ts>{_ISO})\s+-\s+(?P<component>{_COMPONENT})\s+-\s+(?P<level>{LEVELS})\s+-\s(?P<msg>.*)$",
        "iso",
    ),
    # 2024-01-01T12:00:00Z ERROR app.db: msg   /  2024-01-01 12:00:00 [ERROR] msg
    _layout(
        "iso-level-logger",
        rf"^(?P<ts>{_ISO})\s+\[?(?P<level>{LEVELS})\]?:?\s+(?:(?P<component>{_COMPONENT}):\s)?(?P<msg>.*)$",
        "iso",
    ),
    _layout("iso", rf"^\[?(?P<ts>{_ISO})\]?\s+(?P<msg>.*)$", "iso"),
    # Dec 10 06:55:46 LabSZ sshd[24200]: msg
    _layout(
        "syslog",
        rf"^(?P<ts>{_SYSLOG})\s+(?P<host>\S+)\s+(?P<component>{_COMPONENT}(?: \d[\w.]*)?):\s?(?P<msg>.*)$",
        "%b %d %H:%M:%S",
    ),
    # [Sun Dec 04 04:47:44 2005] [notice] msg
    _layout(
        "apache-error",
        r"^\[(?P<ts>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\]"
        r"(?: \[(?:(?P<component>[\w\-]+):)?(?P<level>\w+)\])?(?: \[pid \d+(?::tid \d+)?\])?"
        r" (?P<msg>.*)$",
        "%a %b %d %H:%M:%S %Y",
        "%a %b %d %H:%M:%S.%f %Y",
    ),
    # 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326
    _layout(
        "access-log",
        r"^(?P<host>\S+) \S+ \S+ \[(?P<ts>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] (?P<msg>.*)$",
        "%d/%b/%Y:%H:%M:%S %z",
    ),
    # 2024/01/01 12:00:00 [error] 123#0: *1 msg   (nginx error log)
    _layout(
        "nginx-error",
        r"^(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?P<level>\w+)\] (?P<pid>\d+)#\d+: (?:\*\d+ )?(?P<msg>.*)$",
        "%Y/%m/%d %H:%M:%S",
    ),
    # 081109 203615 148 INFO dfs.DataNode$PacketResponder: msg   (HDFS)
    _layout(
        "yymmdd-pid-level",
        rf"^(?P<ts>\d{{6}} \d{{6}}) (?P<pid>\d+) (?P<level>{LEVELS}) (?P<component>{_COMPONENT}):\s(?P<msg>.*)$",
        "%y%m%d %H%M%S",
    ),
    # 17/06/09 20:10:40 INFO executor.Backend: msg   (Spark)
    _layout(
        "yy/mm/dd-level",
        rf"^(?P<ts>\d{{2}}/\d{{2}}/\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}) (?P<level>{LEVELS}) (?P<component>{_COMPONENT}):\s(?P<msg>.*)$",
        "%y/%m/%d %H:%M:%S",
    ),
    # E0102 15:04:05.123456   12345 controller.go:123] msg   (klog)
    _layout(
        "klog",
        r"^(?P<level>[IWEF])(?P<ts>\d{4} \d{2}:\d{2}:\d{2}\.\d{6})\s+(?P<pid>\d+) (?P<component>[\w.\-/]+:\d+)\] (?P<msg>.*)$",
        "%m%d %H:%M:%S.%f",
    ),
    # ERROR:app.db:msg   (Python logging's default format, no timestamp)
    _layout(
        "python-default",
        r"^(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL):(?P<component>[\w.]+):(?P<msg>.*)$",
    ),
)
SAMPLE_LINES = 400
MIN_MATCH_SHARE = 0.3
"""Below this share of matching sample lines, the log is read without a header."""


def detect_layout(sample: list[str]) -> Layout | None:
    """The layout matching most sample lines (ties: the one that claims more of each line)."""
    lines = [line for line in sample[:SAMPLE_LINES] if line.strip()]
    if not lines:
        return None
    best: tuple[int, int, int] | None = None
    chosen: Layout | None = None
    for rank, layout in enumerate(LAYOUTS):
        matched = 0
        claimed = 0
        for line in lines:
            match = layout.pattern.match(line)
            if match:
                matched += 1
                claimed += match.start("msg")
        score = (matched, claimed, -rank)
        if matched and (best is None or score > best):
            best, chosen = score, layout
    if best is None or best[0] < MIN_MATCH_SHARE * len(lines):
        return None
    return chosen


def header_fields(layout: Layout, sample: list[str]) -> int | None:
    """How many whitespace-separated fields the header has, when that is the same on every sample line.

    Then a line's message is ``line.split(None, n)[n]``, five times cheaper
    than the regex; the caller still checks blocks against the regex.
    """
    counts: set[int] = set()
    for line in sample[:SAMPLE_LINES]:
        match = layout.pattern.match(line)
        if match is None:
            continue
        fields = len(line[: match.start("msg")].split())
        parts = line.split(None, fields)
        if fields == 0 or len(parts) <= fields or parts[fields].strip() != match["msg"].strip():
            return None
        counts.add(fields)
    return counts.pop() if len(counts) == 1 else None
