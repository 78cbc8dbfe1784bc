"""Where output goes: results to stdout, progress and warnings to stderr.

Machine formats (``--json``) are written as plain text to stdout and nothing
else ever is, so ``devcopilot log --json | jq`` always works. rich is imported
only when something is actually drawn; it honours ``NO_COLOR`` by itself.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from devcopilot.core.console import stderr_console, stdout_console


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(format_cell(value) for value in row))
    stdout_console().print(table)


def format_cell(value: Any) -> str:
    from rich.markup import escape

    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | dict):
        return escape(json.dumps(value, ensure_ascii=False))
    return escape(str(value))


class _StderrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        label = "warning" if record.levelno == logging.WARNING else record.levelname.lower()
        sys.stderr.write(f"{label}: {record.getMessage()}\n")


_settings = {"quiet": False}


def configure_output(*, debug: bool, quiet: bool) -> None:
    """devcopilot's warnings go to stderr, one line each; ``--quiet`` keeps only errors and no progress."""
    _settings["quiet"] = quiet
    logger = logging.getLogger("devcopilot")
    logger.handlers[:] = [_StderrHandler()]
    logger.propagate = False
    logger.setLevel(logging.DEBUG if debug else logging.ERROR if quiet else logging.WARNING)


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner on stderr while long work runs: only on a terminal, never with ``--quiet``."""
    if _settings["quiet"] or not sys.stderr.isatty():
        yield
        return
    with stderr_console().status(message):
        yield


def error_line(message: str) -> None:
    sys.stderr.write(f"devcopilot: error: {message}\n")


def warn_line(message: str) -> None:
    logging.getLogger("devcopilot").warning(message)
