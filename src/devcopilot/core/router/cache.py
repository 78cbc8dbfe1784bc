"""On-disk response cache: a rerun of an unchanged request costs nothing.

The key covers everything that can change an answer (model, endpoint, the
redacted messages, sampling and format parameters) and nothing that cannot
(timeouts, keys, retry settings).

The store is one SQLite file (stdlib ``sqlite3``) in WAL mode: several
devcopilot processes can read and write it at once, and an insert costs tens
of microseconds where creating one file per answer cost a good part of a
millisecond. Any failure of the store (locked too long, corrupt, read-only
disk) makes the cache a miss, never an error: it only ever saves money.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from devcopilot.core.paths import ensure_state_dir

CACHE_FORMAT = 1
DATABASE_NAME = "responses.sqlite3"
# Request settings that never change what a model says.
_NOT_IN_KEY = frozenset(
    {"timeout", "stream", "stream_options", "api_key", "num_retries", "max_retries", "drop_params"}
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedAnswer:
    text: str
    response_model: str | None
    input_tokens: int | None
    output_tokens: int | None


class ResponseCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._connection: sqlite3.Connection | None = None
        self._broken = False
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.directory / DATABASE_NAME

    @staticmethod
    def key(model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]) -> str:
        relevant = {k: v for k, v in params.items() if k not in _NOT_IN_KEY}
        canonical = json.dumps(
            {"v": CACHE_FORMAT, "model": model, "messages": list(messages), "params": relevant},
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    def get(self, key: str) -> CachedAnswer | None:
        row = self._run(
            "SELECT body FROM answers WHERE key = ? AND format = ?", (key, CACHE_FORMAT), fetch=True
        )
        if not row:
            return None
        try:
            return CachedAnswer(**json.loads(row[0]))
        except (ValueError, TypeError):
            return None

    def put(self, key: str, answer: CachedAnswer) -> None:
        body = json.dumps(asdict(answer), ensure_ascii=False)
        self._run(
            "INSERT OR REPLACE INTO answers (key, format, body, created) VALUES (?, ?, ?, ?)",
            (key, CACHE_FORMAT, body, time.time()),
        )

    def _run(self, sql: str, args: tuple[Any, ...], *, fetch: bool = False) -> tuple[Any, ...] | None:
        with self._lock:
            if self._broken:
                return None
            try:
                connection = self._connect()
                cursor = connection.execute(sql, args)
                return cursor.fetchone() if fetch else None
            except (sqlite3.Error, OSError) as error:
                self._broken = True
                log.warning("response cache %s is unusable (%s); continuing without it", self.path, error)
                return None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            ensure_state_dir(self.directory)
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS answers "
                "(key TEXT PRIMARY KEY, format INTEGER NOT NULL, body TEXT NOT NULL, created REAL NOT NULL)"
            )
            self._connection = connection
        return self._connection
