"""Where devcopilot reads and writes, in one place.

``DEVCOPILOT_HOME`` relocates every file devcopilot writes outside the user's
repository (user config, cache, logs, provenance made outside a repo); tests
point it at a temporary directory so that they never touch the real home.
Inside a repository, per-repo state lives in ``<repo>/.devcopilot/``, a folder
that carries its own ``.gitignore`` so it is never committed by accident.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "DEVCOPILOT_HOME"
REPO_STATE_DIR = ".devcopilot"


@dataclass(frozen=True)
class Home:
    """The user-level locations, outside any repository."""

    config_dir: Path
    cache_dir: Path
    state_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def crash_dir(self) -> Path:
        return self.state_dir / "crash"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Home:
        env = os.environ if env is None else env
        root = env.get(HOME_ENV)
        if root:
            base = Path(root).expanduser()
            return cls(config_dir=base, cache_dir=base / "cache", state_dir=base / "state")
        # platformdirs is only imported when no override is set, which is never the case in tests.
        import platformdirs  # noqa: PLC0415

        return cls(
            config_dir=Path(platformdirs.user_config_dir("devcopilot", appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir("devcopilot", appauthor=False)),
            state_dir=Path(platformdirs.user_state_dir("devcopilot", appauthor=False)),
        )


def find_executable(name: str) -> str | None:
    """Beside this interpreter, else on PATH: a virtualenv's bin is not on PATH when called by its path."""
    import shutil  # noqa: PLC0415 - only the few callers that look for a tool pay for it
    import sys  # noqa: PLC0415

    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def find_repo_root(start: Path | None = None) -> Path | None:
    """The nearest enclosing git work tree, found without starting a git process.

    ``.git`` may be a directory (a normal clone) or a file (a worktree or a
    submodule); both mark a work tree.
    """
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def ensure_state_dir(path: Path) -> Path:
    """Create a devcopilot state folder that git ignores as a whole.

    The ``.gitignore`` holding ``*`` keeps the folder out of commits even when
    the user's own ignore rules know nothing about devcopilot.
    """
    path.mkdir(parents=True, exist_ok=True)
    ignore = path / ".gitignore"
    if not ignore.exists():
        ignore.write_text(
            "# Written by devcopilot: nothing in this folder belongs in git.\n*\n", encoding="utf-8"
        )
    return path


@dataclass(frozen=True)
class Workspace:
    """The repository devcopilot works in (if any) and the user's home locations."""

    home: Home
    repo_root: Path | None

    @classmethod
    def discover(cls, start: Path | None = None, env: Mapping[str, str] | None = None) -> Workspace:
        return cls(home=Home.from_env(env), repo_root=find_repo_root(start))

    @property
    def state_dir(self) -> Path:
        """Per-repo state when inside a repository, else the user's state folder."""
        if self.repo_root is not None:
            return self.repo_root / REPO_STATE_DIR
        return self.home.state_dir

    @property
    def cache_dir(self) -> Path:
        if self.repo_root is not None:
            return self.repo_root / REPO_STATE_DIR / "cache"
        return self.home.cache_dir

    @property
    def provenance_file(self) -> Path:
        return self.state_dir / "provenance.jsonl"

    @property
    def repo_prompts_dir(self) -> Path | None:
        return self.repo_root / REPO_STATE_DIR / "prompts" if self.repo_root is not None else None
