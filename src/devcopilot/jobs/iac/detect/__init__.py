"""``iac detect``: what a repository is, app by app, each conclusion with its evidence.

Detectors form a registry, one per ecosystem, tried in order: the first that
recognises a folder describes its app; a Node.js manifest beside another
ecosystem's adds the node runtime its assets need. Workspaces (npm, yarn, pnpm,
uv) and folders of independent services give one app per deployable package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from devcopilot.core.errors import InputError
from devcopilot.jobs.iac.detect.compiled import (
    DotnetDetector,
    ElixirDetector,
    GleamDetector,
    GoDetector,
    JavaDetector,
    NativeDetector,
    RustDetector,
)
from devcopilot.jobs.iac.detect.files import SKIPPED_DIRS, Repo
from devcopilot.jobs.iac.detect.model import App, Detection, Runtime
from devcopilot.jobs.iac.detect.node import NodeDetector
from devcopilot.jobs.iac.detect.python import PythonDetector
from devcopilot.jobs.iac.detect.scripted import (
    DenoDetector,
    PhpDetector,
    RubyDetector,
    ShellDetector,
    StaticDetector,
)


class Detector(Protocol):
    ecosystem: str

    def applies(self, repo: Repo) -> bool: ...

    def detect(self, repo: Repo) -> App: ...


class _WeakPython(PythonDetector):
    """Python recognised by its ``.py`` files alone: after Node.js, whose apps may carry a script."""

    def applies(self, repo: Repo) -> bool:
        return bool(repo.glob("*.py"))


DETECTORS: tuple[Detector, ...] = (
    DenoDetector(),
    RubyDetector(),
    PhpDetector(),
    ElixirDetector(),
    GleamDetector(),
    GoDetector(),
    RustDetector(),
    JavaDetector(),
    DotnetDetector(),
    NativeDetector(),
    PythonDetector(),
    NodeDetector(),
    _WeakPython(),
    ShellDetector(),
    StaticDetector(),
)
MAX_DEPTH = 2


def detect_folder(root: Path, folder: Path) -> App | None:
    repo = Repo(root, folder)
    detector = next((d for d in DETECTORS if d.applies(repo)), None)
    if detector is None:
        return None
    app = detector.detect(repo)
    if app.ecosystem not in ("node", "deno") and repo.exists("package.json"):
        node = NodeDetector().detect(repo)
        app.runtimes += [r for r in node.runtimes if r.name not in {x.name for x in app.runtimes}] or [
            Runtime(name="node", version=None, evidence=repo.rel("package.json"))
        ]
    return app


def detect(root: Path) -> Detection:
    """Every deployable app under ``root``; an ``InputError`` when there is none."""
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    apps: list[App] = []
    top = detect_folder(root, root)
    members = [m for m in _workspace_members(root) if m != root]
    for member in members:
        app = detect_folder(root, member)
        if app is None:
            continue
        if top is not None and top.ecosystem == app.ecosystem:
            # A workspace installs its members together: their needs are the root's too.
            top.apt_packages += [
                f for f in app.apt_packages if f.value not in {x.value for x in top.apt_packages}
            ]
            top.services += [f for f in app.services if f.value not in {x.value for x in top.services}]
        if app.start is not None or app.kind == "static":
            apps.append(app)
    if top is not None and (not apps or top.start is not None or top.kind == "static"):
        apps.insert(0, top)
    if not apps:
        apps = [app for folder in _service_folders(root) if (app := detect_folder(root, folder)) is not None]
    if not apps:
        raise InputError(
            f"{root}: nothing devcopilot can build here",
            hint="no package.json, pyproject.toml, requirements.txt, go.mod, Cargo.toml, Gemfile, pom.xml, "
            "composer.json, index.html...",
        )
    return Detection(root=str(root), apps=apps)


def _workspace_members(root: Path) -> list[Path]:
    repo = Repo(root, root)
    patterns: list[str] = []
    package = repo.json("package.json") or {}
    declared = package.get("workspaces")
    if isinstance(declared, dict):
        declared = declared.get("packages")
    if isinstance(declared, list):
        patterns += [str(p) for p in declared]
    pnpm = repo.text("pnpm-workspace.yaml")
    if pnpm:
        import yaml  # noqa: PLC0415 - only workspaces need it

        try:
            loaded = yaml.safe_load(pnpm) or {}
        except yaml.YAMLError:
            loaded = {}
        patterns += [str(p) for p in (loaded.get("packages") or []) if isinstance(loaded, dict)]
    uv = (((repo.toml("pyproject.toml") or {}).get("tool") or {}).get("uv") or {}).get("workspace") or {}
    patterns += [str(p) for p in uv.get("members") or []]
    folders: list[Path] = []
    for pattern in patterns:
        if pattern.startswith("!"):
            continue
        for folder in sorted(root.glob(pattern.rstrip("/"))):
            if folder.is_dir() and folder not in folders:
                folders.append(folder)
    return folders


def _service_folders(root: Path) -> list[Path]:
    """Folders (two levels down at most) that hold an app of their own: a repository of services."""
    found: list[Path] = []

    def walk(folder: Path, depth: int) -> None:
        for child in sorted(p for p in folder.iterdir() if p.is_dir()):
            if child.name in SKIPPED_DIRS or child.name.startswith("."):
                continue
            repo = Repo(root, child)
            if any(
                d.applies(repo) for d in DETECTORS if d.ecosystem not in ("static", "shell", "python")
            ) or PythonDetector().applies(repo):
                found.append(child)
            elif depth < MAX_DEPTH:
                walk(child, depth + 1)

    walk(root, 1)
    return found
