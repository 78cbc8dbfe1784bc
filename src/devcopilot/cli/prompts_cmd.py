"""``devcopilot prompts``: the versioned prompt templates, built-in and repo overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

prompts_app = typer.Typer(
    help="List, show and render prompt templates.", no_args_is_help=True, rich_markup_mode=None
)


@prompts_app.command("list")
def list_prompts(
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """Every template with its version and origin (built-in, or a repo override that wins)."""
    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json, print_table

    as_json = output_format(output, as_json, ("text", "json")) == "json"

    templates = load_context().prompts.all()
    rows = [
        {
            "id": t.id,
            "version": t.version,
            "origin": t.origin,
            "output": t.meta.output,
            "description": t.meta.description,
            "sha256": t.sha256,
            "path": str(t.path),
        }
        for t in templates
    ]
    if as_json:
        print_json(rows)
        return
    print_table(
        "Prompt templates",
        ["id", "version", "origin", "output", "description"],
        [(r["id"], r["version"], r["origin"], r["output"], r["description"]) for r in rows],
    )


@prompts_app.command("show")
def show_prompt(
    prompt_id: str = typer.Argument(..., metavar="ID", help="A template id such as core/probe."),
) -> None:
    """Print a template's source, front matter included."""
    from devcopilot.cli.common import load_context

    template = load_context().prompts.get(prompt_id)
    typer.echo(
        f"# {template.id} {template.version} ({template.origin}, {template.path}, sha256 {template.sha256})"
    )
    typer.echo(template.path.read_text(encoding="utf-8"), nl=False)


@prompts_app.command("render")
def render_prompt(
    prompt_id: str = typer.Argument(..., metavar="ID", help="A template id such as core/probe."),
    var: Annotated[
        list[str] | None,
        typer.Option("--var", help="A template variable as key=value; key=@file reads a file."),
    ] = None,
    output: str = typer.Option("text", "--format", help="text or json."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """Render a template with variables and print the messages a model would receive."""
    from devcopilot.cli.common import load_context, output_format
    from devcopilot.cli.output import print_json

    as_json = output_format(output, as_json, ("text", "json")) == "json"

    variables = _parse_vars(var or [])
    rendered = load_context().prompts.render(prompt_id, variables)
    if as_json:
        print_json(
            {
                "id": rendered.id,
                "version": rendered.version,
                "template_sha256": rendered.template_sha256,
                "rendered_sha256": rendered.rendered_sha256,
                "output": rendered.output,
                "params": dict(rendered.params),
                "messages": [dict(m) for m in rendered.messages],
            }
        )
        return
    typer.echo(f"# {rendered.id} {rendered.version} template sha256 {rendered.template_sha256}")
    typer.echo(f"# rendered sha256 {rendered.rendered_sha256}")
    for message in rendered.messages:
        typer.echo(f"\n--- {message['role']} ---\n{message['content']}")


def _parse_vars(pairs: list[str]) -> dict[str, str]:
    from devcopilot.core.errors import InputError, UsageError

    variables: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--var {pair!r} is not key=value")
        if value.startswith("@"):
            path = Path(value[1:])
            try:
                value = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise InputError(f"--var {key}: cannot read {path}: {exc.strerror}") from None
        variables[key.strip()] = value
    return variables
