"""``iac generate``: a Dockerfile, a ``.dockerignore`` and a compose file made from what detect found.

Each ecosystem's template gets the same facts: the runtime's image tag (from
the detected version, else a current default, never ``latest``), the files
that pin the dependencies (copied and installed before the source, so a code
change keeps the dependency layer cached), the install, build and start
commands, the port, and the system packages split into build and run time.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devcopilot.core.errors import InputError
from devcopilot.jobs.iac.detect.model import App
from devcopilot.jobs.iac.templates import FileTemplates, RenderedFile

DEFAULTS = {
    "python": "3.12",
    "node": "22",
    "bun": "1.1",
    "go": "1.23",
    "ruby": "3.3",
    "alpine": "3.20",
    "nginx": "1.27-alpine",
    "uv": "0.5.11",
    "poetry": "1.8.5",
    "poetry_export": "1.8.0",
    "pipenv": "2024.4.0",
    "rust": "1.83",
    "debian": "bookworm",
    "java": "21",
    "deno": "2.1.4",
    "php": "8.3",
    "composer": "2.8",
    "dotnet": "8.0",
    "elixir": "1.17",
    "gleam": "v1.6.3",
    "erlang": "27",
    "gcc": "14",
}
"""Versions used when the repository pins none: current releases, each a fixed tag."""
BUILD_ONLY = frozenset({"pkg-config", "build-essential"})
TEMPLATES = {
    name: f"iac/dockerfile-{name}"
    for name in (
        "python",
        "node",
        "go",
        "ruby",
        "static",
        "rust",
        "java",
        "deno",
        "php",
        "dotnet",
        "elixir",
        "gleam",
        "cpp",
        "shell",
    )
}
DEPENDENCY_FILES = {
    "python": (
        "pyproject.toml",
        "uv.lock",
        "poetry.lock",
        "Pipfile",
        "Pipfile.lock",
        "requirements.txt",
        "README.md",
    ),
    "node": (
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "pnpm-workspace.yaml",
        "yarn.lock",
        ".yarnrc.yml",
        "bun.lockb",
        "bun.lock",
        ".npmrc",
    ),
    "go": ("go.mod", "go.sum"),
    "ruby": ("Gemfile", "Gemfile.lock"),
    "rust": ("Cargo.toml", "Cargo.lock"),
    "php": ("composer.json", "composer.lock"),
    "java": (
        "pom.xml",
        "mvnw",
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
        "settings.gradle.kts",
        "gradlew",
    ),
    "elixir": ("mix.exs", "mix.lock"),
    "gleam": ("gleam.toml", "manifest.toml"),
}


@dataclass(frozen=True)
class Generated:
    path: str
    """Where it goes, relative to the app's folder."""
    rendered: RenderedFile


def dockerfile(app: App, root: Path, templates: FileTemplates) -> list[Generated]:
    """The app's Dockerfile and .dockerignore."""
    ecosystem = "static" if app.kind == "static" else app.ecosystem
    template = TEMPLATES.get(ecosystem)
    if template is None:
        raise InputError(
            f"{app.path}: no Dockerfile template for {app.ecosystem} apps yet",
            hint="no template matches this app's ecosystem; add one in .devcopilot/templates/iac/",
        )
    if app.start is None and app.kind != "static":
        raise InputError(
            f"{app.path}: no start command found for {app.name}",
            hint="name one in a Procfile (web: ...), a start script or [project.scripts]",
        )
    folder = root / app.path
    variables = _variables(app, folder)
    ignore = templates.render_file("iac/dockerignore", {"extra": _ignored(app)})
    return [
        Generated("Dockerfile", templates.render_file(template, variables)),
        Generated(".dockerignore", ignore),
    ]


def _version(app: App, name: str, parts: int) -> str:
    found = next((r.version for r in app.runtimes if r.name == name and r.version), None)
    return ".".join(found.split(".")[:parts]) if found else DEFAULTS[name]


def _variables(app: App, folder: Path) -> dict[str, Any]:
    packages = [f.value for f in app.apt_packages]
    files = [name for name in DEPENDENCY_FILES.get(app.ecosystem, ()) if (folder / name).is_file()]
    variables: dict[str, Any] = {
        **DEFAULTS,
        "manager": app.package_manager.value if app.package_manager else None,
        "locked": app.lock_file is not None,
        "dependency_files": files or ["."],
        "requirements": (folder / "requirements.txt").is_file(),
        "build_packages": [p for p in packages if p.endswith("-dev") or p in BUILD_ONLY],
        "run_packages": [p for p in packages if not p.endswith("-dev") and p not in BUILD_ONLY],
        "port": app.port.value if app.port and app.kind != "worker" else None,
        "build": app.build.value if app.build else None,
        "install": app.install.value if app.install else None,
        "output_dir": app.output_dir.value if app.output_dir else ".",
        "command": _exec_form(app.start.value)
        if app.start
        else '["sh", "-c", "echo no start command found; exit 1"]',
    }
    variables["python"] = _version(app, "python", 2) if app.ecosystem == "python" else DEFAULTS["python"]
    variables["ruby"] = _version(app, "ruby", 2) if app.ecosystem == "ruby" else DEFAULTS["ruby"]
    variables["go"] = _version(app, "go", 2) if app.ecosystem == "go" else DEFAULTS["go"]
    if app.ecosystem in ("go", "rust", "dotnet", "elixir", "cpp"):
        variables["binary"] = app.entry.value if app.entry else "app"
    if app.ecosystem == "node" or (app.kind == "static" and app.install is not None):
        variables.update(_node(app))
    for name, parts in (
        ("rust", 2),
        ("java", 1),
        ("deno", 3),
        ("php", 2),
        ("dotnet", 2),
        ("elixir", 2),
        ("erlang", 1),
    ):
        if app.ecosystem == name:
            variables[name] = _version(app, name, parts)
    if app.ecosystem == "java":
        variables.update(_java(app, folder))
    if app.ecosystem == "dotnet":
        variables["dependency_files"] = sorted(p.name for p in folder.glob("*.*proj")) + (
            ["packages.lock.json"] if (folder / "packages.lock.json").is_file() else []
        )
    if app.ecosystem == "elixir":
        variables["extra_dirs"] = ["config"] if (folder / "config").is_dir() else []
    if app.ecosystem == "deno":
        variables["entry"] = (
            app.entry.value if app.entry and app.entry.value.endswith((".ts", ".js")) else None
        )
    return variables


def _java(app: App, folder: Path) -> dict[str, Any]:
    maven = app.package_manager is not None and app.package_manager.value == "maven"
    if maven:
        wrapper = "./mvnw" if (folder / "mvnw").is_file() else "mvn"
    else:
        wrapper = "./gradlew" if (folder / "gradlew").is_file() else "gradle"
    extra = (
        [".mvn"]
        if maven and (folder / ".mvn").is_dir()
        else ["gradle"]
        if (folder / "gradle").is_dir()
        else []
    )
    files = [n for n in DEPENDENCY_FILES["java"] if (folder / n).is_file()]
    return {
        "dependency_files": files,
        "extra_dirs": extra,
        "prefetch": f"{wrapper} -B -q dependency:go-offline"
        if maven
        else f"{wrapper} --no-daemon dependencies > /dev/null",
        "build": f"{wrapper} -B -q -DskipTests package" if maven else f"{wrapper} --no-daemon build -x test",
        "jar_dir": "target" if maven else "build/libs",
        # Without a wrapper, the build tool comes from its own image, on the same JDK.
        "build_image": (
            f"eclipse-temurin:{_version(app, 'java', 1)}-jdk"
            if wrapper.startswith("./")
            else f"maven:3.9-eclipse-temurin-{_version(app, 'java', 1)}"
            if maven
            else f"gradle:8.11-jdk{_version(app, 'java', 1)}"
        ),
    }


def _node(app: App) -> dict[str, Any]:
    manager = app.package_manager.value if app.package_manager else "npm"
    if manager == "bun":
        image, user, runner = f"oven/bun:{_version(app, 'bun', 2)}-slim", "bun", "bun"
    else:
        image, user, runner = f"node:{_version(app, 'node', 1)}-bookworm-slim", "node", "node"
    return {
        "image": image,
        "user": user,
        "uid": "1000",
        "runner": runner,
        "corepack": manager in ("pnpm", "yarn"),
    }


def _exec_form(command: str) -> str:
    """The start command in exec form when it is a plain command; through a shell when it needs one."""
    if any(token in command for token in ("$", "&&", "|", ">", "<", ";", "*")):
        return json.dumps(["sh", "-c", command])
    return json.dumps(shlex.split(command))


def _ignored(app: App) -> list[str]:
    by_ecosystem = {
        "python": ["__pycache__", "*.pyc", ".venv", "venv", ".pytest_cache", ".mypy_cache"],
        "node": ["node_modules", "npm-debug.log*", ".next", "dist", "build", "coverage"],
        "go": ["bin", "*.test"],
        "ruby": ["vendor/bundle", "log", "tmp"],
    }
    entries = by_ecosystem.get(app.ecosystem, [])
    prebuilt = (
        app.output_dir.value if app.kind == "static" and app.output_dir and app.install is None else None
    )
    return [e for e in entries if e != prebuilt]  # files served as they are must reach the image
