"""`devcopilot iac`: detection per ecosystem, generated files that pass their checks, checks of files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.envelope import result_of

SAMPLES: dict[str, dict[str, str]] = {
    "node-server": {
        "package.json": json.dumps(
            {
                "name": "shop",
                "engines": {"node": ">=20.11"},
                "scripts": {"start": "node server.js", "build": "tsc"},
                "dependencies": {"express": "^4", "pg": "^8", "ioredis": "^5"},
            }
        ),
        "package-lock.json": "{}",
        "server.js": "const app = require('express')();\napp.listen(process.env.PORT || 4000);\n",
    },
    "node-static": {
        "package.json": json.dumps(
            {
                "name": "site",
                "scripts": {"dev": "vite", "build": "vite build"},
                "devDependencies": {"vite": "^5"},
            }
        ),
        "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        "index.html": "<html></html>\n",
    },
    "bun": {
        "package.json": json.dumps({"name": "b", "scripts": {"start": "bun run index.ts"}}),
        "bun.lock": "{}",
        "index.ts": "Bun.serve({ port: 3000, fetch() { return new Response('hi'); } });\n",
    },
    "python-fastapi": {
        ".python-version": "3.12\n",
        "pyproject.toml": (
            '[project]\nname = "api"\nrequires-python = ">=3.11"\n'
            'dependencies = ["fastapi", "uvicorn", "psycopg2"]\n'
        ),
        "uv.lock": "version = 1\n",
        "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        ".env.example": "REDIS_URL=redis://localhost:6379/0\n",
    },
    "python-django": {
        "requirements.txt": "Django==5.0\ngunicorn==22.0\n",
        "manage.py": "import django\n",
        "site_app/__init__.py": "",
        "site_app/wsgi.py": "application = None\n",
    },
    "go": {
        "go.mod": "module example.com/acme/hello\n\ngo 1.22\n\nrequire github.com/lib/pq v1.10.9\n",
        "go.sum": "",
        "main.go": 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":9090", nil) }\n',
    },
    "ruby": {
        "Gemfile": 'source "https://rubygems.org"\nruby "3.2.2"\ngem "sinatra"\ngem "puma"\ngem "pg"\n',
        "Gemfile.lock": "GEM\n",
        "config.ru": "run Sinatra::Application\n",
    },
    "rust": {
        "Cargo.toml": (
            '[package]\nname = "svc"\nversion = "0.1.0"\nrust-version = "1.80"\n\n'
            '[dependencies]\naxum = "0.7"\nopenssl = "0.10"\n'
        ),
        "Cargo.lock": "",
        "src/main.rs": "fn main() {}\n",
    },
    "static": {"index.html": "<html></html>\n", "style.css": ""},
    "java": {
        "pom.xml": (
            "<project><artifactId>orders</artifactId><properties><java.version>17</java.version></properties>"
            "<dependencies><dependency><artifactId>spring-boot-starter-web</artifactId></dependency>"
            "<dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId></dependency>"
            "</dependencies></project>\n"
        ),
        "src/main/resources/application.properties": "server.port=8081\n",
    },
    "deno": {
        "deno.json": '{"tasks": {"start": "deno run main.ts"}}',
        ".deno-version": "2.1.4\n",
        "main.ts": "Deno.serve({ port: 8001 }, () => new Response('hi'));\n",
    },
    "php": {
        "composer.json": '{"name": "acme/shop", "require": {"php": "^8.2", "predis/predis": "^2"}}',
        "composer.lock": "{}",
        "public/index.php": "<?php echo 'hi';\n",
    },
    "dotnet": {
        "Api.csproj": '<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup>'
        "<TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>\n"
    },
    "elixir": {
        "mix.exs": 'defmodule Hello.MixProject do\n  def project, do: [app: :hello, elixir: "~> 1.16"]\n'
        '  defp deps, do: [{:phoenix, "~> 1.7"}, {:postgrex, ">= 0.0.0"}]\nend\n'
    },
    "gleam": {"gleam.toml": 'name = "app"\n'},
    "cpp": {"CMakeLists.txt": "cmake_minimum_required(VERSION 3.20)\nproject(tool CXX)\n"},
    "shell": {"start.sh": "#!/bin/bash\nexec ./server --port 9000\n"},
}
EXPECTED: dict[str, dict[str, Any]] = {
    "node-server": {
        "ecosystem": "node",
        "runtime": ("node", "20.11"),
        "manager": "npm",
        "start": "npm run start",
        "port": "4000",
        "kind": "server",
        "services": ["postgres", "redis"],
    },
    "node-static": {"ecosystem": "node", "manager": "pnpm", "kind": "static", "port": "8080"},
    "bun": {
        "ecosystem": "node",
        "runtime": ("bun", None),
        "manager": "bun",
        "start": "bun run start",
        "port": "3000",
    },
    "python-fastapi": {
        "ecosystem": "python",
        "runtime": ("python", "3.12"),
        "manager": "uv",
        "start": "uvicorn main:app --host 0.0.0.0 --port ${PORT:-8000}",
        "kind": "server",
        "apt": ["libpq-dev", "libpq5"],
        "services": ["postgres", "redis"],
    },
    "python-django": {
        "ecosystem": "python",
        "manager": "pip",
        "entry": "site_app.wsgi:application",
        "port": "8000",
    },
    "go": {
        "ecosystem": "go",
        "runtime": ("go", "1.22"),
        "manager": "go",
        "entry": "hello",
        "port": "9090",
        "services": ["postgres"],
    },
    "ruby": {
        "ecosystem": "ruby",
        "runtime": ("ruby", "3.2.2"),
        "manager": "bundler",
        "entry": "config.ru",
        "apt": ["libpq-dev"],
        "services": ["postgres"],
    },
    "rust": {
        "ecosystem": "rust",
        "runtime": ("rust", "1.80"),
        "manager": "cargo",
        "entry": "svc",
        "port": "8080",
        "apt": ["libssl-dev", "pkg-config"],
    },
    "static": {"ecosystem": "static", "kind": "static", "port": "8080"},
    "java": {
        "ecosystem": "java",
        "runtime": ("java", "17"),
        "manager": "maven",
        "port": "8081",
        "services": ["postgres"],
    },
    "deno": {
        "ecosystem": "deno",
        "runtime": ("deno", "2.1.4"),
        "manager": "deno",
        "entry": "main.ts",
        "port": "8001",
    },
    "php": {
        "ecosystem": "php",
        "runtime": ("php", "8.2"),
        "manager": "composer",
        "entry": "index.php",
        "port": "8080",
        "services": ["redis"],
    },
    "dotnet": {
        "ecosystem": "dotnet",
        "runtime": ("dotnet", "8.0"),
        "manager": "dotnet",
        "entry": "Api",
        "port": "8080",
    },
    "elixir": {
        "ecosystem": "elixir",
        "runtime": ("elixir", "1.16"),
        "manager": "mix",
        "entry": "hello",
        "port": "4000",
        "services": ["postgres"],
    },
    "gleam": {"ecosystem": "gleam", "manager": "gleam", "kind": "worker"},
    "cpp": {"ecosystem": "cpp", "manager": "cmake", "entry": "tool", "kind": "worker"},
    "shell": {"ecosystem": "shell", "entry": "start.sh", "port": "9000"},
}


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def detect_json(cli: Any, path: Path) -> dict[str, Any]:
    done = cli("iac", "detect", str(path), "--format", "json")
    assert done.code == 0, done.stderr
    return result_of(done.stdout, "iac", "detect")


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_each_ecosystem_is_detected_with_its_evidence(sample: str, tmp_path: Path, cli: Any) -> None:
    root = make(tmp_path / sample, SAMPLES[sample])

    (app,) = detect_json(cli, root)["apps"]

    expected = EXPECTED[sample]
    assert app["ecosystem"] == expected["ecosystem"]
    if "runtime" in expected:
        assert (app["runtimes"][0]["name"], app["runtimes"][0]["version"]) == expected["runtime"]
        assert (root / app["runtimes"][0]["evidence"].split(":")[0]).exists()
    for key, field in (
        ("manager", "package_manager"),
        ("start", "start"),
        ("entry", "entry"),
        ("port", "port"),
    ):
        if key in expected:
            assert app[field]["value"] == expected[key], field
            assert (root / app[field]["evidence"].split(":")[0]).exists(), "evidence names a real file"
    assert app["kind"] == expected.get("kind", app["kind"])
    assert [f["value"] for f in app["apt_packages"]] == expected.get("apt", [])
    assert [f["value"] for f in app["services"]] == expected.get("services", [])


def test_a_repository_of_services_gives_one_app_each_and_one_compose(tmp_path: Path, cli: Any) -> None:
    root = tmp_path / "stack"
    make(root / "api", SAMPLES["python-fastapi"])
    make(root / "web", SAMPLES["node-static"])
    (root / "README.md").write_text("# stack\n")

    apps = detect_json(cli, root)["apps"]
    done = cli("iac", "generate", "compose", "--path", str(root), "--write")

    assert sorted(a["path"] for a in apps) == ["api", "web"]
    assert done.code == 0, done.stderr
    document = yaml.safe_load((root / "compose.yaml").read_text())
    assert set(document["services"]) == {"api", "site", "postgres", "redis"}
    assert document["services"]["api"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert document["services"]["api"]["build"]["context"] == "./api"
    assert "POSTGRES_PASSWORD=change-me" in (root / ".env.example").read_text()
    checked = cli("iac", "check", str(root / "compose.yaml"), "--format", "json", "--fail-on", "warning")
    assert checked.code == 0, checked.stdout
    report = result_of(checked.stdout, "iac", "check")
    assert (
        report["findings"] == []
        and {"name": "compose-schema", "status": "ran", "reason": None} in report["tools"]
    )


def test_a_folder_nothing_matches_is_one_clear_line(tmp_path: Path, cli: Any) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")

    done = cli("iac", "detect", str(tmp_path))

    assert done.code == 2 and "nothing devcopilot can build here" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_the_generated_dockerfile_passes_hadolint_and_the_built_in_rules(
    sample: str, tmp_path: Path, cli: Any
) -> None:
    root = make(tmp_path / sample, SAMPLES[sample])

    written = cli("iac", "generate", "dockerfile", "--path", str(root), "--write")
    checked = cli("iac", "check", str(root / "Dockerfile"), "--format", "json", "--fail-on", "warning")

    assert written.code == 0, written.stderr
    report = result_of(checked.stdout, "iac", "check")
    assert checked.code == 0, report["findings"]
    assert {"name": "hadolint", "status": "ran", "reason": None} in report["tools"]
    text = (root / "Dockerfile").read_text()
    assert re.search(r"^USER [1-9]\d*:[1-9]\d*$", text, re.MULTILINE), "a numeric non-root user"
    assert ":latest" not in text and (root / ".dockerignore").is_file()
    assert (
        "HEALTHCHECK NONE" in text if EXPECTED[sample].get("kind") == "worker" else "HEALTHCHECK --" in text
    )


def test_nothing_is_written_without_write_and_nothing_replaced_silently(tmp_path: Path, cli: Any) -> None:
    root = make(tmp_path / "app", SAMPLES["go"])

    shown = cli("iac", "generate", "dockerfile", "--path", str(root))
    assert (
        shown.code == 0 and "FROM golang:1.22-alpine" in shown.stdout and not (root / "Dockerfile").exists()
    )
    assert "nothing written" in shown.stdout

    first = result_of(
        cli("iac", "generate", "dockerfile", "--path", str(root), "--write", "--json").stdout,
        "iac",
        "generate",
    )
    again = result_of(
        cli("iac", "generate", "dockerfile", "--path", str(root), "--write", "--json").stdout,
        "iac",
        "generate",
    )
    (root / "Dockerfile").write_text("FROM scratch\n")
    diffed = cli("iac", "generate", "dockerfile", "--path", str(root))
    kept = (root / "Dockerfile").read_text()
    replaced = result_of(
        cli("iac", "generate", "dockerfile", "--path", str(root), "--write", "--json").stdout,
        "iac",
        "generate",
    )

    assert [f["status"] for f in first["files"]] == ["written", "written"]
    assert [f["status"] for f in again["files"]] == ["unchanged", "unchanged"]
    assert "-FROM scratch" in diffed.stdout and kept == "FROM scratch\n"
    assert replaced["files"][0]["status"] == "replaced"
    assert (
        first["files"][0]["template"] == "iac/dockerfile-go"
        and len(first["files"][0]["template_sha256"]) == 64
    )


def test_a_repository_template_overrides_the_built_in_one(tmp_path: Path, cli: Any) -> None:
    root = make(tmp_path / "app", SAMPLES["go"])
    override = root / ".devcopilot" / "templates" / "iac" / "dockerfile-go.j2"
    override.parent.mkdir(parents=True)
    override.write_text(
        "---\nid: iac/dockerfile-go\nversion: 2.0.0\ndescription: ours\n---\nFROM golang:{{ go }}\n"
    )

    generated = result_of(
        cli("iac", "generate", "dockerfile", "--path", str(root), "--json").stdout, "iac", "generate"
    )

    dockerfile = generated["files"][0]
    assert (dockerfile["overridden"], dockerfile["template_version"]) == (True, "2.0.0")
    assert dockerfile["content"] == "FROM golang:1.22\n"


BAD_DOCKERFILE = """FROM python
ENV API_TOKEN=hunter2-very-secret
ADD https://example.com/tool.tar.gz /opt/
EXPOSE 8000
CMD ["python", "app.py"]
"""


def test_check_reports_what_hurts_with_lines_and_exit_codes(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(BAD_DOCKERFILE)
    (tmp_path / "compose.yaml").write_text(
        "services:\n  db:\n    image: postgres\n    privileged: true\n"
        "    environment:\n      POSTGRES_PASSWORD: s3cret-pass\n"
    )

    done = cli("iac", "check", "--format", "json")
    sarif = cli("iac", "check", "--format", "sarif")

    assert done.code == 1
    found = {(f["path"], f["line"], f["rule"]) for f in result_of(done.stdout, "iac", "check")["findings"]}
    assert {
        ("Dockerfile", 1, "iac/unpinned-base-image"),
        ("Dockerfile", 2, "iac/secret-in-image"),
        ("Dockerfile", 3, "iac/add-url"),
        ("Dockerfile", 1, "iac/root-user"),
        ("Dockerfile", 4, "iac/no-healthcheck"),
        ("compose.yaml", 3, "iac/unpinned-image"),
        ("compose.yaml", 4, "iac/privileged"),
        ("compose.yaml", 6, "iac/secret-in-compose"),
    } <= found
    assert any(rule.startswith("hadolint/") for _, _, rule in found)
    assert json.loads(sarif.stdout)["runs"][0]["results"]


def test_suppressions_and_the_baseline_leave_findings_out_and_count_them(repo: Path, cli: Any) -> None:
    tmp_path = repo
    (tmp_path / "Dockerfile").write_text(
        "# devcopilot: ignore[iac/unpinned-base-image] pinned by the platform team's mirror\nFROM python\n"
        'USER 10001\nCMD ["python"]\n'
    )

    first = result_of(cli("iac", "check", "--json").stdout, "iac", "check")
    baseline = cli("iac", "check", "--write-baseline")
    second = cli("iac", "check", "--json", "--fail-on", "info")

    assert "iac/unpinned-base-image" not in {f["rule"] for f in first["findings"]}
    assert first["left_out"]["suppressed"] == 1
    assert baseline.code == 0 and (tmp_path / ".devcopilot-baseline.json").is_file()
    assert second.code == 0 and result_of(second.stdout, "iac", "check")["findings"] == []


@pytest.mark.parametrize(
    ("name", "content", "rule", "line"),
    [
        ("compose.yaml", "services:\n  web:\n    image: [unclosed\n", "iac/parse-error", 3),
        ("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n    ports: 8080\n", "compose/schema", 4),
        ("Dockerfile", "FROM alpine:3.20\n!!! not an instruction\n", "iac/parse-error", 2),
        ("Dockerfile", "# only a comment\n", "iac/parse-error", 1),
    ],
)
def test_a_file_that_does_not_parse_is_a_finding_with_its_line(
    tmp_path: Path, cli: Any, name: str, content: str, rule: str, line: int
) -> None:
    (tmp_path / name).write_text(content)

    done = cli("iac", "check", str(tmp_path / name), "--json")

    assert done.code == 1 and "Traceback" not in done.stderr
    assert (rule, line) in {
        (f["rule"], f["line"]) for f in result_of(done.stdout, "iac", "check")["findings"]
    }


def test_a_missing_path_is_one_clear_line(tmp_path: Path, cli: Any) -> None:
    done = cli("iac", "check", str(tmp_path / "nope"))

    assert done.code == 2 and "no such file or folder" in done.stderr and "Traceback" not in done.stderr


def test_an_app_with_nothing_to_start_gets_no_dockerfile_but_a_clear_line(tmp_path: Path, cli: Any) -> None:
    root = make(tmp_path / "lib", {"requirements.txt": "requests\n", "lib/__init__.py": ""})

    done = cli("iac", "generate", "dockerfile", "--path", str(root), "--write")

    assert done.code == 2 and "no start command found" in done.stderr
    assert not (root / "Dockerfile").exists()


def test_a_worker_says_it_has_nothing_to_probe(tmp_path: Path, cli: Any) -> None:
    root = make(tmp_path / "bot", {"requirements.txt": "requests\n", "bot.py": "print('hi')\n"})

    shown = cli("iac", "generate", "dockerfile", "--path", str(root))

    assert shown.code == 0 and "HEALTHCHECK NONE" in shown.stdout and "EXPOSE" not in shown.stdout
