"""The one sandbox a ``docs check`` run uses: the project's CLI described and its docs' code run, together.

Both requests start at once in their own interpreters (``Sandbox.run_many``),
so the run costs one copy of the repository and the longer of the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devcopilot.core.sandbox import RunResult, Sandbox
from devcopilot.jobs.docs.blocks import BLOCK_TIMEOUT_S
from devcopilot.jobs.docs.cli_spec import Command
from devcopilot.jobs.docs.model import Block

DRIVER = "devcopilot.jobs.docs.driver"
CLI_TIMEOUT_S = 30.0
MAX_RUN_S = 300.0


@dataclass
class SandboxOutcome:
    commands: dict[str, Command]
    cli_errors: dict[str, str]
    """Entry point to why it could not be described (an import that fails, a timeout)."""
    blocks: list[dict[str, Any]]
    blocks_problem: str | None = None


def run(
    root: Path, source_root: Path, entries: dict[str, str], documents: list[tuple[str, list[Block]]]
) -> SandboxOutcome:
    requests: list[dict[str, Any]] = []
    timeouts: list[float] = []
    if entries:
        requests.append({"action": "cli", "targets": [{"name": n, "entry": e} for n, e in entries.items()]})
        timeouts.append(CLI_TIMEOUT_S)
    total = sum(len(blocks) for _, blocks in documents)
    if total:
        payload = [
            {
                "path": path,
                "blocks": [{"line": b.line, "language": b.language, "text": b.text} for b in blocks],
            }
            for path, blocks in documents
        ]
        requests.append({"action": "blocks", "documents": payload, "timeout": BLOCK_TIMEOUT_S})
        timeouts.append(min(MAX_RUN_S, 10 + total * BLOCK_TIMEOUT_S))
    if not requests:
        return SandboxOutcome({}, {}, [])
    with Sandbox(root, DRIVER) as sandbox:
        inside = sandbox.inside(source_root)
        results = sandbox.run_many(requests, timeout=max(timeouts), python_path=[inside, sandbox.copy])
    outcome = SandboxOutcome({}, {}, [])
    for request, result in zip(requests, results, strict=True):
        if request["action"] == "cli":
            _read_cli(outcome, entries, result)
        else:
            outcome.blocks = result.records
            if result.timed_out or (result.returncode and not result.records):
                outcome.blocks_problem = _why(result)
    return outcome


def _read_cli(outcome: SandboxOutcome, entries: dict[str, str], result: RunResult) -> None:
    described = {record["name"]: record for record in result.records}
    for name in entries:
        record = described.get(name)
        if record is None:
            outcome.cli_errors[name] = _why(result)
        elif record.get("spec"):
            outcome.commands[name] = Command.from_json(record["spec"])
        else:
            outcome.cli_errors[name] = record.get("error") or "not a click, Typer or argparse program"


def _why(result: RunResult) -> str:
    if result.timed_out:
        return "did not finish in time"
    last = result.stderr.strip().splitlines()[-1:] or [f"exited with {result.returncode}"]
    return last[0][:300]
