"""On-disk response cache: a rerun of an unchanged request costs nothing.

The key covers everything that can change an answer (model, endpoint, the
redacted messages, sampling and format parameters) and nothing that cannot
(timeouts, keys, retry settings). Entries are written atomically, so a crash
mid-write leaves either the old state or the new entry, and an unreadable
entry is a miss rather than an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from devcopilot.core.paths import ensure_state_dir

CACHE_FORMAT = 1
# Request settings that never change what a model says.
_NOT_IN_KEY = frozenset(
    {"timeout", "stream", "stream_options", "api_key", "num_retries", "max_retries", "drop_params"}
)


@dataclass(frozen=True)
class CachedAnswer:
    text: str
    response_model: str | None
    input_tokens: int | None
    output_tokens: int | None


class ResponseCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

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

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedAnswer | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            if data.pop("format", None) != CACHE_FORMAT:
                return None
            return CachedAnswer(**data)
        except (OSError, ValueError, TypeError):
            return None

    def put(self, key: str, answer: CachedAnswer) -> None:
        path = self._path(key)
        ensure_state_dir(self.directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"format": CACHE_FORMAT, **asdict(answer)}, ensure_ascii=False)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(payload)
            Path(temp).replace(path)
        except OSError:
            Path(temp).unlink(missing_ok=True)
