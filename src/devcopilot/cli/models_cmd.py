"""``devcopilot models``: which models each route uses, and whether they answer."""

from __future__ import annotations

from typing import Annotated, Any

import typer

models_app = typer.Typer(help="List and test the model routes.", no_args_is_help=True, rich_markup_mode=None)


@models_app.command("list")
def list_models(
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """Routes, their models, and whether each model's credentials are set (keys are never printed)."""
    from dataclasses import asdict

    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json, print_table
    from devcopilot.core.router.inventory import route_inventory

    as_json = output_format(output, as_json, ("text", "json")) == "json"

    routes = route_inventory(load_context().config)
    if as_json:
        print_json({"routes": [asdict(route) for route in routes]})
        return
    rows: list[tuple[Any, ...]] = []
    for route in routes:
        if route.inherits_default:
            rows.append((route.route, "(same as default)", "", "", ""))
            continue
        rows.extend((route.route, m.model, m.provider, m.credentials, m.missing) for m in route.models)
    print_table("Model routes", ["route", "model", "provider", "credentials", "missing"], rows)


@models_app.command("test")
def test_models(
    route: str = typer.Option("default", "--route", help="The route to probe (default, review, tests, ...)."),
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Probe this model instead of the route's (repeatable)."),
    ] = None,
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """Send the versioned probe prompt through a route and show who answered, how fast, at what cost.

    Exit 0 when a model answered, 3 when every model failed.
    """
    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json, print_table, progress
    from devcopilot.core.errors import UsageError
    from devcopilot.core.probe import run_probe

    as_json = output_format(output, as_json, ("text", "json")) == "json"

    context = load_context()
    names = context.config.route_names
    if route not in names:
        raise UsageError(f"unknown route {route!r}", hint=f"routes are {', '.join(names)}")
    router = context.router(route, job="probe", models=model or None, use_cache=False)
    if router.offline:
        raise UsageError(
            f"route '{route}' is offline: there is no model to test",
            hint="configure routes.<name>.models, set DEVCOPILOT_MODEL, or pass --model",
        )
    with progress(f"probing route '{route}'…"):
        result = run_probe(router, context.prompts)
    done = result.completion
    summary = {
        "route": route,
        "model": done.model,
        "response_model": done.response_model,
        "followed_instructions": result.followed_instructions,
        "latency_ms": round(done.duration_ms, 1),
        "ttft_ms": round(done.ttft_ms, 1) if done.ttft_ms is not None else None,
        "input_tokens": done.input_tokens,
        "output_tokens": done.output_tokens,
        "cost_usd": done.cost_usd,
        "failed_attempts": [
            {"model": a.model, "attempt": a.attempt, "error": a.error_type} for a in result.failed_attempts
        ],
    }
    if as_json:
        print_json(summary)
        return
    print_table(
        f"Route '{route}' answered",
        ["field", "value"],
        [(k, v) for k, v in summary.items() if k != "failed_attempts"],
    )
    for failed in result.failed_attempts:
        typer.echo(f"  before that: {failed.model} attempt {failed.attempt} failed ({failed.error_type})")
    if not result.followed_instructions:
        typer.echo(
            f"  note: {done.model} answered but did not echo the probe token; it may not follow instructions."
        )
