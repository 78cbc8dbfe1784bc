"""``docs check``: a real small project (a click CLI, settings, Markdown and RST docs) in a git repository."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.conftest import commit, make_repo

PYPROJECT = """\
[project]
name = "sample"
version = "1.0"

[project.scripts]
sample = "sample.cli:main"
"""
INIT = '''\
"""Sample: a client and a maker.

Use :func:`make` to build a :class:`Client`; :meth:`Client.send` sends.
"""
from .core import Client, make

__all__ = ["Client", "make"]
'''
CORE = '''\
import os


class Client:
    """A client. See :meth:`send`."""

    timeout = 5

    def send(self, data: str) -> str:
        return data.upper()


def make(name: str) -> Client:
    """Build a client; reads ``SAMPLE_HOME``.

    >>> make("x").send("hi")
    'HI'
    """
    os.environ.get("SAMPLE_HOME")
    return Client()
'''
CLI = """\
import click


@click.group()
def main():
    pass


@main.command()
@click.option("--fast", is_flag=True)
@click.option("--level", default=1)
def run(fast, level):
    click.echo("ran")
"""
INDEX = """\
# Sample

```{currentmodule} sample
```

Call `sample.Client.send` or {func}`make`; `Client.timeout` is 5 seconds.
The old `sample.Client.fetch` is still documented here.
`sample.Client.receive` was removed in 2.0: use `send`.

See [the guide](guide.rst), [usage](#usage), [nowhere](#no-such-heading) and [gone](missing.md).

Set `SAMPLE_HOME` to a folder; `SAMPLE_TOKEN` is read too.

## Usage

```console
$ sample run --fast --level 2
$ sample run --turbo
$ sample deploy
$ git log --turbo
```

```python
import sample

client = sample.make("a")
assert client.send("x") == "X"
sample.Client.fetch(client)
```

```python
import socket

socket.create_connection(("example.com", 80))
```

```pycon
>>> sample.make("b").send("ok")
'OK!'
```

```python
import time

time.sleep(60)
```
"""
GUIDE = """\
Guide
=====

.. currentmodule:: sample

.. autofunction:: make

Use :class:`sample.Missing` to fail, and ``sample.Client`` to send.
:func:`os.path.join` is not ours to judge.
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_repo(
        tmp_path / "sample",
        {
            "pyproject.toml": PYPROJECT,
            "src/sample/__init__.py": INIT,
            "src/sample/core.py": CORE,
            "src/sample/cli.py": CLI,
            "docs/index.md": INDEX,
            "docs/guide.rst": GUIDE,
        },
    )
    monkeypatch.chdir(root)
    return root


def findings(result: Any) -> list[dict[str, Any]]:
    return list(json.loads(result.stdout)["result"]["findings"])


def messages(items: list[dict[str, Any]], rule: str) -> list[str]:
    return [f"{f['path']}:{f['line']} {f['message']}" for f in items if f["rule"] == rule]


@pytest.mark.slow
def test_each_kind_of_stale_claim_is_reported_where_it_is(cli: Any, project: Path) -> None:
    result = cli("docs", "check", "--format", "json")
    assert result.code == 1, result.stderr
    items = findings(result)
    stale = messages(items, "docs/stale-reference")
    assert any(m.startswith("docs/index.md:7 ") and "sample.Client.fetch" in m for m in stale), stale
    assert any(m.startswith("docs/index.md:28 ") and "sample.Client.fetch" in m for m in stale), stale
    assert any(m.startswith("docs/guide.rst:8 ") and "sample.Missing" in m for m in stale), stale
    # Names that resolve, another library's, and a sentence about the past are never reported.
    assert not any(word in m for m in stale for word in ("receive", "os.path", "send` ", "make`", "timeout"))
    links = messages(items, "docs/broken-link")
    assert sorted(m.split(" ", 1)[0] for m in links) == ["docs/index.md:10", "docs/index.md:10"]
    assert any("#no-such-heading" in m for m in links) and any("missing.md" in m for m in links)
    assert messages(items, "docs/unknown-option") == [
        "docs/index.md:18 `sample run --turbo`: sample run has no option --turbo"
    ]
    assert messages(items, "docs/unknown-command") == [
        "docs/index.md:19 `sample deploy`: sample has no command 'deploy'"
    ]
    settings = messages(items, "docs/unknown-setting")
    assert settings == ["docs/index.md:12 `SAMPLE_TOKEN` is not an environment variable sample reads"]
    failing = messages(items, "docs/code-fails")
    assert any(m.startswith("docs/index.md:28 ") and "fetch" in m for m in failing), failing
    assert any("'OK!'" in m and "'OK'" in m for m in failing), failing
    # The block that opens a socket is skipped with its reason, and the docstring's doctest passed.
    assert not any("socket" in m or "core.py" in m for m in failing)
    counted = json.loads(result.stdout)["result"]["not_run"]
    assert any("network" in reason for reason in counted), counted
    assert any("did not finish" in reason for reason in counted), counted


@pytest.mark.slow
def test_since_reports_only_what_the_change_broke_with_its_commit(cli: Any, project: Path) -> None:
    renamed = CORE.replace("def make(", "def build(").replace('make("x")', 'build("x")')
    sha = commit(
        project,
        {"src/sample/core.py": renamed, "src/sample/__init__.py": INIT.replace("make", "build")},
        "Rename make to build",
        "2026-01-02T00:00:00",
    )
    without_level = CLI.replace('@click.option("--level", default=1)\n', "").replace("fast, level", "fast")
    option_sha = commit(project, {"src/sample/cli.py": without_level}, "Drop --level", "2026-01-03T00:00:00")
    result = cli("docs", "check", "--since", "HEAD~2", "--no-run", "--format", "json")
    assert result.code == 1, result.stderr
    document = json.loads(result.stdout)["result"]
    stale = messages(document["findings"], "docs/stale-reference")
    assert stale and all("make" in m and sha[:10] in m and "Rename make to build" in m for m in stale), stale
    assert {"docs/index.md", "docs/guide.rst"} <= {f["path"] for f in document["findings"]}
    options = messages(document["findings"], "docs/unknown-option")
    assert options == [
        "docs/index.md:17 `sample run --level`: sample run has no option --level; "
        f"broken by {option_sha[:10]} (Drop --level)"
    ]
    # What was stale before the change (Client.fetch, --turbo, a broken link) is counted, not shown.
    assert not any("fetch" in m for m in stale)
    assert not messages(document["findings"], "docs/broken-link")
    assert {b["commit"] for b in document["breakages"]} == {sha, option_sha}
    suggestion = [f["suggestion"] for f in document["findings"] if f["rule"] == "docs/stale-reference"]
    assert all(s is None or "build" in s for s in suggestion)


def test_inline_suppressions_and_the_baseline_leave_findings_out_counted(cli: Any, project: Path) -> None:
    index = project / "docs" / "index.md"
    text = index.read_text().replace(
        "The old `sample.Client.fetch`",
        "<!-- devcopilot: ignore[docs/stale-reference] for 1.x readers -->\nThe old `sample.Client.fetch`",
    )
    commit(project, {"docs/index.md": text}, "Keep the old name", "2026-01-03T00:00:00")
    first = cli("docs", "check", "docs/index.md", "--no-run", "--format", "json")
    document = json.loads(first.stdout)["result"]
    assert document["left_out"]["suppressed"] == 1
    assert not any(f["line"] == 8 and f["rule"] == "docs/stale-reference" for f in document["findings"])
    assert cli("docs", "check", "--no-run", "--write-baseline").code == 0
    again = cli("docs", "check", "--no-run")
    assert again.code == 0, again.stdout
    assert "baselined" in again.stdout


def test_sarif_and_github_formats_carry_the_findings(cli: Any, project: Path) -> None:
    sarif = json.loads(cli("docs", "check", "docs/guide.rst", "--no-run", "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["docs/stale-reference"]
    github = cli("docs", "check", "docs/guide.rst", "--no-run", "--format", "github").stdout
    assert github.startswith("::error file=docs/guide.rst,line=8")


def test_bad_input_gets_one_line_and_exit_2(cli: Any, project: Path) -> None:
    (project / "docs" / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    (project / "docs" / "latin.rst").write_bytes("caf\xe9 ``sample.Nope``\n".encode("latin-1"))
    # Markup no renderer would accept: an unclosed fence, a role with no end, a directive with no body.
    (project / "docs" / "broken.md").write_text(
        "# T\n\n```python\nimport sample\nsample.Gone\n\n[x](\n`unclosed\n"
    )
    (project / "docs" / "broken.rst").write_text(".. autofunction::\n\n:func:`sample.\n\n``sample.Gone\n=\n")
    done = cli("docs", "check", "docs", "--no-run", "--format", "json")
    assert done.code == 1 and "Traceback" not in done.stderr
    document = json.loads(done.stdout)["result"]
    skipped = document["skipped"]
    assert "binary" in skipped["docs/binary.md"] and "UTF-8" in skipped["docs/latin.rst"]
    # The unclosed fence is still read as code: its stale name is found at its line.
    assert "docs/broken.md:5 `sample.Gone` names nothing in sample: `sample.Gone` does not exist" in messages(
        document["findings"], "docs/stale-reference"
    )
    for args in (("docs", "check", "nowhere"), ("docs", "check", "--since", "no-such-ref")):
        result = cli(*args)
        assert result.code == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_cli_that_fails_to_import_is_skipped_with_the_reason(cli: Any, project: Path) -> None:
    (project / "src" / "sample" / "cli.py").write_text("import no_such_module\n")
    result = cli("docs", "check", "docs/index.md", "--no-run", "--format", "json")
    document = json.loads(result.stdout)["result"]
    assert not messages(document["findings"], "docs/unknown-option")
    assert any("no_such_module" in reason for reason in document["not_run"]), document["not_run"]


def test_argparse_programs_are_described_without_running_them(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(
        tmp_path / "tool",
        {
            "pyproject.toml": '[project]\nname = "tool"\n[project.scripts]\ntool = "tool:main"\n',
            "tool/__init__.py": (
                "import argparse, pathlib\n\n\ndef main():\n"
                "    pathlib.Path('ran').write_text('x')\n"
                "    parser = argparse.ArgumentParser()\n"
                "    sub = parser.add_subparsers()\n"
                "    build = sub.add_parser('build')\n"
                "    build.add_argument('--out')\n"
                "    parser.parse_args()\n"
            ),
            "README.md": "# tool\n\n```sh\ntool build --out x\ntool build --in y\ntool push\n```\n",
        },
    )
    monkeypatch.chdir(root)
    result = cli("docs", "check", "README.md", "--no-run", "--format", "json")
    items = findings(result)
    assert messages(items, "docs/unknown-option") == [
        "README.md:5 `tool build --in`: tool build has no option --in"
    ]
    assert messages(items, "docs/unknown-command") == ["README.md:6 `tool push`: tool has no command 'push'"]
    assert not (root / "ran").exists()  # the sandbox ran it on a copy; the user's tree is untouched


def test_freshness_compares_each_document_with_the_code_it_cites(cli: Any, project: Path) -> None:
    commit(project, {"src/sample/core.py": CORE + "\n# later\n"}, "Touch the code", "2030-01-01T00:00:00")
    result = cli("docs", "check", "--no-run", "--format", "json")
    fresh = {d["path"]: d for d in json.loads(result.stdout)["result"]["freshness"]["documents"]}
    assert fresh["docs/index.md"]["fresh"] is False
    assert fresh["docs/index.md"]["code_updated"].startswith("2030-01-01")
    assert "freshness: 0% of" in cli("docs", "check", "--no-run").stdout


class _Links(http.server.BaseHTTPRequestHandler):
    STATUS: ClassVar[dict[str, int]] = {"/ok": 200, "/gone": 404, "/busy": 429, "/down": 503}

    def do_HEAD(self) -> None:
        self.send_response(self.STATUS.get(self.path, 404))
        self.end_headers()

    def do_GET(self) -> None:
        self.do_HEAD()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def link_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Links)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_external_links_are_fetched_only_with_links_and_only_404_is_broken(
    cli: Any, project: Path, link_server: str
) -> None:
    page = "".join(f"- [{name}]({link_server}/{name})\n" for name in ("ok", "gone", "busy", "down"))
    (project / "docs" / "links.md").write_text(f"# Links\n\n{page}")
    offline = json.loads(cli("docs", "check", "docs/links.md", "--no-run", "--format", "json").stdout)[
        "result"
    ]
    assert offline["findings"] == []
    assert offline["not_run"] == {"external links (add --links to fetch them)": 4}
    fetched = json.loads(
        cli("docs", "check", "docs/links.md", "--no-run", "--links", "--format", "json").stdout
    )
    broken = [(f["line"], f["rule"]) for f in fetched["result"]["findings"]]
    assert broken == [(4, "docs/broken-url")]
    assert sum(n for reason, n in fetched["result"]["not_run"].items() if "not judged" in reason) == 2
