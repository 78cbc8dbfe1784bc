"""The pre-commit hook, exercised by real `git commit` runs in temporary repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from devcopilot.core.errors import ExitCode
from tests.conftest import git

ROOT = Path(__file__).resolve().parent.parent


def try_commit(
    repo: Path, files: dict[str, str], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(content)
    git(repo, "add", "-A")
    return subprocess.run(
        ["git", "-C", str(repo), "commit", "-q", "--no-gpg-sign", "-m", "change"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.mark.slow
def test_the_hook_blocks_a_commit_with_findings_and_lets_a_clean_one_through(repo: Path, cli: Any) -> None:
    installed = cli("hook", "install")

    blocked = try_commit(repo, {"pkg/bad.py": "value = undefined_name\n"})
    (repo / "pkg" / "bad.py").write_text("value = 1\n")
    clean = try_commit(repo, {})

    assert installed.code == 0
    assert "pre-commit hook installed" in installed.stdout
    assert blocked.returncode != 0
    assert "F821" in blocked.stdout + blocked.stderr
    assert clean.returncode == 0, clean.stderr
    assert git(repo, "log", "-1", "--format=%s") == "change"


@pytest.mark.slow
def test_an_existing_hook_is_chained_runs_first_and_comes_back(repo: Path, cli: Any) -> None:
    hooks = repo / ".git" / "hooks"
    original = '#!/bin/sh\necho ran >> "$(git rev-parse --git-dir)/chained.log"\n'
    (hooks / "pre-commit").write_text(original)
    (hooks / "pre-commit").chmod(0o755)

    installed = cli("hook", "install")
    committed = try_commit(repo, {"ok.py": "x = 1\n"})
    removed = cli("hook", "uninstall")

    assert "kept as pre-commit.chained" in installed.stdout
    assert committed.returncode == 0, committed.stderr
    assert (repo / ".git" / "chained.log").read_text() == "ran\n"
    assert "previous hook is back" in removed.stdout
    assert (hooks / "pre-commit").read_text() == original
    assert not (hooks / "pre-commit.chained").exists()


@pytest.mark.slow
def test_a_failing_chained_hook_still_blocks(repo: Path, cli: Any) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-commit").write_text("#!/bin/sh\necho 'house rule failed' >&2\nexit 7\n")
    (hooks / "pre-commit").chmod(0o755)
    cli("hook", "install")

    result = try_commit(repo, {"ok.py": "x = 1\n"})

    assert result.returncode != 0
    assert "house rule failed" in result.stderr


@pytest.mark.slow
def test_a_missing_devcopilot_never_blocks_a_commit(repo: Path, cli: Any) -> None:
    cli("hook", "install")
    hook = repo / ".git" / "hooks" / "pre-commit"
    text = hook.read_text()
    start = text.index('devcopilot="') + len('devcopilot="')
    hook.write_text(text[:start] + "/nowhere/devcopilot" + text[text.index('"', start) :])
    env = {**os.environ, "PATH": "/usr/bin:/bin"}

    result = try_commit(repo, {"pkg/bad.py": "value = undefined_name\n"}, env=env)

    assert result.returncode == 0, result.stderr
    assert "not reviewed" in result.stderr


def test_install_twice_and_uninstall_a_foreign_hook(repo: Path, cli: Any) -> None:
    first = cli("hook", "install")
    second = cli("hook", "install")
    forced = cli("hook", "install", "--force")
    cli("hook", "uninstall")
    (repo / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\nexit 0\n")
    foreign = cli("hook", "uninstall")

    assert (first.code, second.code, forced.code) == (0, 0, 0)
    assert "already installed" in second.stdout
    assert "rewritten" in forced.stdout
    assert foreign.code == ExitCode.USAGE
    assert "was not installed by devcopilot" in foreign.stderr
    assert (repo / ".git" / "hooks" / "pre-commit").read_text() == "#!/bin/sh\nexit 0\n"


def test_a_second_foreign_hook_is_not_overwritten_without_force(repo: Path, cli: Any) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-commit").write_text("#!/bin/sh\necho current\n")
    (hooks / "pre-commit.chained").write_text("#!/bin/sh\necho older\n")

    refused = cli("hook", "install")

    assert refused.code == ExitCode.USAGE
    assert "nothing was changed" in refused.stderr
    assert (hooks / "pre-commit").read_text() == "#!/bin/sh\necho current\n"


def test_hooks_path_configuration_is_honoured(repo: Path, cli: Any) -> None:
    git(repo, "config", "core.hooksPath", ".githooks")

    cli("hook", "install")

    assert (repo / ".githooks" / "pre-commit").is_file()


def test_the_pre_commit_framework_manifest() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())

    assert hook["id"] == "devcopilot-review"
    assert hook["entry"] == "devcopilot review --staged"
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
