"""``devcopilot hook``: the git pre-commit hook that reviews every commit."""

from __future__ import annotations

from pathlib import Path

import typer

hook_app = typer.Typer(
    help="Install or remove the pre-commit review hook.", no_args_is_help=True, rich_markup_mode=None
)


def _repo() -> Path:
    from devcopilot.core.errors import InputError
    from devcopilot.core.paths import find_repo_root

    repo = find_repo_root()
    if repo is None:
        raise InputError("not inside a git repository")
    return repo


@hook_app.command("install")
def install(
    force: bool = typer.Option(False, "--force", help="Rewrite devcopilot's hook or replace a chained one."),
) -> None:
    """Review the staged change before every commit; an existing hook is kept and runs first."""
    from devcopilot.jobs.review import hook

    outcome = hook.install(_repo(), force=force)
    typer.echo(f"pre-commit hook {outcome.message}: {outcome.path}")


@hook_app.command("uninstall")
def uninstall() -> None:
    """Remove devcopilot's hook and put back the one it chained, if any."""
    from devcopilot.jobs.review import hook

    outcome = hook.uninstall(_repo())
    typer.echo(f"pre-commit hook {outcome.message}: {outcome.path}")
