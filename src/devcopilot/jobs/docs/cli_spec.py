"""The project's own command-line interface, and the command lines its documentation shows.

Entry points come from packaging metadata (``[project.scripts]``, Poetry's
scripts, setup.cfg's ``console_scripts``); each is described by the sandbox
driver. A documented command line is judged only when it starts with one of
those names: an example of another tool is not this project's CLI.
"""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PROMPT = re.compile(r"^\s*(?:\$|%|>|#|\(\S+\)\s*\$)\s+")
_SEPARATORS = frozenset({"|", "||", "&&", ";", ">", ">>", "<", "2>", "2>&1", "&"})
_PLACEHOLDER = re.compile(r"^[<\[{]|^\.\.\.$|^[A-Z][A-Z_]+$")
SHELL_LANGUAGES = frozenset(
    {"console", "shell", "bash", "sh", "zsh", "shell-session", "text", "", "none", "sh-session"}
)


@dataclass
class Command:
    """A command of the project's CLI as the sandbox described it."""

    options: dict[str, bool] = field(default_factory=dict)
    """Option string to whether it takes a value."""
    arguments: int = 0
    commands: dict[str, Command] = field(default_factory=dict)
    help: str = ""
    argument_names: list[str] = field(default_factory=list)
    details: list[OptionDetail] = field(default_factory=list)
    """Each option once (all its spellings), with its default and help, in declaration order."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Command:
        return cls(
            options={str(k): bool(v) for k, v in data.get("options", {}).items()},
            arguments=int(data.get("arguments", 0)),
            commands={str(k): cls.from_json(v) for k, v in data.get("commands", {}).items()},
            help=str(data.get("help") or ""),
            argument_names=[str(a) for a in data.get("argument_names", [])],
            details=[
                OptionDetail(
                    tuple(map(str, d.get("names", []))),
                    d.get("default"),
                    str(d.get("help") or ""),
                    d.get("metavar"),
                )
                for d in data.get("details", [])
            ],
        )


@dataclass(frozen=True)
class OptionDetail:
    names: tuple[str, ...]
    default: str | None
    help: str
    metavar: str | None = None
    """What the option takes (``FILE``, ``a|b``); ``None`` for a flag."""


@dataclass(frozen=True)
class Problem:
    path: tuple[str, ...]
    """The command path as written (``prog sub``)."""
    word: str
    kind: str
    """``option`` or ``command``."""


def entry_points(root: Path) -> dict[str, str]:
    """Console script name to ``module:attribute``, from whichever packaging file declares them."""
    found: dict[str, str] = {}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = {}
        found.update(data.get("project", {}).get("scripts", {}) or {})
        found.update(data.get("tool", {}).get("poetry", {}).get("scripts", {}) or {})
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read_string(setup_cfg.read_text("utf-8"))
            scripts = parser.get("options.entry_points", "console_scripts", fallback="")
        except (configparser.Error, UnicodeDecodeError):
            scripts = ""
        for line in scripts.splitlines():
            name, _, target = line.partition("=")
            if target.strip():
                found.setdefault(name.strip(), target.strip())
    return {name: target for name, target in found.items() if isinstance(target, str) and ":" in target}


def command_lines(text: str, language: str, programs: set[str]) -> list[tuple[int, list[str]]]:
    """The command lines in a shell block (or an inline span) that run one of ``programs``, by offset."""
    if language not in SHELL_LANGUAGES:
        return []
    found = []
    has_prompts = any(_PROMPT.match(line) for line in text.splitlines())
    for offset, line in enumerate(text.splitlines()):
        prompt = _PROMPT.match(line)
        if has_prompts and not prompt:
            continue
        words = _words(line[prompt.end() :] if prompt else line)
        if words and words[0] in programs:
            found.append((offset, words))
    return found


def problems(words: list[str], root: Command) -> list[Problem]:
    """The options and subcommands a command line uses that the CLI does not have."""
    command, path, found = root, [words[0]], []
    index = 1
    positional = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word in _SEPARATORS or word == "--":
            break
        if word.startswith("-") and len(word) > 1 and not word[1:2].isdigit():
            option = word.split("=", 1)[0]
            if not word.startswith("--") and option not in command.options and len(option) > 2:
                option = option[:2]  # -xVALUE, or several short flags together
            if option in command.options:
                index += command.options[option] and "=" not in word
            elif not _known_anywhere(option, root):
                found.append(Problem(tuple(path), option, "option"))
            continue
        if _PLACEHOLDER.match(word):
            break
        if word in command.commands:
            command = command.commands[word]
            path.append(word)
            positional = 0
        elif (
            command.commands
            and not command.arguments
            and positional == 0
            and re.fullmatch(r"[a-z][\w-]*", word)
        ):
            found.append(Problem(tuple(path), word, "command"))
            break
        else:
            positional += 1
    return found


def _known_anywhere(option: str, command: Command) -> bool:
    """An option of any command: written after the wrong word, it is a style issue, not a missing option."""
    return option in command.options or any(_known_anywhere(option, sub) for sub in command.commands.values())


def _words(line: str) -> list[str]:
    line = line.split(" #", 1)[0].rstrip("\\").strip()
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()
