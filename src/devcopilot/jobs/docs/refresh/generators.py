"""What each kind of section is generated from: the code, read the same way ``docs check`` reads it.

``cli`` from the CLI the sandbox describes; ``config``, ``api`` and
``exit-codes`` from the API griffe loads; ``env`` from the variables the code
reads; ``diagram`` from the package's imports, a compose file or Kubernetes
manifests. A generator that cannot do what its options ask raises
``GeneratorError`` with a sentence for the user; nothing is written then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devcopilot.jobs.docs.api import Api
from devcopilot.jobs.docs.cli_spec import Command
from devcopilot.jobs.docs.refresh import diagrams
from devcopilot.jobs.docs.refresh.markers import Section
from devcopilot.jobs.docs.refresh.tables import code, heading, table
from devcopilot.jobs.docs.settings_keys import ProjectSettings

_SETTINGS_CLASS = re.compile(r"(Settings|Config|Configuration|Options)$")


class GeneratorError(Exception):
    pass


@dataclass
class Sources:
    """The code a run generates from, each read at most once, on first use."""

    root: Path
    api: Api
    commands: Callable[[], dict[str, Command]]
    settings: Callable[[], ProjectSettings]
    cache: dict[str, Any] = field(default_factory=dict)

    def cli(self) -> dict[str, Command]:
        if "cli" not in self.cache:
            self.cache["cli"] = self.commands()
        found: dict[str, Command] = self.cache["cli"]
        return found


def generate(section: Section, sources: Sources) -> str:
    generator = GENERATORS.get(section.name)
    if generator is None:
        raise GeneratorError(f"no generator named {section.name!r} (known: {', '.join(sorted(GENERATORS))})")
    return generator(section, sources).strip("\n")


def _cli(section: Section, sources: Sources) -> str:
    commands = sources.cli()
    if not commands:
        raise GeneratorError("the project has no CLI entry point that could be described")
    prog = section.options.get("prog") or (next(iter(commands)) if len(commands) == 1 else None)
    if prog is None or prog not in commands:
        raise GeneratorError(f"prog= must name one of the entry points: {', '.join(sorted(commands))}")
    if section.options.get("form") == "summary":
        rows: list[list[str]] = []
        _summary(rows, [prog], commands[prog], section.style)
        return table(["command", "what it does"], rows, section.style)
    out: list[str] = []
    _command(out, [prog], commands[prog], section.style)
    return "\n\n".join(out)


def _summary(rows: list[list[str]], path: list[str], command: Command, style: str) -> None:
    """One row per command a user runs: its synopsis (arguments, then options) and its help."""
    if not command.commands or command.details[:-1]:
        words = [*path, *command.argument_names]
        for detail in command.details:
            if "--help" in detail.names:
                continue
            name = next((n for n in detail.names if n.startswith("--")), detail.names[0])
            words.append(f"[{name} {detail.metavar}]" if detail.metavar else f"[{name}]")
        rows.append([code(" ".join(words), style), command.help])
    for name, sub in command.commands.items():
        _summary(rows, [*path, name], sub, style)


def _command(out: list[str], path: list[str], command: Command, style: str) -> None:
    out.append(heading(code(" ".join(path), style), style))
    if command.help:
        out.append(command.help)
    rows = [
        [
            ", ".join(code(n, style) for n in detail.names),
            code(detail.default, style) if detail.default else "",
            detail.help,
        ]
        for detail in command.details
    ]
    if rows:
        out.append(table(["option", "default", "description"], rows, style))
    for name, sub in command.commands.items():
        _command(out, [*path, name], sub, style)


def _object(sources: Sources, dotted: str) -> Any:
    package, _, rest = dotted.partition(".")
    loaded = sources.api.loaded.get(package)
    if loaded is None:
        raise GeneratorError(f"{dotted}: not in the project's packages ({', '.join(sources.api.packages)})")
    try:
        return loaded[rest] if rest else loaded
    except (KeyError, ValueError, AttributeError):
        raise GeneratorError(f"{dotted}: no such object in the project") from None


def _config(section: Section, sources: Sources) -> str:
    named = section.options.get("class")
    if named is None:
        found = sorted(
            p for short, paths in sources.api.classes.items() if _SETTINGS_CLASS.search(short) for p in paths
        )
        if len(found) != 1:
            raise GeneratorError(f"class= must name the settings class (found: {', '.join(found) or 'none'})")
        named = found[0]
    target = _object(sources, named)
    rows = []
    for name, member in target.members.items():
        if (
            name.startswith("_")
            or not member.is_attribute
            or name == "model_config"
            or "ClassVar" in str(member.annotation)
        ):
            continue
        default, described = _field(str(member.value) if member.value is not None else "")
        summary = member.docstring.value.split("\n\n")[0] if member.docstring else described
        shown_type = _plain_type(str(member.annotation)) if member.annotation else ""
        rows.append(
            [
                code(name, section.style),
                code(shown_type, section.style) if shown_type else "",
                code(default, section.style) if default not in ("", "None") else "",
                " ".join(summary.split()),
            ]
        )
    return table(["key", "type", "default", "description"], rows, section.style)


def _plain_type(annotation: str) -> str:
    """The type a user writes a value of: ``Annotated[float, Field(gt=0)] | None`` reads ``float``."""
    text = annotation
    while (start := text.find("Annotated[")) >= 0:
        depth, comma, end = 0, -1, -1
        for index in range(start + len("Annotated["), len(text)):
            char = text[index]
            if char in "[(":
                depth += 1
            elif char in "])" and depth:
                depth -= 1
            elif char == "]":
                end = index
                break
            elif char == "," and depth == 0 and comma < 0:
                comma = index
        if end < 0 or comma < 0:
            break
        text = text[:start] + text[start + len("Annotated[") : comma].strip() + text[end + 1 :]
    return re.sub(r"\s*\|\s*None$", "", text)


def _field(value: str) -> tuple[str, str]:
    """A default as written, and a ``Field(description=...)``'s text (pydantic and dataclasses)."""
    call = re.match(r"^(?:Field|field|dataclasses\.field)\((.*)\)$", value, re.DOTALL)
    if not call:
        return value, ""
    inside = call.group(1)
    default = re.search(r"(?:^|,\s*)default=([^,]+)", inside)
    factory = re.search(r"default_factory=([\w.]+)", inside)
    description = re.search(r"description=([\"'])(.*?)\1", inside)
    shown = default.group(1).strip() if default else (f"{factory.group(1)}()" if factory else "")
    return shown, description.group(2) if description else ""


def _api(section: Section, sources: Sources) -> str:
    named = section.options.get("object")
    if not named:
        raise GeneratorError("object= must name a module or class of the project")
    target = _object(sources, named)
    rows = []
    for name, member in target.members.items():
        if name.startswith("_") or not _public(member):
            continue
        resolved = member.final_target if member.is_alias else member
        summary = resolved.docstring.value.split("\n")[0] if resolved.docstring else ""
        rows.append([code(_signature(name, resolved), section.style), summary])
    return table(["name", "summary"], rows, section.style)


def _public(member: Any) -> bool:
    try:
        return bool(member.is_public) and not (member.is_alias and not member.final_target)
    except Exception:  # noqa: BLE001 - an alias griffe cannot follow is not documented
        return False


def _signature(name: str, obj: Any) -> str:
    if obj.is_function or obj.is_class:
        function = obj if obj.is_function else obj.members.get("__init__")
        parameters = [
            p for p in (function.parameters if function is not None else []) if p.name not in ("self", "cls")
        ]
        shown = ", ".join(_parameter(p) for p in parameters)
        prefix = "class " if obj.is_class else ""
        returns = f" -> {obj.returns}" if obj.is_function and obj.returns else ""
        return f"{prefix}{name}({shown}){returns}"
    return f"{name}: {obj.annotation}" if getattr(obj, "annotation", None) else name


def _parameter(parameter: Any) -> str:
    kind = str(parameter.kind.value)
    star = "*" if kind == "variadic positional" else "**" if kind == "variadic keyword" else ""
    text = f"{star}{parameter.name}"
    if parameter.annotation is not None:
        text += f": {parameter.annotation}"
    if parameter.default is not None and not star:
        text += f" = {parameter.default}"
    return text


def _exit_codes(section: Section, sources: Sources) -> str:
    named = section.options.get("enum")
    if named is None:
        found = sorted(
            path for short, paths in sources.api.classes.items() if "exit" in short.lower() for path in paths
        )
        if not found:
            raise GeneratorError("enum= must name the exit code enum (none found with Exit in its name)")
        named = found[0]
    target = _object(sources, named)
    rows = [
        [
            code(str(member.value), section.style),
            code(name, section.style),
            member.docstring.value if member.docstring else "",
        ]
        for name, member in target.members.items()
        if member.is_attribute and not name.startswith("_")
    ]
    return table(["code", "name", "meaning"], rows, section.style)


def _env(section: Section, sources: Sources) -> str:
    settings = sources.settings()
    rows = [[code(name, section.style), settings.env_where.get(name, "")] for name in sorted(settings.env)]
    rows += [
        [code(prefix + "*", section.style), "any name under this prefix"]
        for prefix in sorted(settings.env_prefixes)
    ]
    return table(["variable", "read in"], rows, section.style)


def _diagram(section: Section, sources: Sources) -> str:
    options = section.options
    if "compose" in options:
        lines = diagrams.compose(_inside(sources.root, options["compose"]))
    elif "kubernetes" in options:
        lines = diagrams.kubernetes(_inside(sources.root, options["kubernetes"]))
    else:
        package = options.get("package", sources.api.packages[0])
        lines = diagrams.modules(_object(sources, package))
    body = "\n".join(["graph LR", *(f"  {line}" for line in lines)])
    if section.style == "rst":
        return ".. mermaid::\n\n" + "\n".join(f"   {line}" for line in body.splitlines())
    return f"```mermaid\n{body}\n```"


def _inside(root: Path, given: str) -> Path:
    path = (root / given).resolve()
    if not path.is_relative_to(root.resolve()) or not path.exists():
        raise GeneratorError(f"{given}: no such file or folder in the repository")
    return path


GENERATORS: dict[str, Callable[[Section, Sources], str]] = {
    "cli": _cli,
    "config": _config,
    "api": _api,
    "diagram": _diagram,
    "exit-codes": _exit_codes,
    "env": _env,
}
