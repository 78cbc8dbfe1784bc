"""``docs refresh``: marked sections regenerated from real small projects in git repositories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git, make_repo, route_config
from tests.support.fake_openai import FakeOpenAI, Reply

CLICK_APP = """\
import click


@click.group()
def main():
    \"\"\"Ship things.\"\"\"


@main.command()
@click.option("--fast", is_flag=True, help="Skip the checks.")
@click.option("--level", default=2, help="How hard to try.")
def run(fast, level):
    \"\"\"Run the pipeline.\"\"\"
"""
TYPER_APP = """\
import typer

app = typer.Typer(help="Tidy a folder.")


@app.command()
def sweep(depth: int = typer.Option(3, help="How deep to go.")) -> None:
    \"\"\"Sweep it.\"\"\"


@app.command()
def dust() -> None:
    \"\"\"Dust it.\"\"\"
"""
ARGPARSE_APP = """\
import argparse


def main():
    parser = argparse.ArgumentParser(description="Count words.")
    parser.add_argument("--top", type=int, default=10, help="How many to show.")
    parser.parse_args()
"""
SETTINGS = '''\
from pydantic import BaseModel, Field


class ToolSettings(BaseModel):
    retries: int = 3
    """How many times to retry."""
    name: str = Field(default="tool", description="The name shown.")
'''
EXIT = '''\
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Nothing found."""
    FOUND = 1
    """Something found."""
'''
COMPOSE = """\
services:
  web:
    build: .
    depends_on: [db]
  db:
    image: postgres:16
"""
MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web:1
          envFrom: [{configMapRef: {name: web-config}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
"""


def sections(*names: str) -> str:
    return "\n\n".join(
        f"<!-- devcopilot:begin {name} -->\n<!-- devcopilot:end {name.split()[0]} -->" for name in names
    )


def project(root: Path, app: str, entry: str, readme: str) -> Path:
    make_repo(
        root,
        {
            "pyproject.toml": f'[project]\nname = "tool"\n[project.scripts]\ntool = "{entry}"\n',
            "src/tool/__init__.py": "",
            "src/tool/cli.py": app,
            "src/tool/settings.py": SETTINGS,
            "src/tool/errors.py": EXIT,
            "compose.yaml": COMPOSE,
            "k8s/app.yaml": MANIFESTS,
            "README.md": f"# tool\n\n{readme}\n",
        },
    )
    return root


@pytest.fixture
def click_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    readme = sections(
        "cli",
        "config class=tool.settings.ToolSettings",
        "exit-codes",
        "diagram compose=compose.yaml",
        "diagram kubernetes=k8s",
        "api object=tool.settings",
    )
    root = project(tmp_path / "tool", CLICK_APP, "tool.cli:main", readme)
    monkeypatch.chdir(root)
    return root


def refresh(cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("docs", "refresh", *args, "--format", "json")
    return result.code, json.loads(result.stdout)["result"]


@pytest.mark.slow
def test_every_section_is_generated_then_current_and_a_second_write_changes_nothing(
    cli: Any, click_project: Path
) -> None:
    readme = click_project / "README.md"
    before = readme.read_text()
    code, shown = refresh(cli)
    assert code == 0 and readme.read_text() == before  # nothing written without --write
    assert {s["state"] for s in shown["sections"]} == {"new"}
    assert "+| `--level` | `2` | How hard to try. |" in shown["patch"]
    code, written = refresh(cli, "--write")
    assert code == 0 and all(s["written"] for s in written["sections"])
    text = readme.read_text()
    assert "### `tool run`" in text and "Run the pipeline." in text
    assert "| `retries` | `int` | `3` | How many times to retry. |" in text
    assert "| `name` | `str` | `'tool'` | The name shown. |" in text
    assert "| `1` | `FOUND` | Something found. |" in text
    assert "web --> db" in text and "db[db: postgres:16]" in text
    assert "Service_web --> Deployment_web" in text and "Deployment_web --> ConfigMap_web_config" in text
    assert (
        "class ToolSettings(retries: int = 3, name: str = Field(" not in text
    )  # pydantic fields are not __init__
    code, again = refresh(cli, "--write")
    assert readme.read_text() == text and again["patch"] == ""
    assert {s["state"] for s in again["sections"]} == {"current"}
    assert cli("docs", "refresh", "--check").code == 0


@pytest.mark.slow
def test_check_fails_when_the_code_moved_on_and_write_brings_it_back(cli: Any, click_project: Path) -> None:
    refresh(cli, "--write")
    git(click_project, "add", "-A")
    git(click_project, "commit", "-q", "--no-gpg-sign", "-m", "docs")
    cli_file = click_project / "src" / "tool" / "cli.py"
    cli_file.write_text(CLICK_APP.replace('"--level", default=2', '"--level", default=5'))
    result = cli("docs", "refresh", "--check")
    assert result.code == 1
    assert "README.md:3: cli: outdated" in result.stdout
    assert "+| `--level` | `5` | How hard to try. |" not in (click_project / "README.md").read_text()
    assert cli("docs", "refresh", "--write").code == 0
    assert "| `--level` | `5` | How hard to try. |" in (click_project / "README.md").read_text()


@pytest.mark.slow
def test_a_hand_edited_section_is_reported_not_overwritten_unless_forced(
    cli: Any, click_project: Path
) -> None:
    refresh(cli, "--write")
    readme = click_project / "README.md"
    edited = readme.read_text().replace("How many times to retry.", "How many retries (edited).")
    readme.write_text(edited)
    code, result = refresh(cli, "--write")
    assert code == 1
    states = {s["name"]: s for s in result["sections"]}
    assert states["config"]["state"] == "hand-edited" and not states["config"]["written"]
    assert readme.read_text() == edited
    assert cli("docs", "refresh", "--check").code == 1
    code, _ = refresh(cli, "--write", "--force")
    assert code == 0 and "How many times to retry." in readme.read_text()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("app", "entry", "expected"),
    [
        (
            TYPER_APP,
            "tool.cli:app",
            ["### `tool sweep`", "| `--depth` | `3` | How deep to go. |", "### `tool dust`"],
        ),
        (ARGPARSE_APP, "tool.cli:main", ["Count words.", "| `--top` | `10` | How many to show. |"]),
    ],
)
def test_typer_and_argparse_programs_get_their_reference(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: str, entry: str, expected: list[str]
) -> None:
    root = project(tmp_path / "tool", app, entry, sections("cli"))
    monkeypatch.chdir(root)
    code, result = refresh(cli, "--write")
    assert code == 0, result
    text = (root / "README.md").read_text()
    for line in expected:
        assert line in text


def test_rst_sections_and_bad_markers_and_unknown_generators(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "tool", CLICK_APP, "tool.cli:main", "<!-- devcopilot:begin nonsense -->\n"
                   "<!-- devcopilot:end nonsense -->\n\n<!-- devcopilot:begin env -->\n")  # fmt: skip
    (root / "docs").mkdir()
    (root / "docs" / "codes.rst").write_text(
        "Codes\n=====\n\n"
        ".. devcopilot:begin exit-codes enum=tool.errors.ExitCode\n.. devcopilot:end exit-codes\n"
    )
    monkeypatch.chdir(root)
    code, result = refresh(cli, "--write")
    assert code == 1
    states = {(s["path"], s["name"]): s for s in result["sections"]}
    assert "no generator named 'nonsense'" in states[("README.md", "nonsense")]["reason"]
    assert "has no end marker" in states[("README.md", "?")]["reason"]
    rst = (root / "docs" / "codes.rst").read_text()
    assert ".. list-table::" in rst and "     - ``FOUND``" in rst
    assert rst.rstrip().splitlines()[-1].startswith(".. devcopilot:end exit-codes sha256:")


LIB = '''\
def make(name):
    """Make a thing."""
    return name


def keep(name):
    return name


def shape(name):
    return name
'''
LIB_DOC = """\
# Lib

Call `lib.make` to get a thing; `lib.keep` keeps it.

Other prose mentions `lib.keep` only.

<!-- devcopilot:begin api object=lib -->
<!-- devcopilot:end api -->
"""


@pytest.fixture
def renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(
        tmp_path / "lib",
        {"pyproject.toml": '[project]\nname = "lib"\n', "lib/__init__.py": LIB, "docs/index.md": LIB_DOC},
    )
    (root / "lib" / "__init__.py").write_text(LIB.replace("def make(", "def build("))
    git(root, "commit", "-qam", "Rename make to build", "--no-gpg-sign")
    monkeypatch.chdir(root)
    return root


def test_since_rewrites_a_renamed_name_in_prose_and_shows_the_patch(cli: Any, renamed: Path) -> None:
    code, result = refresh(cli, "--since", "HEAD~1")
    assert code == 0, result
    [rewrite] = result["rewrites"]
    assert (rewrite["name"], rewrite["replacement"], rewrite["kept"]) == ("lib.make", "lib.build", True)
    assert "-Call `lib.make` to get a thing; `lib.keep` keeps it." in result["patch"]
    assert "+Call `lib.build` to get a thing; `lib.keep` keeps it." in result["patch"]
    assert "`lib.make`" in (renamed / "docs" / "index.md").read_text()  # nothing written without --write
    refresh(cli, "--since", "HEAD~1", "--write")
    text = (renamed / "docs" / "index.md").read_text()
    assert "Call `lib.build` to get a thing" in text and "`build(name)`" in text
    assert cli("docs", "check", "--no-run").code == 0


MODEL_DOC = """\
# Lib

Call `lib.make` to get a thing; `lib.keep` keeps it.

Then `lib.make` again, with `lib.shape`.

Once more, `lib.make` here.

<!-- devcopilot:begin api object=lib -->
`lib.make` in a generated section.
<!-- devcopilot:end api -->
"""


@pytest.fixture
def removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_llm: FakeOpenAI) -> Path:
    """``make`` removed with no replacement, so only a model can rewrite the four stale paragraphs."""
    root = make_repo(
        tmp_path / "lib",
        {
            "pyproject.toml": '[project]\nname = "lib"\n',
            "lib/__init__.py": LIB + "\n\ndef fabricate(name, size):\n    return name\n",
            "docs/index.md": MODEL_DOC,
        },
    )
    without_make = LIB.replace("def make(name):\n", "def _gone(name):\n", 1)
    (root / "lib" / "__init__.py").write_text(
        without_make + "\n\ndef fabricate(name, size):\n    return name\n"
    )
    git(root, "commit", "-qam", "Drop make", "--no-gpg-sign")
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    (root / ".devcopilot.toml").write_text(route_config(fake_llm, "writer", route="docs"))
    monkeypatch.chdir(root)
    return root


@pytest.mark.slow
def test_model_rewrites_are_kept_or_dropped_for_the_right_reason(
    cli: Any, removed: Path, fake_llm: FakeOpenAI
) -> None:
    fake_llm.script(
        "writer",
        Reply.json(
            {
                "rewrites": [
                    {"id": "P1", "text": "Call `lib.fabricate` to get a thing; `lib.keep` keeps it."},
                    {"id": "P2", "text": "Then `lib.fabricate` again."},
                    {"id": "P3", "text": "Once more, `lib.conjure` here."},
                    {"id": "P4", "text": "`lib.fabricate` in a generated section."},
                ]
            }
        ),
    )
    code, result = refresh(cli, "--since", "HEAD~1", "--write")
    assert code == 0
    outcome = {r["line"]: (r["kept"], r["reason"]) for r in result["rewrites"]}
    assert outcome[3] == (True, None)
    assert outcome[5] == (False, "lost-reference")  # `lib.shape` disappeared
    assert outcome[7] == (False, "unresolved")  # `lib.conjure` does not exist
    assert outcome[10] == (False, "generated-section")
    text = (removed / "docs" / "index.md").read_text()
    assert "Call `lib.fabricate` to get a thing; `lib.keep` keeps it." in text
    assert "Then `lib.make` again, with `lib.shape`." in text
    verdicts = result["model"]
    assert verdicts["accepted"] == 1, verdicts
    assert verdicts["dropped"] == {"lost-reference": 1, "unresolved": 1, "generated-section": 1}


def test_renames_in_one_change_are_paired_by_likeness_and_moves_by_name(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = "class HttpError(Exception):\n    pass\n\n\nclass StreamException(Exception):\n    pass\n"
    root = make_repo(
        tmp_path / "lib",
        {
            "pyproject.toml": '[project]\nname = "lib"\n',
            "lib/__init__.py": "",
            "lib/errors.py": errors,
            "lib/util.py": "def helper():\n    pass\n",
            "README.md": "# lib\n\nCatch `lib.errors.HttpError`; see `lib.util.helper`.\n",
        },
    )
    (root / "lib" / "errors.py").write_text(
        errors.replace("HttpError", "HTTPError").replace("StreamException", "StreamError")
    )
    (root / "lib" / "util.py").write_text("")
    (root / "lib" / "tools.py").write_text("def helper():\n    pass\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Rename errors, move helper", "--no-gpg-sign")
    monkeypatch.chdir(root)
    code, result = refresh(cli, "--since", "HEAD~1", "--write")
    assert code == 0, result
    assert {(r["name"], r["replacement"]) for r in result["rewrites"]} == {
        ("lib.errors.HttpError", "lib.errors.HTTPError"),
        ("lib.util.helper", "lib.tools.helper"),
    }
    assert "Catch `lib.errors.HTTPError`; see `lib.tools.helper`." in (root / "README.md").read_text()
