"""``devcopilot compare``: the same input through each model's pass, side by side, on verified figures."""

from __future__ import annotations

from typing import Annotated, Any

import typer

JOB_COMMANDS = {"review": ["review"], "incident": ["incident", "explain"], "tests": ["tests", "generate"]}
SIGNIFICANCE = 0.05


def compare(
    ctx: typer.Context,
    job: Annotated[str, typer.Option("--job", help="review, incident or tests.")],
    models: Annotated[str, typer.Option("--models", help="Comma-separated litellm model strings.")],
    runs: Annotated[
        int, typer.Option("--runs", min=1, max=50, help="Runs per model (no response cache).")
    ] = 1,
    output: Annotated[str, typer.Option("--format", help="text, json or markdown.")] = "text",
) -> None:
    """Run the job's input through each model: claims proposed, accepted, dropped by reason, cost, latency.

    The job's own options follow ``--``, as in ``devcopilot compare --job review --models a,b -- --staged``.
    With several runs, a two-proportion test says whether the best acceptance is ahead by more than chance.
    """
    from devcopilot.cli.common import output_format
    from devcopilot.cli.output import print_json
    from devcopilot.core.errors import UsageError

    output = output_format(output, False, ("text", "json", "markdown"))
    if job not in JOB_COMMANDS:
        raise UsageError(f"--job {job!r} is not one of {', '.join(JOB_COMMANDS)}")
    chosen = [m.strip() for m in models.split(",") if m.strip()]
    if len(chosen) < 2:
        raise UsageError("--models needs at least two models to compare")
    rows = [_measure(job, list(ctx.args), model, runs) for model in chosen]
    report = {"job": job, "runs": runs, "models": rows, "verdict": _verdict(rows)}
    if output == "json":
        print_json(report)
    else:
        typer.echo(_render(report, markdown=output == "markdown"), nl=False)


def _measure(job: str, inputs: list[str], model: str, runs: int) -> dict[str, Any]:
    """``runs`` runs of the job with ``model`` alone, in this process, and their figures from provenance."""
    from devcopilot.cli.common import load_context
    from devcopilot.cli.inprocess import model_summary, run_for_envelope
    from devcopilot.core.provenance.stats import percentile

    totals: dict[str, Any] = {"proposed": 0, "accepted": 0, "merged": 0, "dropped": {}, "cost_usd": 0.0}
    run_ids = []
    for _ in range(runs):
        envelope = run_for_envelope(JOB_COMMANDS[job], inputs, model)
        run_ids.append(envelope["run_id"])
        summary = model_summary(envelope["result"])
        for key in ("proposed", "accepted", "merged"):
            totals[key] += int(summary.get(key) or 0)
        totals["cost_usd"] += float(summary.get("cost_usd") or 0.0)
        for reason, count in (summary.get("dropped") or {}).items():
            totals["dropped"][reason] = totals["dropped"].get(reason, 0) + count
    calls = [
        r
        for r in load_context().provenance.read()
        if r.get("kind") == "model_call" and r.get("run_id") in run_ids and not r.get("error.type")
    ]
    latencies = [float(r["duration_ms"]) for r in calls if isinstance(r.get("duration_ms"), int | float)]
    ttfts = [float(r["ttft_ms"]) for r in calls if isinstance(r.get("ttft_ms"), int | float)]
    judged = totals["accepted"] + totals["merged"] + sum(totals["dropped"].values())
    return {
        "model": model,
        **totals,
        "cost_usd": round(totals["cost_usd"], 6),
        "acceptance": round((totals["accepted"] + totals["merged"]) / judged, 4) if judged else None,
        "judged": judged,
        "latency_ms_p50": percentile(latencies, 50),
        "latency_ms_p95": percentile(latencies, 95),
        "ttft_ms_p50": percentile(ttfts, 50),
    }


def _verdict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The model with the best acceptance, and whether it is ahead of the next by more than chance."""
    ranked = sorted((r for r in rows if r["acceptance"] is not None), key=lambda r: -r["acceptance"])
    if len(ranked) < 2:
        return {"best": ranked[0]["model"] if ranked else None, "p_value": None, "significant": False}
    from devcopilot.core.provenance.stats import two_proportion_p

    best, second = ranked[0], ranked[1]
    p_value = two_proportion_p(
        best["accepted"] + best["merged"],
        best["judged"],
        second["accepted"] + second["merged"],
        second["judged"],
    )
    return {
        "best": best["model"],
        "runner_up": second["model"],
        "p_value": None if p_value is None else round(p_value, 4),
        "significant": p_value is not None and p_value < SIGNIFICANCE,
    }


def _render(report: dict[str, Any], *, markdown: bool) -> str:
    from devcopilot.cli.inprocess import pass_cells, render_table

    header = [
        "model",
        "proposed",
        "accepted",
        "merged",
        "dropped",
        "acceptance",
        "cost $",
        "p50 ms",
        "p95 ms",
    ]
    rows = [
        [
            r["model"],
            *pass_cells(r),
            r["latency_ms_p50"] if r["latency_ms_p50"] is not None else "-",
            r["latency_ms_p95"] if r["latency_ms_p95"] is not None else "-",
        ]
        for r in report["models"]
    ]
    verdict = report["verdict"]
    if verdict.get("p_value") is None:
        note = f"best acceptance: {verdict['best'] or 'none'} (too few claims to test the difference)"
    elif verdict["significant"]:
        note = f"{verdict['best']} is ahead of {verdict['runner_up']} (p = {verdict['p_value']}, below 0.05)"
    else:
        note = (
            f"{verdict['best']} leads {verdict['runner_up']}, but not by more than chance "
            f"(p = {verdict['p_value']}): run more (--runs) before choosing"
        )
    table = render_table(header, rows, markdown=markdown)
    if markdown:
        return f"## devcopilot compare: {report['job']}\n\n{table}\n{note}\n"
    return f"{table}{note}\n"
