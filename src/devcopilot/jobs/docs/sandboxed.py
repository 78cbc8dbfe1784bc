"""The one sandbox a ``docs check`` run uses: the project's CLI described and its docs' code run.

One copy of the repository serves both. The CLI is described from the start
of the run (it needs no document) and the blocks are started as soon as the
documents are read; each runs in its own interpreter while the in-process
checks go on, and the run waits for them only at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devcopilot.core.sandbox import RunResult, Sandbox, Started
from devcopilot.jobs.docs.blocks import BLOCK_TIMEOUT_S
from devcopilot.jobs.docs.cli_spec import Command
from devcopilot.jobs.docs.model import Block

DRIVER = "devcopilot.jobs.docs.driver"
CLI_TIMEOUT_S = 30.0
MAX_RUN_S = 300.0


@dataclass
class SandboxOutcome:
    commands: dict[str, Command] = field(default_factory=dict)
    cli_errors: dict[str, str] = field(default_factory=dict)
    """Entry point to why it could not be described (an import that fails, a timeout)."""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    blocks_problem: str | None = None


class DocsSandbox:
    def __init__(self, root: Path, source_root: Path) -> None:
        self.sandbox: Sandbox | None = None
        self.root = root
        self.source_root = source_root
        self.entries: dict[str, str] = {}
        self.cli: Started | None = None
        self.blocks: Started | None = None

    def _box(self) -> Sandbox:
        if self.sandbox is None:
            self.sandbox = Sandbox(self.root, DRIVER)
        return self.sandbox

    def _python_path(self) -> list[Path]:
        box = self._box()
        return [box.inside(self.source_root), box.copy]

    def describe(self, entries: dict[str, str]) -> None:
        if not entries:
            return
        self.entries = entries
        request = {"action": "cli", "targets": [{"name": n, "entry": e} for n, e in entries.items()]}
        self.cli = self._box().start(request, timeout=CLI_TIMEOUT_S, python_path=self._python_path())

    def run_blocks(self, documents: list[tuple[str, list[Block]]]) -> None:
        total = sum(len(blocks) for _, blocks in documents)
        if not total:
            return
        payload = [
            {
                "path": path,
                "blocks": [{"line": b.line, "language": b.language, "text": b.text} for b in blocks],
            }
            for path, blocks in documents
        ]
        request = {"action": "blocks", "documents": payload, "timeout": BLOCK_TIMEOUT_S}
        timeout = min(MAX_RUN_S, 10 + total * BLOCK_TIMEOUT_S)
        self.blocks = self._box().start(request, timeout=timeout, python_path=self._python_path())

    def finish(self) -> SandboxOutcome:
        outcome = SandboxOutcome()
        try:
            if self.cli is not None:
                _read_cli(outcome, self.entries, self.cli.wait())
            if self.blocks is not None:
                result = self.blocks.wait()
                outcome.blocks = result.records
                if result.timed_out or (result.returncode and not result.records):
                    outcome.blocks_problem = _why(result)
        finally:
            self.close()
        return outcome

    def close(self) -> None:
        for started in (self.cli, self.blocks):
            if started is not None:
                started.stop()
        if self.sandbox is not None:
            self.sandbox.close()


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
