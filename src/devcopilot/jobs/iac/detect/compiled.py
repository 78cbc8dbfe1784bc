"""Languages that build a binary or an archive: Go, Rust, Java, .NET, Elixir, Gleam, C and C++."""

from __future__ import annotations

import re

from devcopilot.jobs.iac.detect.common import (
    needs_of,
    new_app,
    port_in,
    tool_version,
    version_in,
)
from devcopilot.jobs.iac.detect.files import Repo
from devcopilot.jobs.iac.detect.model import App, Fact, Runtime


def _served(app: App, repo: Repo, files: list[str], default: str | None) -> None:
    """A port from the code, else the framework's default; no port at all makes it a worker."""
    for name in files:
        found = port_in(repo.text(name))
        if found:
            app.port = Fact(value=found, evidence=repo.where(name, found))
            return
    if default is None:
        app.kind = "worker"
    else:
        app.port = Fact(value=default, evidence=app.start.evidence if app.start else app.path)


class GoDetector:
    ecosystem = "go"

    def applies(self, repo: Repo) -> bool:
        return repo.exists("go.mod")

    def detect(self, repo: Repo) -> App:
        text = repo.text("go.mod") or ""
        module = re.search(r"^module\s+(\S+)", text, re.MULTILINE)
        name = module.group(1).rsplit("/", 1)[-1] if module else repo.folder.name
        app = new_app(repo, name, "go")
        version = re.search(r"^go\s+(\S+)", text, re.MULTILINE)
        app.runtimes = [
            tool_version(repo, "go", ".go-version")
            or Runtime(
                name="go",
                version=version.group(1) if version else None,
                evidence=repo.where("go.mod", "go ") if version else repo.rel("go.mod"),
            )
        ]
        app.package_manager = Fact(value="go", evidence=repo.rel("go.mod"))
        if repo.exists("go.sum"):
            app.lock_file = Fact(value="go.sum", evidence=repo.rel("go.sum"))
        main = (
            "."
            if repo.exists("main.go")
            else next((f"./{p.rsplit('/', 1)[0]}" for p in repo.glob("cmd/*/main.go")), ".")
        )
        app.install = Fact(value="go mod download", evidence=repo.rel("go.mod"))
        app.build = Fact(
            value=f"CGO_ENABLED=0 go build -ldflags='-s -w' -o /out/{name} {main}",
            evidence=repo.rel("go.mod"),
        )
        app.start = Fact(value=f"/app/{name}", evidence=repo.rel("go.mod"))
        app.entry = Fact(value=name, evidence=repo.rel("go.mod"))
        requires = {
            m: repo.where("go.mod", m)
            for m in re.findall(r"^\s*(?:require\s+)?([\w.\-]+\.[\w.\-/]+)\s+v", text, re.MULTILINE)
        }
        web = any(
            k.startswith(
                (
                    "github.com/gin-gonic",
                    "github.com/labstack/echo",
                    "github.com/gofiber",
                    "github.com/go-chi",
                )
            )
            for k in requires
        )
        sources = repo.glob("*.go")[:20] + repo.glob("cmd/*/*.go")[:20]
        served = web or any("net/http" in (repo.text(p) or "") for p in sources)
        _served(app, repo, sources, "8080" if served else None)
        app.apt_packages, app.services = needs_of(repo, "go", requires, sources)
        return app


class RustDetector:
    ecosystem = "rust"

    def applies(self, repo: Repo) -> bool:
        return repo.exists("Cargo.toml")

    def detect(self, repo: Repo) -> App:
        cargo = repo.toml("Cargo.toml") or {}
        package = cargo.get("package") or {}
        bins = cargo.get("bin") or []
        name = str(
            (bins[0].get("name") if bins and isinstance(bins[0], dict) else None)
            or package.get("name")
            or repo.folder.name
        )
        app = new_app(repo, name, "rust")
        toolchain = repo.toml("rust-toolchain.toml") or {}
        channel = (toolchain.get("toolchain") or {}).get("channel")
        version = version_in(str(channel or package.get("rust-version") or "")) or None
        evidence = (
            repo.where("rust-toolchain.toml", "channel")
            if channel
            else repo.where("Cargo.toml", "rust-version")
            if package.get("rust-version")
            else repo.rel("Cargo.toml")
        )
        app.runtimes = [Runtime(name="rust", version=version, evidence=evidence)]
        app.package_manager = Fact(value="cargo", evidence=repo.rel("Cargo.toml"))
        if repo.exists("Cargo.lock"):
            app.lock_file = Fact(value="Cargo.lock", evidence=repo.rel("Cargo.lock"))
        app.build = Fact(
            value="cargo build --release --locked" if app.lock_file else "cargo build --release",
            evidence=repo.rel("Cargo.toml"),
        )
        app.start = Fact(value=f"/app/{name}", evidence=repo.where("Cargo.toml", name))
        app.entry = Fact(value=name, evidence=app.start.evidence)
        deps = {str(k): repo.where("Cargo.toml", str(k)) for k in (cargo.get("dependencies") or {})}
        web = any(k in deps for k in ("actix-web", "axum", "rocket", "warp", "hyper", "poem", "tide"))
        sources = repo.glob("src/*.rs")[:20]
        _served(app, repo, sources, "8080" if web else None)
        app.apt_packages, app.services = needs_of(repo, "rust", deps, sources)
        return app


class JavaDetector:
    ecosystem = "java"

    def applies(self, repo: Repo) -> bool:
        return any(repo.exists(n) for n in ("pom.xml", "build.gradle", "build.gradle.kts"))

    def detect(self, repo: Repo) -> App:
        maven = repo.exists("pom.xml")
        build_file = (
            "pom.xml" if maven else ("build.gradle" if repo.exists("build.gradle") else "build.gradle.kts")
        )
        text = repo.text(build_file) or ""
        artifact = re.search(r"<artifactId>([^<]+)</artifactId>", text) if maven else None
        app = new_app(repo, artifact.group(1) if artifact else repo.folder.name, "java")
        found = re.search(
            r"<(?:java\.version|maven\.compiler\.(?:release|source))>(\d+)|languageVersion\S*\s*(?:=|\.set\()\s*JavaLanguageVersion\.of\((\d+)|sourceCompatibility\s*=\s*['\"]?(?:JavaVersion\.VERSION_)?(\d+)",
            text,
        )
        version = next((g for g in found.groups() if g), None) if found else None
        pinned = tool_version(repo, "java", ".java-version")
        app.runtimes = [
            pinned
            or Runtime(
                name="java",
                version=version,
                evidence=repo.where(build_file, version) if version else repo.rel(build_file),
            )
        ]
        tool = "maven" if maven else "gradle"
        app.package_manager = Fact(value=tool, evidence=repo.rel(build_file))
        wrapper = (
            "./mvnw"
            if maven and repo.exists("mvnw")
            else "./gradlew"
            if repo.exists("gradlew")
            else tool
            if not maven
            else "mvn"
        )
        app.build = Fact(
            value=f"{wrapper} -B -DskipTests package" if maven else f"{wrapper} build -x test",
            evidence=repo.rel(build_file),
        )
        jar = "target/*.jar" if maven else "build/libs/*.jar"
        app.start = Fact(value="java -jar /app/app.jar", evidence=repo.rel(build_file))
        app.entry = Fact(value=jar, evidence=repo.rel(build_file))
        web = (
            "spring-boot-starter-web" in text
            or "spring-boot-starter-webflux" in text
            or "quarkus" in text
            or "micronaut" in text
        )
        if "spring-boot" in text:
            app.framework = Fact(value="spring-boot", evidence=repo.where(build_file, "spring-boot"))
        sources = (
            repo.glob("src/main/resources/application*.properties") + repo.glob("src/main/**/*.java")[:30]
        )
        _served(app, repo, sources, "8080" if web else None)
        deps = {
            m: repo.where(build_file, m.split(":")[1])
            for m in ("org.postgresql:postgresql", "com.mysql:mysql-connector-j")
            if m.split(":")[1] in text
        }
        app.apt_packages, app.services = needs_of(
            repo,
            "java",
            deps,
            repo.glob("src/main/resources/application*.properties")
            + repo.glob("src/main/resources/application*.yml"),
        )
        return app


class DotnetDetector:
    ecosystem = "dotnet"

    def applies(self, repo: Repo) -> bool:
        return bool(repo.glob("*.csproj") or repo.glob("*.fsproj"))

    def detect(self, repo: Repo) -> App:
        project = (repo.glob("*.csproj") or repo.glob("*.fsproj"))[0]
        name = project.rsplit(".", 1)[0]
        text = repo.text(project) or ""
        app = new_app(repo, name, "dotnet")
        target = re.search(r"<TargetFramework>net(\d+\.\d+)", text)
        pinned = repo.json("global.json") or {}
        version = (pinned.get("sdk") or {}).get("version") if isinstance(pinned.get("sdk"), dict) else None
        app.runtimes = [
            Runtime(
                name="dotnet",
                version=version_in(version) or (target.group(1) if target else None),
                evidence=repo.rel("global.json") if version else repo.where(project, "TargetFramework"),
            )
        ]
        app.package_manager = Fact(value="dotnet", evidence=repo.rel(project))
        if repo.exists("packages.lock.json"):
            app.lock_file = Fact(value="packages.lock.json", evidence=repo.rel("packages.lock.json"))
        app.install = Fact(value="dotnet restore", evidence=repo.rel(project))
        app.build = Fact(value="dotnet publish -c Release -o /out", evidence=repo.rel(project))
        app.start = Fact(value=f"dotnet /app/{name}.dll", evidence=repo.rel(project))
        app.entry = Fact(value=name, evidence=repo.rel(project))
        web = 'Sdk="Microsoft.NET.Sdk.Web"' in text
        _served(app, repo, [], "8080" if web else None)
        return app


class ElixirDetector:
    ecosystem = "elixir"

    def applies(self, repo: Repo) -> bool:
        return repo.exists("mix.exs")

    def detect(self, repo: Repo) -> App:
        text = repo.text("mix.exs") or ""
        found = re.search(r"app:\s*:(\w+)", text)
        name = found.group(1) if found else repo.folder.name
        app = new_app(repo, name, "elixir")
        elixir = tool_version(repo, "elixir", ".elixir-version")
        if elixir is None:
            constraint = re.search(r"elixir:\s*\"([^\"]+)\"", text)
            elixir = Runtime(
                name="elixir",
                version=version_in(constraint.group(1)) if constraint else None,
                evidence=repo.where("mix.exs", "elixir:"),
            )
        erlang = tool_version(repo, "erlang", ".erlang-version") or Runtime(
            name="erlang", version=None, evidence=repo.rel("mix.exs")
        )
        app.runtimes = [elixir, erlang]
        app.package_manager = Fact(value="mix", evidence=repo.rel("mix.exs"))
        if repo.exists("mix.lock"):
            app.lock_file = Fact(value="mix.lock", evidence=repo.rel("mix.lock"))
        app.install = Fact(value="mix deps.get --only prod", evidence=repo.rel("mix.exs"))
        app.build = Fact(value="mix release", evidence=repo.rel("mix.exs"))
        app.start = Fact(value=f"/app/bin/{name} start", evidence=repo.where("mix.exs", "app:"))
        app.entry = Fact(value=name, evidence=app.start.evidence)
        if ":phoenix" in text:
            app.framework = Fact(value="phoenix", evidence=repo.where("mix.exs", ":phoenix"))
        _served(app, repo, repo.glob("config/runtime.exs"), "4000" if app.framework else None)
        deps = {d: repo.where("mix.exs", d) for d in re.findall(r"\{:(\w+),", text)}
        app.apt_packages, app.services = needs_of(repo, "elixir", deps, repo.glob("config/*.exs"))
        return app


class GleamDetector:
    ecosystem = "gleam"

    def applies(self, repo: Repo) -> bool:
        return repo.exists("gleam.toml")

    def detect(self, repo: Repo) -> App:
        config = repo.toml("gleam.toml") or {}
        app = new_app(repo, str(config.get("name") or repo.folder.name), "gleam")
        app.runtimes = [
            tool_version(repo, "erlang", ".erlang-version")
            or Runtime(name="erlang", version=None, evidence=repo.rel("gleam.toml"))
        ]
        app.package_manager = Fact(value="gleam", evidence=repo.rel("gleam.toml"))
        app.build = Fact(value="gleam export erlang-shipment", evidence=repo.rel("gleam.toml"))
        app.start = Fact(value="/app/entrypoint.sh run", evidence=repo.rel("gleam.toml"))
        app.entry = Fact(value="entrypoint.sh", evidence=repo.rel("gleam.toml"))
        app.kind = "worker"
        return app


class NativeDetector:
    """C and C++ with CMake or Meson: the project's binary."""

    ecosystem = "cpp"

    def applies(self, repo: Repo) -> bool:
        return repo.exists("CMakeLists.txt") or repo.exists("meson.build")

    def detect(self, repo: Repo) -> App:
        cmake = repo.exists("CMakeLists.txt")
        build_file = "CMakeLists.txt" if cmake else "meson.build"
        text = repo.text(build_file) or ""
        found = re.search(r"project\(\s*['\"]?([\w\-]+)", text, re.IGNORECASE)
        name = found.group(1) if found else repo.folder.name
        app = new_app(repo, name, "cpp")
        app.package_manager = Fact(value="cmake" if cmake else "meson", evidence=repo.rel(build_file))
        app.build = Fact(
            value="cmake -B build -G Ninja && cmake --build build"
            if cmake
            else "meson setup build && meson compile -C build",
            evidence=repo.rel(build_file),
        )
        app.start = Fact(value=f"/app/{name}", evidence=repo.where(build_file, name))
        app.entry = Fact(value=name, evidence=app.start.evidence)
        app.kind = "worker"
        return app
