"""What every detector shares: versions pinned in tool files, and the needs of a set of dependencies."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from devcopilot.jobs.iac.detect.files import Repo, mapping
from devcopilot.jobs.iac.detect.model import App, Fact, Runtime
from devcopilot.jobs.iac.detect.needs import SYSTEM_PACKAGES, normalise, service_of, services_in_text

_VERSION = re.compile(r"\d+(?:\.\d+){0,2}")
ENV_FILES = (".env.example", ".env.sample", ".env.template", "example.env", ".env.dist")


def version_in(text: str | None) -> str | None:
    """The first version number in a constraint (``>=3.11``, ``^20.1``, ``~> 3.2``, ``v22``), if any."""
    found = _VERSION.search(text or "")
    return found.group(0) if found else None


def tool_version(repo: Repo, tool: str, *files: str) -> Runtime | None:
    """``tool``'s version from its own file (``.nvmrc``...), ``.tool-versions`` or ``mise.toml``."""
    for name in files:
        line = repo.first_line(name)
        version = version_in(line) if line else None
        if version or (line and line.strip().lower() in ("lts", "latest", "node", "stable")):
            return Runtime(name=tool, version=version, evidence=repo.where(name, line or ""))
    line_pattern = re.compile(rf"^\s*{re.escape(tool)}\s+(\S+)")
    text = repo.text(".tool-versions") or ""
    for line in text.splitlines():
        found = line_pattern.match(line)
        if found:
            return Runtime(
                name=tool,
                version=version_in(found.group(1)),
                evidence=repo.where(".tool-versions", found.group(0)),
            )
    mise = repo.toml("mise.toml") or repo.toml(".mise.toml") or {}
    tools = mapping(mise.get("tools"))
    if tool in tools:
        name = "mise.toml" if repo.exists("mise.toml") else ".mise.toml"
        return Runtime(name=tool, version=version_in(str(tools[tool])), evidence=repo.where(name, tool))
    return None


def needs_of(
    repo: Repo, ecosystem: str, dependencies: Mapping[str, str], code_files: Sequence[str] = ()
) -> tuple[list[Fact], list[Fact]]:
    """System packages and backing services, from dependencies (name to evidence) and env names."""
    table = SYSTEM_PACKAGES.get(ecosystem, {})
    apt: dict[str, Fact] = {}
    services: dict[str, Fact] = {}
    for raw, evidence in dependencies.items():
        name = normalise(raw) if ecosystem != "go" else raw
        for package in table.get(name, ()):
            apt.setdefault(package, Fact(value=package, evidence=evidence))
        service = service_of(name) or service_of(raw)
        if service:
            services.setdefault(service, Fact(value=service, evidence=evidence))
    for name in (*ENV_FILES, *code_files):
        text = repo.text(name)
        if text:
            for service in sorted(services_in_text(text)):
                services.setdefault(service, Fact(value=service, evidence=repo.where(name, _needle(service))))
    return sorted(apt.values(), key=lambda f: f.value), sorted(services.values(), key=lambda f: f.value)


def _needle(service: str) -> re.Pattern[str]:
    words = {"postgres": "POSTGRES|PG|postgres", "mongodb": "MONGO|mongodb", "rabbitmq": "AMQP|RABBIT|amqp"}
    return re.compile(words.get(service, service.upper() + "|" + service))


def port_in(text: str | None) -> str | None:
    """A port the code listens on: ``listen(8080``, ``:8080"``, ``port=8080``, ``PORT || 3000``."""
    if not text:
        return None
    found = _PORT.search(text)
    return found.group(1) if found else None


_PORT = re.compile(
    r"(?:\blisten\(\s*|\bport\(\s*|server\.port\s*=\s*|ListenAndServe\(\s*\"[^:\"]*:|\bport\s*[=:]\s*|PORT\W{1,4}(?:\|\||\?\?|or|,)\s*|"
    r"--port[ =]|\s-p\s+|0\.0\.0\.0:)[\"']?(\d{2,5})\b"
)


_RUNNERS = frozenset(
    {"bundle", "exec", "ruby", "python", "python3", "node", "bun", "php", "sh", "bash", "npx", "uv", "run"}
)


def entry_of(command: str) -> str:
    """What a start command runs: its first word that is not an assignment, a runner or an option."""
    for word in command.replace("&&", " ").split():
        if "=" in word or word in _RUNNERS or word.startswith("-"):
            continue
        return word
    return command.strip()


def new_app(repo: Repo, name: str, ecosystem: str) -> App:
    """An app of ``ecosystem`` in the repository's folder, before its detector fills it in."""
    return App(name=name, path=repo.folder.relative_to(repo.root).as_posix() or ".", ecosystem=ecosystem)


def procfile_web(repo: Repo) -> Fact | None:
    """The ``web:`` process of a Procfile: how the team itself starts the app."""
    for line in (repo.text("Procfile") or "").splitlines():
        if line.startswith("web:"):
            return Fact(value=line.split(":", 1)[1].strip(), evidence=repo.where("Procfile", "web:"))
    return None
