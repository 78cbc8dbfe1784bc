"""Run a job command inside this process for its JSON envelope: what ``compare`` and ``replay`` measure.

The response cache is off for these runs: a cached answer measures nothing
about the model. Findings at ``--fail-on`` end a command with exit 1; here the
figures are what count, so that exit is not an error.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from typing import Any

from devcopilot.core.errors import InputError


def job_command(job: str, command: str) -> list[str]:
    """The words that run ``command`` of ``job``: ``review``, ``incident explain``, ``tests generate``."""
    return [job] if command == job else [job, command]


@contextlib.contextmanager
def _uncached() -> Iterator[None]:
    previous = os.environ.get("DEVCOPILOT_CACHE")
    os.environ["DEVCOPILOT_CACHE"] = "false"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DEVCOPILOT_CACHE", None)
        else:
            os.environ["DEVCOPILOT_CACHE"] = previous


def run_for_envelope(words: list[str], arguments: list[str], model: str) -> dict[str, Any]:
    """One uncached run of ``words arguments`` with ``model`` alone; its JSON envelope."""
    import typer

    from devcopilot.cli.app import app

    command = typer.main.get_command(app)
    captured = io.StringIO()
    args = [*words, *arguments, "--model", model, "--format", "json"]
    with _uncached(), contextlib.redirect_stdout(captured), contextlib.suppress(typer.Exit):
        command.main(args=args, prog_name="devcopilot", standalone_mode=False)
    try:
        envelope: dict[str, Any] = json.loads(captured.getvalue())
    except json.JSONDecodeError:
        raise InputError(f"{' '.join(words)} printed no JSON for {model}; run it alone to see why") from None
    return envelope


def model_summary(result: dict[str, Any]) -> dict[str, Any]:
    """The model pass in a job's result: ``model``, or ``summary.model`` (review); empty when none ran."""
    found = result.get("model") or (result.get("summary") or {}).get("model")
    return found if isinstance(found, dict) else {}


def render_table(header: list[str], rows: list[list[Any]], *, markdown: bool) -> str:
    """A side-by-side table: aligned columns on a terminal, a pipe table in Markdown."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    text = [
        " ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(text) + "\n"


def pass_cells(row: dict[str, Any]) -> list[Any]:
    """A model pass as table cells: proposed, accepted, merged, dropped by reason, acceptance, cost."""
    return [
        row["proposed"],
        row["accepted"],
        row["merged"],
        ", ".join(f"{n} {k}" for k, n in sorted(row["dropped"].items())) or "none",
        "-" if row["acceptance"] is None else f"{row['acceptance']:.0%}",
        f"{row['cost_usd']:.4f}",
    ]
