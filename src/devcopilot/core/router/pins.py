"""Pinned models per job, with the history of every change: the fast way back when a model misbehaves.

A pin beats every route strategy for its job until it is removed. Each change
(pin, unpin, rollback) is appended to ``model-pins.json`` in the repository's
``.devcopilot/`` folder with when, who (git's ``user.name`` and
``user.email``), why, and the figures at that moment; a team can commit the
file to share its pins. ``rollback`` undoes the latest pin or unpin still in
effect, so rolling back twice goes back two changes.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devcopilot.core.errors import InputError

PINS_FILE = "model-pins.json"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class PinFile:
    path: Path

    def changes(self) -> list[dict[str, Any]]:
        """Every recorded change, oldest first; a file that is not a pin history is an error naming it."""
        if not self.path.exists():
            return []
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            changes = document["changes"]
            if document.get("schema_version") != SCHEMA_VERSION or not isinstance(changes, list):
                raise ValueError("unknown schema_version or changes is not a list")
            for change in changes:
                if not isinstance(change, dict) or not isinstance(change.get("job"), str):
                    raise ValueError("a change without a job")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise InputError(
                f"{self.path}: not a readable model pin history ({error})",
                hint="fix or remove the file; git can restore it if it was committed",
            ) from None
        return changes

    def current(self, job: str) -> str | None:
        """The model pinned for ``job`` now, or ``None``."""
        states = _states(self.changes(), job)
        return states[-1] if states else None

    def history(self, job: str | None = None) -> list[dict[str, Any]]:
        return [c for c in self.changes() if job is None or c["job"] == job]

    def pin(self, job: str, model: str, *, reason: str, figures: dict[str, Any]) -> dict[str, Any]:
        return self._append(
            {"job": job, "action": "pin", "model": model, "reason": reason, "figures": figures}
        )

    def unpin(self, job: str, *, reason: str) -> dict[str, Any]:
        if self.current(job) is None:
            raise InputError(f"no model is pinned for {job}")
        return self._append({"job": job, "action": "unpin", "reason": reason})

    def rollback(self, job: str, *, reason: str) -> dict[str, Any]:
        if not _states(self.changes(), job):
            raise InputError(f"nothing to roll back for {job}: no pin or unpin is in effect")
        return self._append({"job": job, "action": "rollback", "reason": reason})

    def _append(self, change: dict[str, Any]) -> dict[str, Any]:
        changes = self.changes()
        change = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "by": _who(self.path), **change}
        changes.append(change)
        states = _states(changes, change["job"])
        change["model"] = states[-1] if states else None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"schema_version": SCHEMA_VERSION, "changes": changes}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        temporary.replace(self.path)
        return change


def _states(changes: list[dict[str, Any]], job: str) -> list[str | None]:
    """The pin states of ``job`` still in effect, oldest first: a pin pushes, an unpin pushes ``None``,
    a rollback pops; the last one is the current state (none at all: unpinned)."""
    states: list[str | None] = []
    for change in changes:
        if change["job"] != job:
            continue
        action = change.get("action")
        if action == "pin":
            states.append(str(change.get("model")))
        elif action == "unpin":
            states.append(None)
        elif action == "rollback" and states:
            states.pop()
    return states


def _who(path: Path) -> str:
    """git's ``user.name <user.email>`` where the file lives, or ``unknown``."""
    parts = []
    for key in ("user.name", "user.email"):
        try:
            done = subprocess.run(
                ["git", "-C", str(path.parent.parent), "config", key],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return "unknown"
        parts.append(done.stdout.strip())
    name, email = parts
    return f"{name} <{email}>" if name and email else name or email or "unknown"
