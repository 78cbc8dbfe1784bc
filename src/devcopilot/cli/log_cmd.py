"""``devcopilot log`` and ``devcopilot stats``: what the provenance log recorded."""

from __future__ import annotations

import typer

GROUPINGS = ("job", "model", "prompt")


def register_log_commands(app: typer.Typer) -> None:
    app.command("log")(show_log)
    app.command("stats")(show_stats)


def show_log(
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many of the latest records."),
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """The latest provenance records: every model call attempt and job run, newest last."""
    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json, print_table, warn_line

    as_json = output_format(output, as_json, ("text", "json")) == "json"

    provenance = load_context().provenance
    records = provenance.latest(limit)
    if provenance.skipped_lines:
        warn_line(f"{provenance.skipped_lines} unreadable line(s) in {provenance.path} were skipped")
    if as_json:
        print_json(records)
        return
    if not records:
        typer.echo(f"No provenance records yet ({provenance.path}).")
        return
    columns = ["time", "kind", "job", "model", "try", "ms", "tokens in/out", "cost $", "cache", "error"]
    rows = [
        (
            str(r.get("timestamp", ""))[:19].replace("T", " "),
            r.get("kind"),
            r.get("job"),
            r.get("gen_ai.request.model"),
            r.get("attempt"),
            r.get("duration_ms"),
            f"{r.get('gen_ai.usage.input_tokens') or '-'}/{r.get('gen_ai.usage.output_tokens') or '-'}",
            r.get("cost_usd"),
            r.get("cache_hit"),
            r.get("error.type"),
        )
        for r in records
    ]
    print_table(f"Provenance ({provenance.path})", columns, rows)


def show_stats(
    since: str | None = typer.Option(
        None, "--since", help="Only records newer than this: 90s, 30m, 24h, 7d, 2w."
    ),
    by: str = typer.Option("job", "--by", help="Group by job, model or prompt."),
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """Calls, latency, error/timeout/retry rates, fallbacks, cache hits, cost, and verified acceptance."""
    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json, print_table
    from devcopilot.core.errors import UsageError
    from devcopilot.core.provenance.stats import compute_stats, leader, parse_duration

    as_json = output_format(output, as_json, ("text", "json")) == "json"

    if by not in GROUPINGS:
        raise UsageError(f"--by {by!r} is not one of {', '.join(GROUPINGS)}")
    window = parse_duration(since) if since else None
    provenance = load_context().provenance
    rows = compute_stats(provenance.read(), by=by, since=window)  # type: ignore[arg-type]
    lead = leader(rows)
    if as_json:
        print_json({"by": by, "since": since, "groups": [r.model_dump() for r in rows], "leader": lead})
        return
    if not rows:
        typer.echo("No provenance records in that window.")
        return
    columns = [
        by,
        "calls",
        "p50 ms",
        "p90",
        "p95",
        "p99",
        "ttft p50",
        "p95",
        "err %",
        "timeout %",
        "retry %",
        "fallbacks",
        "cache %",
        "tokens in/out",
        "cost $",
        "claims",
        "accepted %",
        "$/accepted",
    ]
    table = [
        (
            r.group,
            r.calls,
            r.latency_ms_p50,
            r.latency_ms_p90,
            r.latency_ms_p95,
            r.latency_ms_p99,
            r.ttft_ms_p50,
            r.ttft_ms_p95,
            round(100 * r.error_rate, 1),
            round(100 * r.timeout_rate, 1),
            round(100 * r.retry_rate, 1),
            r.fallbacks,
            round(100 * r.cache_hit_rate, 1),
            f"{r.input_tokens}/{r.output_tokens}",
            round(r.cost_usd, 6),
            r.proposed,
            None if r.acceptance_rate is None else round(100 * r.acceptance_rate, 1),
            r.cost_per_accepted_usd,
        )
        for r in rows
    ]
    print_table("Model calls", columns, table)
    if lead is not None:
        verdict = "leads by more than chance" if lead["significant"] else "leads, not yet by more than chance"
        typer.echo(f"{lead['best']} {verdict} over {lead['runner_up']} (p = {lead['p_value']})")
