"""``devcopilot config``: the effective configuration and where each value came from."""

from __future__ import annotations

import typer

config_app = typer.Typer(
    help="Inspect the effective configuration.", no_args_is_help=True, rich_markup_mode=None
)


@config_app.command("show")
def show(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
    as_toml: bool = typer.Option(False, "--toml", help="The effective settings as TOML, ready to paste."),
) -> None:
    """Show every effective setting and the source it came from (default, a file, env, flags)."""
    from devcopilot.cli.common import load_context
    from devcopilot.cli.output import print_json, print_table

    context = load_context()
    config = context.config
    if as_toml:
        import tomli_w

        typer.echo(tomli_w.dumps(config.settings.model_dump(exclude_none=True)), nl=False)
        return
    rows = config.explain()
    if as_json:
        print_json(
            {
                "sources": list(config.sources),
                "repo_root": str(context.workspace.repo_root) if context.workspace.repo_root else None,
                "values": [{"key": r.key, "value": r.value, "origin": r.origin} for r in rows],
            }
        )
        return
    sources = ", ".join(config.sources) or "built-in defaults only"
    print_table(
        f"Effective configuration (sources: {sources})",
        ["key", "value", "origin"],
        [(r.key, r.value, r.origin) for r in rows],
    )
