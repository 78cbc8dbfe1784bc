"""``devcopilot config``: the effective configuration and where each value came from."""

from __future__ import annotations

import typer

config_app = typer.Typer(
    help="Inspect the effective configuration.", no_args_is_help=True, rich_markup_mode=None
)


@config_app.command("show")
def show(
    output: str = typer.Option(
        "text", "--format", help="text, json, or toml (the settings, ready to paste)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
    as_toml: bool = typer.Option(False, "--toml", help="Same as --format toml."),
) -> None:
    """Show every effective setting and the source it came from (default, a file, env, flags)."""
    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json, print_table

    output = output_format("toml" if as_toml else output, as_json, ("text", "json", "toml"))
    as_toml, as_json = output == "toml", output == "json"

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
