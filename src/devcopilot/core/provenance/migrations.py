"""Bring records written by older devcopilot releases up to the current schema as they are read.

Each migration takes a record of one schema version and returns the records it
becomes at the next version (usually one; sometimes a record splits). The log
file itself is never rewritten: it is append-only, and other processes may be
writing to it. A record newer than this release is not migrated back; the
reader skips and counts it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Record = dict[str, Any]
Migration = Callable[[Record], list[Record]]

MIGRATIONS: dict[int, Migration] = {}
"""By the version a migration reads; it writes the version after it."""

_V1_COUNTS = ("verification.proposed", "verification.accepted", "verification.merged")


def migration(from_version: int) -> Callable[[Migration], Migration]:
    def register(function: Migration) -> Migration:
        MIGRATIONS[from_version] = function
        return function

    return register


def upgrade(record: Record, current: int) -> list[Record]:
    """``record`` as the records of schema ``current`` it stands for."""
    records = [record]
    version = int(record["schema_version"])
    while version < current:
        step = MIGRATIONS[version]
        records = [new for old in records for new in step(old)]
        version += 1
    return records


@migration(1)
def _verification_counts_become_verdicts(record: Record) -> list[Record]:
    """Version 1 kept verification as counts on the ``job_run``; version 2 keeps one verdict per claim.

    The counts become a ``verdicts`` record whose entries carry the outcomes and reasons; which
    model and prompt they judged was not recorded then, so those stay unknown.
    """
    upgraded = {key: value for key, value in record.items() if not key.startswith("verification.")}
    upgraded["schema_version"] = 2
    if record.get("kind") != "job_run" or not record.get("verification.proposed"):
        return [upgraded]
    accepted, merged = int(record.get(_V1_COUNTS[1]) or 0), int(record.get(_V1_COUNTS[2]) or 0)
    dropped = {str(k): int(v) for k, v in (record.get("verification.dropped") or {}).items()}
    unexplained = int(record[_V1_COUNTS[0]]) - accepted - merged - sum(dropped.values())
    if unexplained > 0:
        dropped["unspecified"] = dropped.get("unspecified", 0) + unexplained
    entries = [{"claim": "unknown", "fingerprint": None, "outcome": "accepted", "reason": None}] * accepted
    entries += [{"claim": "unknown", "fingerprint": None, "outcome": "merged", "reason": None}] * merged
    for reason, count in sorted(dropped.items()):
        entries += [{"claim": "unknown", "fingerprint": None, "outcome": "dropped", "reason": reason}] * count
    verdicts = {
        "schema_version": 2,
        "record_id": f"{record.get('record_id', '')}-verdicts",
        "timestamp": record.get("timestamp"),
        "kind": "verdicts",
        "job": record.get("job"),
        "run_id": record.get("run_id"),
        "gen_ai.request.model": None,
        "prompt.id": None,
        "prompt.version": None,
        "verdicts": entries,
        "migrated_from": 1,
    }
    return [upgraded, verdicts]
