"""Install and remove the git pre-commit hook that reviews each commit's staged change.

An existing hook is never overwritten: it is kept as ``pre-commit.chained`` and
runs first, and ``uninstall`` puts it back. The hook finds devcopilot at the
path it was installed from (a virtualenv that is not on the PATH of a git GUI),
else on PATH, else lets the commit through with a note: a missing tool or a
model that is down must never block a commit; only findings do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devcopilot.core.errors import InputError
from devcopilot.core.git import git_text
from devcopilot.core.paths import find_executable

MARKER = "# installed by `devcopilot hook install`"
CHAINED_NAME = "pre-commit.chained"

HOOK_TEMPLATE = """#!/bin/sh
{marker}; remove it with `devcopilot hook uninstall`.
# Reviews the staged change; only findings at the --fail-on level block the commit.
hooks_dir=$(dirname "$0")
if [ -x "$hooks_dir/{chained}" ]; then
    "$hooks_dir/{chained}" "$@" || exit $?
fi
devcopilot="{executable}"
if [ ! -x "$devcopilot" ]; then
    devcopilot=$(command -v devcopilot || true)
fi
if [ -z "$devcopilot" ]; then
    echo "devcopilot is not installed any more; this commit was not reviewed" >&2
    exit 0
fi
exec "$devcopilot" review --staged
"""


@dataclass(frozen=True)
class HookOutcome:
    path: Path
    message: str


def hooks_dir(repo: Path) -> Path:
    """Where git runs hooks from: honours ``core.hooksPath`` and worktrees."""
    path = Path(git_text(repo, "rev-parse", "--git-path", "hooks").strip())
    return path if path.is_absolute() else repo / path


def _is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(repo: Path, *, force: bool = False) -> HookOutcome:
    folder = hooks_dir(repo)
    hook, chained = folder / "pre-commit", folder / CHAINED_NAME
    message = "installed"
    if hook.exists() and _is_ours(hook):
        if not force:
            return HookOutcome(hook, "already installed (use --force to rewrite it)")
        message = "rewritten"
    elif hook.exists():
        if chained.exists() and not force:
            raise InputError(
                f"{hook} is not devcopilot's, and {chained.name} already exists: nothing was changed",
                hint="move one of them away, or pass --force to replace the older chained hook",
            )
        hook.replace(chained)
        message = f"installed; your existing hook was kept as {chained.name} and runs first"
    folder.mkdir(parents=True, exist_ok=True)
    hook.write_text(
        HOOK_TEMPLATE.format(
            marker=MARKER, chained=CHAINED_NAME, executable=find_executable("devcopilot") or "devcopilot"
        )
    )
    hook.chmod(0o755)
    return HookOutcome(hook, message)


def uninstall(repo: Path) -> HookOutcome:
    folder = hooks_dir(repo)
    hook, chained = folder / "pre-commit", folder / CHAINED_NAME
    if not hook.exists():
        raise InputError(f"no pre-commit hook at {hook}: nothing to remove")
    if not _is_ours(hook):
        raise InputError(f"{hook} was not installed by devcopilot; it was left alone")
    hook.unlink()
    if chained.exists():
        chained.replace(hook)
        return HookOutcome(hook, "removed; your previous hook is back in place")
    return HookOutcome(hook, "removed")
