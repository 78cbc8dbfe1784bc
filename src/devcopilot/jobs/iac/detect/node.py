"""Node.js, Bun: ``package.json`` and its lock file; frameworks; static sites and servers; workspaces."""

from __future__ import annotations

import re
from typing import Any

from devcopilot.jobs.iac.detect.common import needs_of, new_app, port_in, tool_version, version_in
from devcopilot.jobs.iac.detect.files import Repo, mapping
from devcopilot.jobs.iac.detect.model import App, Fact, Runtime

LOCKS = (
    ("pnpm-lock.yaml", "pnpm"),
    ("bun.lockb", "bun"),
    ("bun.lock", "bun"),
    ("yarn.lock", "yarn"),
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
)
SERVER_FRAMEWORKS = (
    ("next", "next", "3000"),
    ("nuxt", "nuxt", "3000"),
    ("@sveltejs/kit", "sveltekit", "3000"),
    ("@remix-run/node", "remix", "3000"),
    ("@tanstack/react-start", "tanstack-start", "3000"),
    ("@nestjs/core", "nestjs", "3000"),
    ("express", "express", "3000"),
    ("fastify", "fastify", "3000"),
    ("koa", "koa", "3000"),
    ("hono", "hono", "3000"),
    ("astro", "astro", "4321"),
)
STATIC_FRAMEWORKS = (
    ("react-scripts", "create-react-app", "build"),
    ("vite", "vite", "dist"),
    ("@vue/cli-service", "vue-cli", "dist"),
    ("@angular/cli", "angular", "dist"),
    ("parcel", "parcel", "dist"),
)
DEV_SERVERS = re.compile(
    r"^\s*(?:vite|react-scripts start|vite preview|webpack serve|parcel|vue-cli-service serve|ng serve)\b"
)
MANIFESTS = ("package.json", "package.json5", "package.yaml")
FRAMEWORK_STARTS = {
    "nuxt": ("node .output/server/index.mjs", ".output/server/index.mjs"),
    "sveltekit": ("node build", "build"),
    "next": ("npx next start", "next"),
    "astro": ("node ./dist/server/entry.mjs", "dist/server/entry.mjs"),
    "remix": ("npx remix-serve ./build/server/index.js", "remix-serve"),
}
"""How a framework's build is served when the package names no ``start`` script."""
MAIN_FILES = ("server.js", "index.js", "main.js", "app.js", "server.ts", "index.ts", "main.ts", "app.ts")


class NodeDetector:
    ecosystem = "node"

    def applies(self, repo: Repo) -> bool:
        return any(repo.exists(n) for n in MANIFESTS) and not (
            repo.exists("deno.json") or repo.exists("deno.jsonc")
        )

    def detect(self, repo: Repo) -> App:
        package = package_of(repo)
        deps = _dependencies(package)
        manager, lock = _manager(repo, package)
        app = new_app(repo, str(package.get("name") or repo.folder.name), "node")
        app.package_manager, app.lock_file = manager, lock
        app.runtimes = _runtimes(repo, package, manager.value)
        scripts = mapping(package.get("scripts"))
        run = "npm run" if manager.value == "npm" else f"{manager.value} run"
        app.install = Fact(value=_install(manager.value, lock is not None, repo), evidence=manager.evidence)
        if "build" in scripts:
            app.build = Fact(value=f"{run} build", evidence=repo.where("package.json", '"build"'))
        app.framework, port, static_dir = _framework(repo, deps, scripts)
        start = scripts.get("start")
        spa = app.framework is not None and app.framework.value == "react-router" and static_dir is not None
        if static_dir is not None and (spa or not start or DEV_SERVERS.match(str(start))):
            app.kind = "static"
            app.output_dir = static_dir
            app.entry = Fact(value="index.html", evidence=static_dir.evidence)
            app.port = Fact(value="8080", evidence=static_dir.evidence)
        elif start:
            app.start = Fact(value=f"{run} start", evidence=repo.where("package.json", '"start"'))
            app.entry = Fact(value="start", evidence=app.start.evidence)
            app.port = _port(repo, str(start), port)
        elif app.framework is not None and app.framework.value in FRAMEWORK_STARTS:
            command, entry = FRAMEWORK_STARTS[app.framework.value]
            app.start = Fact(value=command, evidence=app.framework.evidence)
            app.entry = Fact(value=entry, evidence=app.framework.evidence)
            app.port = Fact(value=port or "3000", evidence=app.framework.evidence)
        else:
            main = _main_file(repo, package)
            if main is not None:
                runner = "bun" if manager.value == "bun" else "node"
                app.start = Fact(value=f"{runner} {main.value}", evidence=main.evidence)
                app.entry = main
                app.port = _port(repo, repo.text(main.value) or "", port)
            else:
                app.kind = "worker"
        app.apt_packages, app.services = needs_of(
            repo, "node", deps, [*MAIN_FILES, "src/index.ts", "src/index.js"]
        )
        return app


def _dependencies(package: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in ("dependencies", "devDependencies", "optionalDependencies"):
        block = package.get(key)
        if isinstance(block, dict):
            for name in block:
                found.setdefault(str(name), "package.json")
    return found


def package_of(repo: Repo) -> dict[str, Any]:
    """``package.json``, or pnpm's ``package.json5`` and ``package.yaml``."""
    for name in MANIFESTS:
        data = repo.json(name) if name != "package.yaml" else repo.yaml(name)
        if data:
            return data
    return {}


def _manager(repo: Repo, package: dict[str, Any]) -> tuple[Fact, Fact | None]:
    lock = next(((name, tool) for name, tool in LOCKS if repo.exists(name)), None)
    declared = str(package.get("packageManager") or "")
    if declared:
        tool = declared.split("@", 1)[0]
        fact = Fact(value=tool, evidence=repo.where("package.json", '"packageManager"'))
        return fact, Fact(value=lock[0], evidence=repo.rel(lock[0])) if lock else None
    if lock is not None:
        return Fact(value=lock[1], evidence=repo.rel(lock[0])), Fact(
            value=lock[0], evidence=repo.rel(lock[0])
        )
    if repo.exists("pnpm-workspace.yaml"):
        return Fact(value="pnpm", evidence=repo.rel("pnpm-workspace.yaml")), None
    engines = mapping(package.get("engines"))
    for tool in ("pnpm", "yarn", "bun"):
        if tool in engines:
            return Fact(value=tool, evidence=repo.where("package.json", f'"{tool}"')), None
    scripts = mapping(package.get("scripts"))
    if str(scripts.get("start", "")).startswith("bun "):
        return Fact(value="bun", evidence=repo.where("package.json", '"start"')), None
    return Fact(value="npm", evidence=repo.rel("package.json")), None


def _install(manager: str, locked: bool, repo: Repo) -> str:
    if manager == "npm":
        return "npm ci" if locked else "npm install"
    if manager == "pnpm":
        return "pnpm install --frozen-lockfile" if locked else "pnpm install"
    if manager == "bun":
        return "bun install --frozen-lockfile" if locked else "bun install"
    if repo.exists(".yarnrc.yml"):
        return "yarn install --immutable" if locked else "yarn install"
    return "yarn install --frozen-lockfile" if locked else "yarn install"


def _runtimes(repo: Repo, package: dict[str, Any], manager: str) -> list[Runtime]:
    runtimes = []
    engines = mapping(package.get("engines"))
    node = tool_version(repo, "node", ".nvmrc", ".node-version")
    if engines.get("node") and (node is None or node.evidence.startswith(".tool")):
        node = Runtime(
            name="node",
            version=version_in(str(engines["node"])),
            evidence=repo.where("package.json", '"node"'),
        )
    if manager == "bun":
        bun = tool_version(repo, "bun", ".bun-version") or Runtime(
            name="bun",
            version=version_in(str(engines.get("bun") or "")),
            evidence=repo.where("package.json", "bun"),
        )
        runtimes.append(bun)
        if node is not None:
            runtimes.append(node)
        return runtimes
    return [node or Runtime(name="node", version=None, evidence=repo.rel("package.json"))]


def _framework(
    repo: Repo, deps: dict[str, str], scripts: dict[str, Any]
) -> tuple[Fact | None, str | None, Fact | None]:
    """The framework, its default port, and for a static site the folder its build writes."""

    def where(name: str) -> str:
        return repo.where("package.json", f'"{name}"')

    for dependency, name, port in SERVER_FRAMEWORKS:
        if dependency in deps and not (name == "astro" and not _astro_server(repo)):
            return Fact(value=name, evidence=where(dependency)), port, None
    router = next((d for d in ("@react-router/dev", "react-router") if d in deps), None)
    if router is not None:
        spa = _react_router_spa(repo)
        if spa is False:
            return Fact(value="react-router", evidence=where(router)), "3000", None
        if spa is True:
            return (
                Fact(value="react-router", evidence=where(router)),
                None,
                Fact(value="build/client", evidence=where(router)),
            )
    if "astro" in deps:
        return Fact(value="astro", evidence=where("astro")), None, Fact(value="dist", evidence=where("astro"))
    for dependency, name, folder in STATIC_FRAMEWORKS:
        if dependency in deps:
            fact = Fact(value=name, evidence=where(dependency))
            return fact, None, Fact(value=folder, evidence=fact.evidence)
    return None, None, None


def _react_router_spa(repo: Repo) -> bool | None:
    """From ``react-router.config``: ``True`` for a single-page app (``ssr: false``), ``False`` for SSR."""
    for name in ("react-router.config.ts", "react-router.config.js"):
        text = repo.text(name)
        if text is not None:
            return bool(re.search(r"ssr\s*:\s*false", text))
    return None


def _astro_server(repo: Repo) -> bool:
    config = next(
        (repo.text(n) for n in ("astro.config.mjs", "astro.config.ts", "astro.config.js") if repo.exists(n)),
        "",
    )
    return bool(config and re.search(r"output\s*:\s*['\"]server['\"]|adapter\s*:", config))


def _main_file(repo: Repo, package: dict[str, Any]) -> Fact | None:
    main = package.get("main") or package.get("module")
    if isinstance(main, str) and repo.exists(main):
        return Fact(value=main, evidence=repo.where("package.json", '"main"'))
    for name in MAIN_FILES:
        if repo.exists(name):
            return Fact(value=name, evidence=repo.rel(name))
    return None


def _port(repo: Repo, start: str, default: str | None) -> Fact:
    found = port_in(start)
    if found:
        return Fact(value=found, evidence=repo.where("package.json", found))
    for name in MAIN_FILES:
        found = port_in(repo.text(name))
        if found:
            return Fact(value=found, evidence=repo.where(name, found))
    return Fact(value=default or "3000", evidence=repo.rel("package.json"))
