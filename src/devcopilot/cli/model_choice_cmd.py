"""``devcopilot models explain|pin|unpin|history|rollback``: why a job uses a model, and overriding it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from devcopilot.cli.common import JsonOption

if TYPE_CHECKING:
    from devcopilot.core.context import Context

JobArgument = Annotated[str, typer.Argument(metavar="JOB", help="A job: review, tests, incident.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why, recorded with the change.")]
FormatOption = Annotated[str, typer.Option("--format", help="text or json.")]


def register_choice_commands(models_app: typer.Typer) -> None:
    models_app.command("explain")(explain)
    models_app.command("pin")(pin)
    models_app.command("unpin")(unpin)
    models_app.command("history")(history)
    models_app.command("rollback")(rollback)


def _job(name: str) -> str:
    from devcopilot.core.errors import UsageError
    from devcopilot.jobs.registry import JOBS

    names = [job.name for job in JOBS.jobs]
    if name not in names:
        raise UsageError(f"unknown job {name!r}", hint=f"jobs are {', '.join(names)}")
    return name


def _figures(context: Context, job: str) -> dict[str, Any]:
    """The route, the pin and each model's figures on ``job``, as ``explain`` shows and a pin records."""
    import random

    from devcopilot.core.router.selection import Budgets, exploration_share, model_figures
    from devcopilot.jobs.registry import JOBS

    route = context.config.route(JOBS[job].route_name)
    figures = model_figures(context.provenance.read(), job)
    budgets = Budgets(route.max_cost_usd, route.max_latency_s)
    models = route.callable_models
    rng = random.Random(0)  # noqa: S311 - an estimate of the strategy's own draws, not a secret
    shares = (
        exploration_share(models, figures, budgets=budgets, objective=route.objective, rng=rng)
        if models
        else {}
    )
    rows = []
    for model in models:
        entry = figures.get(model)
        acceptance = entry.acceptance if entry else None
        cost = entry.cost_per_run if entry else None
        accepted = acceptance * entry.proposed_per_run if entry and acceptance is not None else None
        rows.append(
            {
                "model": model,
                "runs": entry.runs if entry else 0,
                "proposed_per_run": round(entry.proposed_per_run, 2) if entry else None,
                "acceptance": round(acceptance, 4) if acceptance is not None else None,
                "cost_per_accepted_usd": round(cost / accepted, 6) if cost is not None and accepted else None,
                "latency_ms_p50": entry.latency_ms_p50 if entry else None,
                "fits_budgets": budgets.fits(entry),
                "chosen_first_share": round(shares.get(model, 0.0), 3),
            }
        )
    return {
        "job": job,
        "route": route.name,
        "strategy": route.strategy,
        "objective": route.objective,
        "pinned": context.pins.current(job),
        "models": rows,
    }


def explain(job: JobArgument, output: FormatOption = "text", as_json: JsonOption = False) -> None:
    """The figures behind a job's model choice: runs, acceptance, cost and latency per accepted claim."""
    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json, print_table

    output = output_format(output, as_json, ("text", "json"))
    report = _figures(load_context(), _job(job))
    if output == "json":
        print_json(report)
        return
    title = (
        f"{report['job']}: route '{report['route']}', strategy {report['strategy']} ({report['objective']})"
    )
    if report["pinned"]:
        title += f"; pinned to {report['pinned']} (models unpin to release)"
    columns = ["model", "runs", "claims/run", "acceptance", "$/accepted", "p50 ms", "in budget", "first"]
    rows = [
        (
            r["model"],
            r["runs"],
            r["proposed_per_run"],
            r["acceptance"],
            r["cost_per_accepted_usd"],
            r["latency_ms_p50"],
            r["fits_budgets"],
            r["chosen_first_share"],
        )
        for r in report["models"]
    ]
    print_table(title, columns, rows)


def pin(
    job: JobArgument,
    model: Annotated[str, typer.Argument(metavar="MODEL", help="A litellm model string.")],
    reason: ReasonOption = "",
) -> None:
    """Use MODEL for JOB whatever the route's strategy, until unpinned or rolled back."""
    from devcopilot.cli.common import load_context

    job = _job(job)
    context = load_context()
    change = context.pins.pin(job, model, reason=reason, figures=_figures(context, job))
    typer.echo(f"{job}: pinned to {change['model']}")


def unpin(job: JobArgument, reason: ReasonOption = "") -> None:
    """Let JOB's route strategy choose again."""
    from devcopilot.cli.common import load_context

    job = _job(job)
    load_context().pins.unpin(job, reason=reason)
    typer.echo(f"{job}: unpinned; the route's strategy chooses")


def rollback(job: JobArgument, reason: ReasonOption = "") -> None:
    """Undo JOB's latest pin or unpin still in effect."""
    from devcopilot.cli.common import load_context

    job = _job(job)
    change = load_context().pins.rollback(job, reason=reason)
    now = change["model"] or "no pin (the route's strategy chooses)"
    typer.echo(f"{job}: rolled back; now {now}")


def history(
    job: Annotated[str | None, typer.Argument(metavar="[JOB]", help="One job, or every job.")] = None,
    output: FormatOption = "text",
    as_json: JsonOption = False,
) -> None:
    """Every pin, unpin and rollback: when, who, why, and the model in effect after it."""
    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json, print_table

    output = output_format(output, as_json, ("text", "json"))
    changes = load_context().pins.history(_job(job) if job else None)
    if output == "json":
        print_json({"changes": changes})
        return
    rows = [
        (c.get("at"), c["job"], c.get("action"), c.get("model"), c.get("by"), c.get("reason"))
        for c in changes
    ]
    print_table(None, ["when", "job", "change", "model after", "by", "reason"], rows)
