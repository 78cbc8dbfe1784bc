"""The provenance log: one JSON line per model call attempt and per job run.

Several devcopilot processes may append at once (a pre-commit hook in each of
two worktrees, a CI matrix on one runner), so every append takes a
cross-process lock and writes its line with a single call; rotation happens
under the same lock. A process killed mid-write can leave a torn last line: the
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
import os
import subprocess
import uuid
import weakref
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from devcopilot import __version__
from devcopilot.core.paths import ensure_state_dir
from devcopilot.core.redaction import redact

SCHEMA_VERSION = 1
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
        """Lines the last read could not use: torn, not JSON, or written by a newer devcopilot."""
        self._folder_ready = False
        self._lock = FileLock(str(path) + ".lock")
        self._fd: int | None = None
        self._fd_identity: tuple[int, int] | None = None
        self._closer = weakref.finalize(self, _close_fd, [None])

    def _append_fd(self) -> tuple[int, int]:
        """An append descriptor kept open across records (opening files is the slow part of a write).

        Called under the lock: when another process has rotated the file since
        our last write, the path names a new file and the descriptor is reopened.
        """
        try:
            status = self.path.stat()
            identity: tuple[int, int] | None = (status.st_dev, status.st_ino)
        except FileNotFoundError:
            identity = None
        if self._fd is None or identity is None or identity != self._fd_identity:
            if self._fd is not None:
                os.close(self._fd)
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            status = os.fstat(self._fd)
            self._fd_identity = (status.st_dev, status.st_ino)
            self._closer.detach()
            self._closer = weakref.finalize(self, _close_fd, [self._fd])
        return self._fd, os.fstat(self._fd).st_size

    def close(self) -> None:
        self._closer()
        self._fd = None
        self._fd_identity = None

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
        if not self._folder_ready:
            ensure_state_dir(self.path.parent)
            self._folder_ready = True
        try:
            with self._lock.acquire(timeout=LOCK_TIMEOUT_S):
                self._rotate_if_needed(len(line))
                fd, size = self._append_fd()
                if size > 0 and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # a killed writer left a torn line: end it so ours stays whole
                _write_all(fd, line)
        except Timeout:
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
                        yield record

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
        if record["schema_version"] > SCHEMA_VERSION:
            return None
        return record

    def _rotated(self, index: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{index}")

    def _files_oldest_first(self) -> list[Path]:
        rotated = [self._rotated(i) for i in range(self.keep, 0, -1)]
        return [p for p in (*rotated, self.path) if p.exists()]

    def _rotate_if_needed(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.max_bytes:
            return
        self._rotated(self.keep).unlink(missing_ok=True)
        for index in range(self.keep - 1, 0, -1):
            older = self._rotated(index)
            if older.exists():
                older.replace(self._rotated(index + 1))
        self.path.replace(self._rotated(1))


def _close_fd(holder: list[int | None]) -> None:
    if holder and holder[0] is not None:
        os.close(holder[0])
        holder[0] = None


def _write_all(fd: int, data: bytes) -> None:
    """One ``write`` call for a whole line in practice; loops only if the kernel takes part of it."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _redact_content(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value).text
    if isinstance(value, list):
        return [_redact_content(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_content(v) for k, v in value.items()}
    return value
