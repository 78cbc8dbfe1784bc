"""Grok-like patterns for log layouts a team writes down: ``%{TYPE:field}`` pieces inside a regex.

Types are the pieces a header is made of; ``TIMESTAMP`` is any form of the
timestamp grammar (``stamps``), so nobody has to spell a date format. Field
names the job uses: ``ts`` (or ``timestamp``), ``level``, ``component`` (or
``logger``), ``host``, ``pid``, and ``msg`` (or ``message``), which is required.
"""

from __future__ import annotations

import re

from devcopilot.jobs.incident.layouts import LEVELS, Layout
from devcopilot.jobs.incident.stamps import FORMS, TOKEN

_PIECE = re.compile(r"%\{(?P<type>[A-Z0-9_]+)(?::(?P<field>[A-Za-z_]\w*)?(?::(?P<form>[\w-]+))?)?\}")
"""``%{TYPE}``, ``%{TYPE:field}``, and ``%{TIMESTAMP:ts:Y-m-d}`` (one form of the timestamp grammar)."""
_ALIASES = {"timestamp": "ts", "message": "msg", "logger": "component", "process": "pid"}
_GROUP = re.compile(r"\(\?P<\w+>")
_BACKREF = re.compile(r"\(\?P=(\w)\)")


def plain(pattern: str) -> str:
    """A grammar form's pattern with its named groups made plain, so several fit in one regex."""
    pattern = _BACKREF.sub(lambda m: "[-/.]" if m.group(1) == "s" else "[:.]", pattern)
    return _GROUP.sub("(?:", pattern)


TYPES = {
    "TIMESTAMP": "(?:" + "|".join(plain(form.pattern.pattern) for form in FORMS) + ")",
    "LEVEL": LEVELS,
    "NUMBER": r"[+-]?\d+(?:\.\d+)?",
    "INT": r"[+-]?\d+",
    "WORD": r"\w+",
    "NOTSPACE": r"\S+",
    "DATA": r".*?",
    "GREEDYDATA": r".*",
    "IP": r"(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f:]+:[0-9A-Fa-f:.]+",
    "HOSTNAME": r"[A-Za-z0-9][A-Za-z0-9.\-]*",
    "BRACKET": r"(?:\[(?:[^\[\]]|\[[^\[\]]*\])*\]|\((?:[^()]|\([^()]*\))*\)|<[^<>]*>)",
    "COMPONENT": r"[^\s:]\S*?(?:\s\([^()]*\))?|\([^()]*\)",
    "IDENT": r"\S+",
    "TOKEN": f"(?:{TOKEN.pattern})",
    "DASH": r"[-*#.:|>~=+]{1,3}",
    "LETTER_LEVEL": r"[VDIWEFA]",
    "FIELD": r"[^|\t;\n]*",
}
_WRAPPED = {"LEVEL": (r"[\[(<]?\s*", r"\s*[\])>]?[:,]?")}
"""Types whose field is the core of the piece: ``[INFO ]`` is the level ``INFO``."""
_SPACES = re.compile(r" +")
GAP = r"(?:\s+|(?<=[\])>])|(?=[\[(<]))"
"""What a space in a pattern matches: spaces, or nothing where a bracket closes or opens (``[a][b]``)."""
FORM_NAMES = {form.name: form for form in FORMS}


def compile_pattern(name: str, pattern: str, *, label: str = "from configuration") -> Layout:
    """The layout a pattern describes; ``ValueError`` says what is wrong with it."""
    fields: list[str] = []
    forms: list[str] = []

    def piece(match: re.Match[str]) -> str:
        kind, field, form = match["type"], match["field"], match["form"]
        if kind not in TYPES:
            raise ValueError(f"unknown type %{{{kind}}} (known: {', '.join(sorted(TYPES))})")
        regex = TYPES[kind]
        if form is not None:
            if kind != "TIMESTAMP" or form not in FORM_NAMES:
                raise ValueError(f"unknown timestamp form {form!r} (known: {', '.join(FORM_NAMES)})")
            regex = plain(FORM_NAMES[form].pattern.pattern)
            if field in ("ts", "timestamp"):
                forms.append(form)
        before, after = _WRAPPED.get(kind, ("", ""))
        if not field:
            return f"{before}(?:{regex}){after}"
        field = _ALIASES.get(field, field)
        if field in fields:
            raise ValueError(f"field {field!r} is named twice")
        fields.append(field)
        return f"{before}(?P<{field}>{regex}){after}"

    # A literal space stands for any gap: "Jul  1" and "Jul 10" are one layout.
    regex = _PIECE.sub(piece, _SPACES.sub(GAP.replace("\\", "\\\\"), pattern))
    if "msg" not in fields and "(?P<msg>" not in regex:
        raise ValueError("the pattern names no msg field (%{GREEDYDATA:msg})")
    try:
        compiled = re.compile(f"^(?:{regex})$" if not regex.startswith("^") else regex)
    except re.error as error:
        raise ValueError(f"not a valid pattern: {error}") from None
    if "ts" not in compiled.groupindex:
        formats: tuple[str, ...] = ()
    else:
        formats = tuple(f"form:{form}" for form in forms) or tuple(f"form:{form.name}" for form in FORMS)
    return Layout(f"{name} ({label})", compiled, formats, pattern)
