"""Incident memory: what each explained incident looked like, and how it was resolved.

One JSON file per incident under the workspace's ``.devcopilot/incidents/``.
The fingerprint is the set of anomalous templates; a new incident lists past
ones whose fingerprints overlap most (Jaccard), with their resolution notes.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devcopilot.core.errors import InputError
from devcopilot.core.paths import ensure_state_dir

MIN_SIMILARITY = 0.3
MAX_SIMILAR = 3


def store_dir(state_dir: Path) -> Path:
    return state_dir / "incidents"


def similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def load_all(state_dir: Path) -> list[dict[str, Any]]:
    folder = store_dir(state_dir)
    if not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a damaged record costs that record, not the command
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            records.append(record)
    return records


def similar(state_dir: Path, incident_id: str, fingerprint: set[str]) -> list[tuple[dict[str, Any], float]]:
    scored = [
        (record, similarity(fingerprint, set(record.get("fingerprint", []))))
        for record in load_all(state_dir)
        if record["id"] != incident_id
    ]
    scored = [(record, score) for record, score in scored if score >= MIN_SIMILARITY]
    return sorted(scored, key=lambda item: -item[1])[:MAX_SIMILAR]


def save(state_dir: Path, record: dict[str, Any]) -> Path:
    """Write atomically; an existing record keeps its resolution (re-explaining must not lose a note)."""
    folder = ensure_state_dir(state_dir)
    folder = store_dir(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['id']}.json"
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            record = {
                **record,
                "resolution": old.get("resolution"),
                "resolved_at": old.get("resolved_at"),
                "created": old.get("created", record.get("created")),
            }
        except (OSError, ValueError):
            pass
    _write(path, record)
    return path


def resolve(state_dir: Path, incident_id: str, note: str) -> dict[str, Any]:
    path = store_dir(state_dir) / f"{incident_id}.json"
    if not incident_id.replace("-", "").isalnum() or not path.is_file():
        raise InputError(f"no incident {incident_id!r}", hint="devcopilot incident list shows the known ones")
    if not note.strip():
        raise InputError("--note must say how the incident was resolved")
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    record["resolution"] = note.strip()
    record["resolved_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    _write(path, record)
    return record


def _write(path: Path, record: dict[str, Any]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(record, file, indent=2, ensure_ascii=False)
    Path(temporary).replace(path)
