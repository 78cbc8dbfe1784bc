"""Checks every proposed container file must pass: the same as ``iac check``, and true to ``detect``.

A Dockerfile must pass hadolint (no error or warning) and the built-in rules,
and keep the detected runtime (its base image), port (``EXPOSE``) and start
command (its entry point still in ``CMD`` or ``ENTRYPOINT``). A compose file
must pass the Compose schema and the built-in rules, and keep every detected
app with its port and every backing service the code uses.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from devcopilot.core.tools import ToolFailedError
from devcopilot.jobs.iac import compose_rules, dockerfile_rules
from devcopilot.jobs.iac.check import HADOLINT, hadolint_findings
from devcopilot.jobs.iac.detect.model import App

RUNTIME_IMAGES = {
    "python": ("python",),
    "node": ("node", "bun"),
    "go": ("golang", "go"),
    "ruby": ("ruby",),
    "rust": ("rust",),
    "java": ("temurin", "maven", "gradle", "openjdk", "java"),
    "deno": ("deno",),
    "php": ("php", "composer", "frankenphp"),
    "dotnet": ("dotnet",),
    "static": ("nginx", "caddy", "httpd"),
}


def dockerfile_problems(text: str, app: App) -> list[str]:
    findings = [f for f in dockerfile_rules.check("Dockerfile", text) if f.severity != "info"]
    problems = [f"line {f.line}: {f.rule}: {f.message}" for f in findings]
    problems += _hadolint(text)
    if problems:
        return problems
    instructions = dockerfile_rules.parse(text)
    images = [i.arguments.split()[0].lower() for i in instructions if i.keyword == "FROM" and i.arguments]
    family = "static" if app.kind == "static" else app.ecosystem
    wanted = RUNTIME_IMAGES.get(family, ())
    if wanted and not any(any(w in image for w in wanted) for image in images):
        problems.append(f"runtime-changed: no base image of the detected runtime ({family}) is left")
    port = app.port.value if app.port and app.kind != "worker" else None
    exposed = {p.split("/")[0] for i in instructions if i.keyword == "EXPOSE" for p in i.arguments.split()}
    if port and port not in exposed:
        problems.append(f"port-changed: the app serves port {port}; EXPOSE {port} is gone")
    if app.entry and app.kind != "static":
        final = [i for i in instructions if i.keyword in ("CMD", "ENTRYPOINT")]
        if not any(app.entry.value.split(":")[0].split("/")[-1] in i.arguments for i in final):
            problems.append(f"start-changed: the start command no longer runs {app.entry.value}")
    return problems


def compose_problems(text: str, apps: list[App], app_names: dict[str, str]) -> list[str]:
    findings = [f for f in compose_rules.check("compose.yaml", text) if f.severity != "info"]
    problems = [f"line {f.line}: {f.rule}: {f.message}" for f in findings]
    if problems:
        return problems
    services = (yaml.safe_load(text) or {}).get("services") or {}
    for app in apps:
        name = app_names[app.path]
        if name not in services:
            problems.append(f"app-removed: the service {name} for {app.path} is gone")
            continue
        port = app.port.value if app.port and app.kind != "worker" else None
        published = " ".join(str(p) for p in services[name].get("ports") or [])
        if port and port not in published:
            problems.append(f"port-changed: {name} serves port {port}, which is no longer published")
        for service in app.services:
            if not any(
                service.value in str(s.get("image", "")) or key == service.value
                for key, s in services.items()
                if isinstance(s, dict)
            ):
                problems.append(f"service-removed: {app.path} uses {service.value}, which is gone")
    return problems


def _hadolint(text: str) -> list[str]:
    if HADOLINT.unavailable_reason() is not None:
        return []
    with tempfile.TemporaryDirectory(prefix="devcopilot-iac-") as scratch:
        (Path(scratch) / "Dockerfile").write_text(text)
        try:
            findings = hadolint_findings("Dockerfile", Path(scratch))
        except ToolFailedError as error:
            return [f"hadolint could not read it: {error}"]
    return [f"line {f.line}: {f.rule}: {f.message}" for f in findings if f.severity != "info"]
