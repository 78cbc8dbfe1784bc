"""README and examples are checked against the code, so they cannot drift."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer

from devcopilot.cli.app import app
from devcopilot.core.config import load_config
from devcopilot.core.errors import ExitCode
from devcopilot.core.paths import Workspace
from devcopilot.jobs.registry import JOBS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def cli_commands() -> set[str]:
    """Every leaf command path, as a user types it."""
    group = typer.main.get_command(app)
    found: set[str] = set()

    def walk(command: object, prefix: str) -> None:
        children = getattr(command, "commands", None)
        if not children:
            found.add(prefix)
            return
        for name, child in children.items():
            walk(child, f"{prefix} {name}")

    walk(group, "devcopilot")
    return found


def readme_commands() -> set[str]:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(devcopilot [a-z ]+?)(?: \[| [A-Z]| --|`)", section, flags=re.MULTILINE)
    return {row.strip() for row in rows} - {"devcopilot"}


def test_readme_lists_exactly_the_commands_the_cli_has() -> None:
    assert readme_commands() == cli_commands()


def test_readme_exit_code_table_matches_the_code() -> None:
    section = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)}

    assert documented == {int(code) for code in ExitCode}


@pytest.mark.parametrize(
    "example", sorted((ROOT / "examples" / "config").glob("*.toml")), ids=lambda p: p.name
)
def test_every_example_config_is_valid(example: Path, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    target = "pyproject.toml" if example.name.startswith("pyproject") else ".devcopilot.toml"
    shutil.copy(example, tmp_path / target)

    home = {"DEVCOPILOT_HOME": str(tmp_path / "home")}
    config = load_config(Workspace.discover(tmp_path), env=home, jobs=JOBS)

    assert config.sources, f"{example.name} was not read"
    assert any(not config.route(name).offline for name in ("default", "review", "incident"))


def test_ci_runs_the_test_command_the_readme_gives() -> None:
    section = README.split("## Run the tests", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"```sh\n(.+?)\n```", section, flags=re.DOTALL)
    assert command is not None

    assert command.group(1).strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "action.yml",
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
        "examples/ci/pre-commit-config.yaml",
    ],
)
def test_ci_files_are_valid_yaml_that_run_the_review(path: str) -> None:
    import yaml

    text = (ROOT / path).read_text(encoding="utf-8")

    assert yaml.safe_load(text)
    assert "devcopilot review" in text
    for line in text.splitlines():
        if "devcopilot review" in line and "--format" in line:
            fmt = line.split("--format", 1)[1].split()[0]
            assert fmt in {"sarif", "github", "gitlab"}, line
