"""Interpreted apps run from their source: Ruby, PHP, Deno; and static sites and shell entry points."""

from __future__ import annotations

import re

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

_GEM = re.compile(r"""^\s*gem\s+["']([\w\-]+)["']""", re.MULTILINE)


class RubyDetector:
    ecosystem = "ruby"

    def applies(self, repo: Repo) -> bool:
        return repo.exists("Gemfile")

    def detect(self, repo: Repo) -> App:
        gemfile = repo.text("Gemfile") or ""
        app = new_app(repo, repo.folder.name, "ruby")
        pinned = tool_version(repo, "ruby", ".ruby-version")
        declared = re.search(r"""^\s*ruby\s+["']([^"']+)""", gemfile, re.MULTILINE)
        app.runtimes = [
            pinned
            or Runtime(
                name="ruby",
                version=version_in(declared.group(1)) if declared else None,
                evidence=repo.where("Gemfile", "ruby ") if declared else repo.rel("Gemfile"),
            )
        ]
        app.package_manager = Fact(value="bundler", evidence=repo.rel("Gemfile"))
        if repo.exists("Gemfile.lock"):
            app.lock_file = Fact(value="Gemfile.lock", evidence=repo.rel("Gemfile.lock"))
        app.install = Fact(value="bundle install", evidence=repo.rel("Gemfile"))
        gems = {g: repo.where("Gemfile", g) for g in _GEM.findall(gemfile)}
        start, entry, framework = self._start(repo, gems)
        app.start, app.entry, app.framework = start, entry, framework
        if start is None:
            app.kind = "worker"
        else:
            found = port_in(start.value)
            app.port = Fact(value=found or "3000", evidence=start.evidence)
        if "rails" in gems and repo.exists("config/application.rb"):
            app.build = (
                Fact(value="bundle exec rails assets:precompile", evidence=gems["rails"])
                if repo.glob("app/assets/**/*")
                else None
            )
        app.apt_packages, app.services = needs_of(
            repo, "ruby", gems, ["config/database.yml", "config/cable.yml"]
        )
        return app

    @staticmethod
    def _start(repo: Repo, gems: dict[str, str]) -> tuple[Fact | None, Fact | None, Fact | None]:
        procfile = procfile_web(repo)
        if "rails" in gems and repo.exists("config/application.rb"):
            command = "bundle exec rails server -b 0.0.0.0 -p ${PORT:-3000}"
            rails = Fact(value="rails", evidence=gems["rails"])
            return Fact(value=command, evidence=gems["rails"]), rails, rails
        framework: Fact | None = (
            Fact(value="sinatra", evidence=gems["sinatra"]) if "sinatra" in gems else None
        )
        if procfile is not None:
            return procfile, Fact(value=entry_of(procfile.value), evidence=procfile.evidence), framework
        if repo.exists("config.ru"):
            runner = "puma" if "puma" in gems else "rackup config.ru -o 0.0.0.0"
            command = (
                f"bundle exec {runner} -p ${{PORT:-3000}}"
                if runner != "puma"
                else "bundle exec puma -p ${PORT:-3000}"
            )
            return (
                Fact(value=command, evidence=repo.rel("config.ru")),
                Fact(value="config.ru", evidence=repo.rel("config.ru")),
                framework,
            )
        for script in ("app.rb", "main.rb", "server.rb"):
            if repo.exists(script):
                fact = Fact(value=script, evidence=repo.rel(script))
                return Fact(value=f"bundle exec ruby {script}", evidence=fact.evidence), fact, framework
        return None, None, framework


class PhpDetector:
    ecosystem = "php"

    def applies(self, repo: Repo) -> bool:
        return repo.exists("composer.json") or repo.exists("index.php")

    def detect(self, repo: Repo) -> App:
        composer = repo.json("composer.json") or {}
        app = new_app(repo, str(composer.get("name") or repo.folder.name).rsplit("/", 1)[-1], "php")
        require = mapping(composer.get("require"))
        app.runtimes = [
            Runtime(
                name="php",
                version=version_in(str(require.get("php") or "")),
                evidence=repo.where("composer.json", '"php"')
                if "php" in require
                else repo.rel("composer.json" if composer else "index.php"),
            )
        ]
        if composer:
            app.package_manager = Fact(value="composer", evidence=repo.rel("composer.json"))
            app.install = Fact(
                value="composer install --no-dev --optimize-autoloader", evidence=repo.rel("composer.json")
            )
            if repo.exists("composer.lock"):
                app.lock_file = Fact(value="composer.lock", evidence=repo.rel("composer.lock"))
        laravel = repo.exists("artisan") or "laravel/framework" in require
        if laravel:
            app.framework = Fact(
                value="laravel",
                evidence=repo.rel("artisan")
                if repo.exists("artisan")
                else repo.where("composer.json", "laravel/framework"),
            )
        root = "public" if repo.exists("public/index.php") else "."
        index = (
            "public/index.php"
            if root == "public"
            else "index.php"
            if repo.exists("index.php")
            else "composer.json"
        )
        app.start = Fact(value=f"php -S 0.0.0.0:${{PORT:-8080}} -t {root}", evidence=repo.rel(index))
        app.entry = Fact(value="artisan" if laravel else "index.php", evidence=app.start.evidence)
        app.port = Fact(value="8080", evidence=app.start.evidence)
        deps = {str(k): repo.where("composer.json", str(k)) for k in require}
        app.apt_packages, app.services = needs_of(repo, "php", deps, [".env.example"])
        return app


class DenoDetector:
    ecosystem = "deno"

    def applies(self, repo: Repo) -> bool:
        return any(repo.exists(n) for n in ("deno.json", "deno.jsonc", ".deno-version"))

    def detect(self, repo: Repo) -> App:
        config_name = "deno.json" if repo.exists("deno.json") else "deno.jsonc"
        config = repo.json(config_name) or {}
        app = new_app(repo, str(config.get("name") or repo.folder.name), "deno")
        app.runtimes = [
            tool_version(repo, "deno", ".deno-version")
            or Runtime(name="deno", version=None, evidence=repo.rel(config_name))
        ]
        app.package_manager = Fact(value="deno", evidence=repo.rel(config_name))
        if repo.exists("deno.lock"):
            app.lock_file = Fact(value="deno.lock", evidence=repo.rel("deno.lock"))
        tasks = mapping(config.get("tasks"))
        main = next(
            (n for n in ("main.ts", "main.js", "mod.ts", "server.ts", "index.ts") if repo.exists(n)), None
        )
        if main is not None:
            app.start = Fact(
                value=f"deno run --allow-net --allow-env --allow-read {main}", evidence=repo.rel(main)
            )
            app.entry = Fact(value=main, evidence=repo.rel(main))
        elif "start" in tasks:
            app.start = Fact(value="deno task start", evidence=repo.where(config_name, '"start"'))
            app.entry = Fact(value="start", evidence=app.start.evidence)
        if app.start is None:
            app.kind = "worker"
        else:
            found = port_in(repo.text(main) if main else str(tasks.get("start")))
            app.port = Fact(value=found or "8000", evidence=app.start.evidence)
        return app


class StaticDetector:
    """A site of plain files: ``index.html`` (or a ``Staticfile``) and nothing to build."""

    ecosystem = "static"

    def applies(self, repo: Repo) -> bool:
        return repo.exists("Staticfile") or repo.exists("index.html") or repo.exists("public/index.html")

    def detect(self, repo: Repo) -> App:
        app = new_app(repo, repo.folder.name, "static")
        root = "public" if not repo.exists("index.html") and repo.exists("public/index.html") else "."
        staticfile = repo.text("Staticfile") or ""
        declared = re.search(r"^root:\s*(\S+)", staticfile, re.MULTILINE)
        if declared:
            root = declared.group(1)
        evidence = (
            repo.where("Staticfile", "root:")
            if declared
            else repo.rel(f"{root}/index.html".removeprefix("./"))
        )
        app.kind = "static"
        app.output_dir = Fact(value=root, evidence=evidence)
        app.entry = Fact(value="index.html", evidence=evidence)
        app.port = Fact(value="8080", evidence=evidence)
        return app


class ShellDetector:
    """An app started by a shell script: ``start.sh``, ``run.sh``."""

    ecosystem = "shell"

    def applies(self, repo: Repo) -> bool:
        return any(repo.exists(n) for n in ("start.sh", "run.sh", "entrypoint.sh"))

    def detect(self, repo: Repo) -> App:
        script = next(n for n in ("start.sh", "run.sh", "entrypoint.sh") if repo.exists(n))
        app = new_app(repo, repo.folder.name, "shell")
        first = (repo.text(script) or "").split("\n", 1)[0]
        shell = "bash" if "bash" in first else "sh"
        app.start = Fact(value=f"{shell} {script}", evidence=repo.rel(script))
        app.entry = Fact(value=script, evidence=repo.rel(script))
        found = port_in(repo.text(script))
        if found:
            app.port = Fact(value=found, evidence=repo.where(script, found))
        else:
            app.kind = "worker"
        return app
