"""``devcopilot replay RUN_ID``: a recorded run's model pass again, on the same input, verified again.

A run records how its command would run again (``replay`` in its ``job_run``),
with each input that could be gone later kept by hash under
``.devcopilot/inputs/`` when content logging is on. Replay puts those inputs
back (the original file while its content is unchanged, else the kept copy),
runs the command with the model asked for (the run's own by default) and shows
the two passes side by side: what each proposed, what verification kept.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from devcopilot.cli.common import ModelOption

MIN_PREFIX = 6


def replay(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="A run id (see `devcopilot log`).")],
    model: ModelOption = None,
    output: Annotated[str, typer.Option("--format", help="text, json or markdown.")] = "text",
) -> None:
    """Re-run a recorded run's model pass on the same input, with its model or --model, side by side."""
    import tempfile
    from pathlib import Path

    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.inprocess import job_command, run_for_envelope
    from devcopilot.cli.output import print_json
    from devcopilot.core.errors import UsageError
    from devcopilot.core.kept_inputs import InputStore, KeptInput, substitute

    output = output_format(output, False, ("text", "json", "markdown"))
    context = load_context()
    records = list(context.provenance.read())
    recorded = _find_run(records, run_id)
    found = recorded["run_id"]
    plan = recorded.get("replay")
    if not isinstance(plan, dict) or not isinstance(plan.get("argv"), list):
        from devcopilot.core.errors import InputError

        raise InputError(
            f"run {found[:12]} ({recorded.get('job')} {recorded.get('command')}) recorded no input to replay",
            hint="runs of an older devcopilot, and tests generate --changed on a staged change, have none",
        )
    models = list(model or recorded.get("models") or [])
    if not models:
        raise UsageError(f"run {found[:12]} had no model answer; name the model to replay with --model")
    inputs = [KeptInput.from_record(item) for item in plan.get("inputs") or []]
    words = job_command(str(recorded.get("job")), str(recorded.get("command")))
    store = InputStore(context.workspace.state_dir)
    with tempfile.TemporaryDirectory(prefix="devcopilot-replay-") as scratch:
        arguments = substitute([str(a) for a in plan["argv"]], store.materialize(inputs, Path(scratch)))
        replays = [_replayed(run_for_envelope(words, arguments, name), name) for name in models]
    report = {
        "run_id": found,
        "job": recorded.get("job"),
        "command": recorded.get("command"),
        "original": _original(records, recorded),
        "replays": replays,
    }
    if output == "json":
        print_json(report)
    else:
        typer.echo(_render(report, markdown=output == "markdown"), nl=False)


def _find_run(records: list[dict[str, Any]], run_id: str) -> dict[str, Any]:
    """The ``job_run`` whose id is ``run_id`` or starts with it (at least six characters, like git)."""
    from devcopilot.core.errors import InputError, UsageError

    wanted = run_id.strip().lower()
    if len(wanted) < MIN_PREFIX:
        raise UsageError(f"RUN_ID {run_id!r} is too short: give at least {MIN_PREFIX} characters")
    matches = [
        r
        for r in records
        if r.get("kind") == "job_run" and isinstance(r.get("run_id"), str) and r["run_id"].startswith(wanted)
    ]
    ids = {r["run_id"] for r in matches}
    if not ids:
        raise InputError(f"no run {run_id} in this repository's provenance log")
    if len(ids) > 1:
        raise UsageError(f"RUN_ID {run_id} is ambiguous: {len(ids)} runs start with it")
    return matches[-1]


def _figures(summary: dict[str, Any], model: str, run_id: str | None) -> dict[str, Any]:
    proposed = int(summary.get("proposed") or 0)
    kept = int(summary.get("accepted") or 0) + int(summary.get("merged") or 0)
    return {
        "run_id": run_id,
        "model": model,
        "proposed": proposed,
        "accepted": int(summary.get("accepted") or 0),
        "merged": int(summary.get("merged") or 0),
        "dropped": dict(summary.get("dropped") or {}),
        "acceptance": round(kept / proposed, 4) if proposed else None,
        "cost_usd": round(float(summary.get("cost_usd") or 0.0), 6),
    }


def _replayed(envelope: dict[str, Any], model: str) -> dict[str, Any]:
    from devcopilot.cli.inprocess import model_summary

    return _figures(model_summary(envelope.get("result") or {}), model, envelope.get("run_id"))


def _original(records: list[dict[str, Any]], recorded: dict[str, Any]) -> dict[str, Any]:
    """The recorded run's pass, counted from its verdict records and its model calls' cost."""
    from collections import Counter

    run_id = recorded["run_id"]
    outcomes: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    cost = 0.0
    for record in records:
        if record.get("run_id") != run_id:
            continue
        if record.get("kind") == "verdicts":
            for verdict in record.get("verdicts") or []:
                outcomes[str(verdict.get("outcome"))] += 1
                if verdict.get("outcome") == "dropped":
                    dropped[str(verdict.get("reason") or "unspecified")] += 1
        elif record.get("kind") == "model_call":
            cost += float(record.get("cost_usd") or 0.0)
    summary = {
        "proposed": sum(outcomes.values()),
        "accepted": outcomes["accepted"],
        "merged": outcomes["merged"],
        "dropped": dict(sorted(dropped.items())),
        "cost_usd": cost,
    }
    return _figures(summary, ", ".join(recorded.get("models") or []) or "none", run_id)


def _render(report: dict[str, Any], *, markdown: bool) -> str:
    from devcopilot.cli.inprocess import pass_cells, render_table

    header = ["run", "model", "proposed", "accepted", "merged", "dropped", "acceptance", "cost $"]
    rows = [
        [label, row["model"], *pass_cells(row)]
        for label, row in [
            (f"{report['run_id'][:12]} (recorded)", report["original"]),
            *((f"{r['run_id'][:12]} (replay)", r) for r in report["replays"]),
        ]
    ]
    table = render_table(header, rows, markdown=markdown)
    title = f"replay of {report['job']} {report['command']} run {report['run_id'][:12]}"
    return f"## {title}\n\n{table}" if markdown else f"{title}\n{table}"
