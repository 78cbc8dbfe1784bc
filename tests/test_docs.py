"""README and examples are checked against the code, so they cannot drift."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devcopilot.core.config import load_config
from devcopilot.core.errors import ExitCode
from devcopilot.core.paths import Workspace
from devcopilot.jobs.registry import JOBS
from tests.conftest import devcopilot_executable

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_generated_sections_are_current() -> None:
    """The command, exit-code and route tables are generated from the code; CI fails when one is stale."""
    done = subprocess.run(
        [devcopilot_executable(), "docs", "refresh", "--check", "README.md", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    sections = json.loads(done.stdout)["result"]["sections"]
    assert done.returncode == 0, [s for s in sections if s["state"] != "current"]
    assert {s["name"] for s in sections} == {"cli", "exit-codes", "config"}
    commands = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    assert "`devcopilot docs refresh [PATHS...] [--write] [--check] [--force]" in commands
    codes = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    assert {int(code) for code in re.findall(r"^\| `(\d+)` \|", codes, flags=re.MULTILINE)} == {
        int(c) for c in ExitCode
    }


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
