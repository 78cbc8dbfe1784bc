"""The versioned envelope every job's JSON output comes in.

``schema_version`` changes only when a field of the envelope or of a result
changes meaning or goes away; new fields do not bump it. Each result's JSON
Schema is the pydantic model's, so a consumer can validate what it reads.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from devcopilot import __version__

ENVELOPE_SCHEMA_VERSION = 1


def envelope(*, job: str, command: str, run_id: str | None, result: Any) -> dict[str, Any]:
    body = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    return {
        "schema_version": ENVELOPE_SCHEMA_VERSION,
        "job": job,
        "command": command,
        "devcopilot_version": __version__,
        "run_id": run_id,
        "result": body,
    }
