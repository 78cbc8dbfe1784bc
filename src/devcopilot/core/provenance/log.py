"""The provenance log: one JSON line per model call attempt and per job run.

Several devcopilot processes may append at once (a pre-commit hook in each of
two worktrees, a CI matrix on one runner), so every append takes a
cross-process lock and writes its line with a single call; rotation happens
under the same lock (see ``appender``). A process killed mid-write can leave a torn last line: the
next append starts on a fresh line so its own record stays whole, and the
reader skips any line that does not parse.

Field names follow the OpenTelemetry GenAI semantic conventions where one
exists (``gen_ai.request.model``, ``gen_ai.usage.input_tokens``, ...); the rest
are devcopilot's own, documented in README. ``schema_version`` lets a later
release read older logs.
"""

from __future__ import annotations

import json
import logging
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from devcopilot import __version__
from devcopilot.core.paths import ensure_state_dir
from devcopilot.core.provenance.appender import Appender, open_appender, rotated_path
from devcopilot.core.provenance.migrations import upgrade
from devcopilot.core.redaction import redact

SCHEMA_VERSION = 2
"""2: verification as one ``verdicts`` record per (run, model, prompt version); ``run_id`` on ``job_run``."""
CONTENT_KEYS = ("gen_ai.input.messages", "gen_ai.output.messages")
LOCK_TIMEOUT_S = 10.0

log = logging.getLogger(__name__)

Record = dict[str, Any]


class ProvenanceLog:
    def __init__(
        self,
        path: Path,
        *,
        repo_root: Path | None = None,
        max_bytes: int = 20 * 1024 * 1024,
        keep: int = 5,
        log_content: bool = False,
    ) -> None:
        self.path = path
        self.repo_root = repo_root
        self.max_bytes = max_bytes
        self.keep = keep
        self.log_content = log_content
        self.skipped_lines = 0
        """Lines the last read could not use: torn, not JSON, or written by a newer devcopilot.

        Records of an older schema are read, migrated to this one (see ``migrations``)."""
        self._appender: Appender | None = None

    @cached_property
    def repo_head(self) -> str | None:
        """The repository's HEAD commit, asked of git once per process."""
        if self.repo_root is None:
            return None
        try:
            done = subprocess.run(
                ["git", "-C", str(self.repo_root), "rev-parse", "--verify", "--quiet", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() or None

    def new_record(self, kind: str, **fields: Any) -> Record:
        record: Record = {
            "schema_version": SCHEMA_VERSION,
            "record_id": uuid.uuid4().hex,
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "kind": kind,
            "repo.head": self.repo_head,
            "devcopilot.version": __version__,
        }
        record.update(fields)
        return record

    def append(self, record: Mapping[str, Any]) -> None:
        """Append one record; a lock that cannot be had in time costs the record, never the user's run."""
        line = self._serialize(record)
        if self._appender is None:
            ensure_state_dir(self.path.parent)
            self._appender = open_appender(
                self.path, max_bytes=self.max_bytes, keep=self.keep, timeout_s=LOCK_TIMEOUT_S
            )
        if not self._appender.append(line):
            log.warning(
                "provenance log %s is locked by another process; one record was not written", self.path
            )

    def read(self) -> Iterator[Record]:
        """Every readable record, oldest first, across rotated files."""
        self.skipped_lines = 0
        for path in self._files_oldest_first():
            try:
                handle = path.open("rb")
            except OSError:
                continue
            with handle:
                for raw in handle:
                    record = self._parse(raw)
                    if record is None:
                        self.skipped_lines += 1
                    else:
                        yield from upgrade(record, SCHEMA_VERSION)

    def latest(self, limit: int) -> list[Record]:
        records = list(self.read())
        return records[-limit:] if limit > 0 else []

    def _serialize(self, record: Mapping[str, Any]) -> bytes:
        data = dict(record)
        for key in CONTENT_KEYS:
            if key in data:
                data[key] = _redact_content(data[key]) if self.log_content else None
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
        return text.encode("utf-8", "backslashreplace") + b"\n"

    def _parse(self, raw: bytes) -> Record | None:
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        if not isinstance(record, dict) or not isinstance(record.get("schema_version"), int):
            return None
        if not 1 <= record["schema_version"] <= SCHEMA_VERSION:
            return None  # written by a newer devcopilot (or not by devcopilot at all)
        return record

    def _files_oldest_first(self) -> list[Path]:
        rotated = [rotated_path(self.path, i) for i in range(self.keep, 0, -1)]
        return [p for p in (*rotated, self.path) if p.exists()]


def _redact_content(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value).text
    if isinstance(value, list):
        return [_redact_content(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_content(v) for k, v in value.items()}
    return value
