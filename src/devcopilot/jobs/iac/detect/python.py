"""Python: pip, uv, Poetry, Pipenv, PDM; Django, FastAPI, Flask and plain scripts; what runs it."""

from __future__ import annotations

import re
from typing import Any

from devcopilot.jobs.iac.detect.common import (
    entry_of,
    needs_of,
    new_app,
    port_in,
    procfile_web,
    tool_version,
    version_in,
)
from devcopilot.jobs.iac.detect.files import Repo, mapping
from devcopilot.jobs.iac.detect.model import App, Fact, Runtime

MARKERS = ("pyproject.toml", "requirements.txt", "Pipfile", "setup.py", "uv.lock", "poetry.lock", "manage.py")
SCRIPTS = ("main.py", "app.py", "server.py", "bot.py", "run.py", "wsgi.py", "asgi.py")
_ASGI = re.compile(
    r"^(\w+)\s*=\s*(?:FastAPI|Starlette|Quart|FastHTML|fast_app)\b|^(\w+)\s*,\s*\w+\s*=\s*fast_app\(",
    re.MULTILINE,
)
_WSGI = re.compile(r"^(\w+)\s*=\s*(?:Flask|Bottle|Falcon|falcon\.App)\(", re.MULTILINE)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)")


class PythonDetector:
    ecosystem = "python"

    def applies(self, repo: Repo) -> bool:
        return any(repo.exists(name) for name in MARKERS)

    def detect(self, repo: Repo) -> App:
        project = repo.toml("pyproject.toml") or {}
        meta = mapping(project.get("project"))
        name = str(meta.get("name") or repo.folder.name)
        app = new_app(repo, name, "python")
        deps = _dependencies(repo, project)
        app.package_manager, app.lock_file, app.install = _manager(repo, project)
        app.runtimes = [_runtime(repo, meta)]
        app.framework, app.start, app.entry = _start(repo, deps, meta)
        if app.start is None or (app.framework is None and not any(port_in(repo.text(s)) for s in SCRIPTS)):
            app.kind = "worker"
        else:
            found = next(((s, p) for s in SCRIPTS if (p := port_in(repo.text(s)))), None)
            app.port = (
                Fact(value=found[1], evidence=repo.where(found[0], found[1]))
                if found
                else Fact(value="8000", evidence=app.start.evidence)
            )
        app.apt_packages, app.services = needs_of(
            repo, "python", deps, [*SCRIPTS, "settings.py", "config.py"]
        )
        return app


def _dependencies(repo: Repo, project: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    meta = mapping(project.get("project"))
    for entry in meta.get("dependencies") or []:
        match = _REQUIREMENT.match(str(entry))
        if match:
            found.setdefault(match.group(1), repo.where("pyproject.toml", match.group(1)))
    poetry = ((project.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}
    for key in poetry:
        if key != "python":
            found.setdefault(str(key), repo.where("pyproject.toml", str(key)))
    for requirements in ("requirements.txt", *repo.glob("requirements/*.txt")):
        for line in (repo.text(requirements) or "").splitlines():
            match = _REQUIREMENT.match(line)
            if match and not line.lstrip().startswith(("-", "#")):
                found.setdefault(match.group(1), repo.where(requirements, line.strip()))
    pipfile = repo.toml("Pipfile") or {}
    for key in pipfile.get("packages") or {}:
        found.setdefault(str(key), repo.where("Pipfile", str(key)))
    return found


def _manager(  # noqa: PLR0911 - one answer per tool, in order of precedence
    repo: Repo, project: dict[str, Any]
) -> tuple[Fact | None, Fact | None, Fact | None]:
    tool = project.get("tool") or {}
    if repo.exists("uv.lock") or "uv" in tool:
        lock = Fact(value="uv.lock", evidence="uv.lock") if repo.exists("uv.lock") else None
        evidence = repo.rel("uv.lock") if lock else repo.where("pyproject.toml", "[tool.uv")
        command = "uv sync --locked --no-dev" if lock else "uv sync --no-dev"
        return Fact(value="uv", evidence=evidence), _rel(repo, lock), Fact(value=command, evidence=evidence)
    if repo.exists("poetry.lock") or "poetry" in tool:
        evidence = (
            repo.rel("poetry.lock") if repo.exists("poetry.lock") else repo.where("pyproject.toml", "poetry")
        )
        lock = Fact(value="poetry.lock", evidence=evidence) if repo.exists("poetry.lock") else None
        return (
            Fact(value="poetry", evidence=evidence),
            lock,
            Fact(value="poetry install --only main", evidence=evidence),
        )
    if repo.exists("Pipfile"):
        lock = (
            Fact(value="Pipfile.lock", evidence=repo.rel("Pipfile.lock"))
            if repo.exists("Pipfile.lock")
            else None
        )
        command = "pipenv install --deploy --system" if lock else "pipenv install --system"
        return (
            Fact(value="pipenv", evidence=repo.rel("Pipfile")),
            lock,
            Fact(value=command, evidence=repo.rel("Pipfile")),
        )
    if repo.exists("pdm.lock"):
        return (
            Fact(value="pdm", evidence=repo.rel("pdm.lock")),
            Fact(value="pdm.lock", evidence=repo.rel("pdm.lock")),
            Fact(value="pdm install --prod", evidence=repo.rel("pdm.lock")),
        )
    if repo.exists("requirements.txt"):
        evidence = repo.rel("requirements.txt")
        return (
            Fact(value="pip", evidence=evidence),
            None,
            Fact(value="pip install -r requirements.txt", evidence=evidence),
        )
    if repo.exists("pyproject.toml") or repo.exists("setup.py"):
        evidence = repo.rel("pyproject.toml" if repo.exists("pyproject.toml") else "setup.py")
        return Fact(value="pip", evidence=evidence), None, Fact(value="pip install .", evidence=evidence)
    return None, None, None  # scripts with no declared dependencies: nothing to install


def _rel(repo: Repo, lock: Fact | None) -> Fact | None:
    return Fact(value=lock.value, evidence=repo.rel(lock.value)) if lock else None


def _runtime(repo: Repo, meta: dict[str, Any]) -> Runtime:
    pinned = tool_version(repo, "python", ".python-version")
    if pinned is not None:
        return pinned
    runtime_txt = repo.first_line("runtime.txt")
    if runtime_txt:
        return Runtime(
            name="python", version=version_in(runtime_txt), evidence=repo.where("runtime.txt", runtime_txt)
        )
    requires = meta.get("requires-python")
    if requires:
        return Runtime(
            name="python",
            version=version_in(str(requires)),
            evidence=repo.where("pyproject.toml", "requires-python"),
        )
    return Runtime(
        name="python",
        version=None,
        evidence=repo.rel("pyproject.toml") if repo.exists("pyproject.toml") else ".",
    )


def _start(  # noqa: PLR0911 - one answer per way an app is started, in order of precedence
    repo: Repo, deps: dict[str, str], meta: dict[str, Any]
) -> tuple[Fact | None, Fact | None, Fact | None]:
    """The framework, the start command, and the module, script or console script it runs."""
    names = {d.lower().replace("_", "-") for d in deps}
    procfile = procfile_web(repo)
    if procfile is not None:
        return None, procfile, Fact(value=entry_of(procfile.value), evidence=procfile.evidence)
    if repo.exists("manage.py"):
        wsgi = next(iter(repo.glob("*/wsgi.py")), None)
        if wsgi is not None:
            module = wsgi.removesuffix(".py").replace("/", ".")
            entry = Fact(value=f"{module}:application", evidence=repo.rel(wsgi))
            server = "gunicorn" if "gunicorn" in names else "python manage.py runserver 0.0.0.0:${PORT:-8000}"
            command = (
                f"gunicorn --bind 0.0.0.0:${{PORT:-8000}} {entry.value}" if server == "gunicorn" else server
            )
            return (
                Fact(value="django", evidence=repo.rel("manage.py")),
                Fact(value=command, evidence=entry.evidence),
                entry,
            )
    others = [
        name for name in repo.glob("*.py") if name not in SCRIPTS and not name.startswith(("test", "setup"))
    ]
    for script in (*SCRIPTS, *repo.glob("src/*/main.py"), *repo.glob("app/main.py"), *others):
        text = repo.text(script) or ""
        asgi = _ASGI.search(text)
        if asgi and script.endswith(".py"):
            variable = asgi.group(1) or asgi.group(2)
            module = script.removesuffix(".py").replace("/", ".")
            entry = Fact(value=f"{module}:{variable}", evidence=repo.where(script, variable))
            framework = (
                "fastapi" if "fastapi" in names else "fasthtml" if "python-fasthtml" in names else "asgi"
            )
            command = f"uvicorn {entry.value} --host 0.0.0.0 --port ${{PORT:-8000}}"
            return (
                Fact(value=framework, evidence=entry.evidence),
                Fact(value=command, evidence=entry.evidence),
                entry,
            )
        flask = _WSGI.search(text)
        if flask:
            module = script.removesuffix(".py").replace("/", ".")
            entry = Fact(value=f"{module}:{flask.group(1)}", evidence=repo.where(script, flask.group(1)))
            command = f"gunicorn --bind 0.0.0.0:${{PORT:-8000}} {entry.value}"
            return (
                Fact(value="flask", evidence=entry.evidence),
                Fact(value=command, evidence=entry.evidence),
                entry,
            )
    scripts = mapping(meta.get("scripts"))
    for script in SCRIPTS:
        if repo.exists(script):
            entry = Fact(value=script, evidence=repo.rel(script))
            return None, Fact(value=f"python {script}", evidence=entry.evidence), entry
    if len(others) == 1 and not repo.exists("manage.py"):
        entry = Fact(value=others[0], evidence=repo.rel(others[0]))
        return None, Fact(value=f"python {others[0]}", evidence=entry.evidence), entry
    if scripts:
        name = str(next(iter(scripts)))
        entry = Fact(value=name, evidence=repo.where("pyproject.toml", name))
        return None, Fact(value=name, evidence=entry.evidence), entry
    return None, None, None
