"""Next checks are commands the user can paste; only ones shown to be read-only are ever suggested.

A command is read-only when it is a single command (no pipes, redirections,
substitutions or chaining), its program and sub-command are on the list
below, and none of its options is one that writes. Model-proposed commands
that fail this are dropped, not "fixed".
"""

from __future__ import annotations

import shlex

_READ_ONLY: dict[str, frozenset[str] | None] = {
    # program: allowed sub-commands (None: the program itself only reads)
    "git": frozenset({"log", "show", "diff", "blame", "status", "grep", "rev-parse", "describe", "shortlog"}),
    "kubectl": frozenset({"get", "describe", "logs", "top", "events", "explain", "version"}),
    "grep": None,
    "zgrep": None,
    "rg": None,
    "head": None,
    "tail": None,
    "cat": None,
    "zcat": None,
    "less": None,
    "wc": None,
    "journalctl": None,
    "dmesg": None,
    "df": None,
    "free": None,
    "uptime": None,
    "ps": None,
    "ss": None,
    "dig": None,
    "nslookup": None,
}
_WRITING_OPTIONS = (
    "--output",
    "-o",
    "--vacuum",
    "--rotate",
    "--flush",
    "--sync",
    "--relinquish",
    "-w",
    "--write",
)
_SHELL_CHARACTERS = set("|;&><`$\n")


def is_read_only(command: str) -> bool:
    if not command.strip() or _SHELL_CHARACTERS & set(command):
        return False
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    if not words or words[0] not in _READ_ONLY:
        return False
    program = words[0]
    subcommands = _READ_ONLY[program]
    options = [w for w in words[1:] if w.startswith("-")]
    if subcommands is not None:
        positional = [w for w in words[1:] if not w.startswith("-")]
        if not positional or positional[0] not in subcommands:
            return False
    if program == "kubectl":
        # -o is kubectl's output format, not a file; its writers are verbs, checked above.
        options = [o for o in options if not o.startswith(("-o", "--output"))]
    if program == "dmesg" and any(o in ("-c", "-C", "--clear", "--read-clear") for o in options):
        return False
    return not any(
        o == w or o.startswith(w + "=") or o.startswith("--vacuum") for o in options for w in _WRITING_OPTIONS
    )


def quote(text: str) -> str:
    return shlex.quote(text)
