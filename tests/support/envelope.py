"""Read a job command's JSON output as a consumer would: check the envelope and the result's schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from devcopilot import __version__
from devcopilot.core.envelope import ENVELOPE_SCHEMA_VERSION
from devcopilot.jobs.registry import JOBS


def result_of(stdout: str, job: str, command: str) -> Any:
    """The ``result`` of the envelope on ``stdout``, after checking both against their schemas."""
    document = json.loads(stdout)
    assert document["schema_version"] == ENVELOPE_SCHEMA_VERSION
    assert (document["job"], document["command"]) == (job, command)
    assert document["devcopilot_version"] == __version__
    assert document["run_id"] is None or len(document["run_id"]) == 32
    schema = JOBS[job].result_model(command).model_json_schema(mode="serialization")
    jsonschema.validate(document["result"], schema)
    return document["result"]
