"""One family of expected errors and the exit codes they map to.

The CLI boundary (``devcopilot.cli.app.run``) is the only place that turns these
into exit codes; everything below it raises. The table is documented in README
and each code is exercised by the test suite.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Nothing at ``--fail-on`` (an explanation, ``incident explain``, never fails)."""
    FINDINGS = 1
    """Something at ``--fail-on``: a finding at that level, a possible bug found by ``tests generate``,
    a section ``docs refresh --check`` finds out of date."""
    USAGE = 2
    """Usage, configuration or input error (the message names the file and key)."""
    MODEL_UNAVAILABLE = 3
    """``--strict-model`` and no model answered (or the model pass did not cover the work);
    ``models test`` when every model failed."""
    INTERNAL = 4
    """Internal error: a one-line message names the crash log holding the traceback."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C)."""


class DevcopilotError(Exception):
    """An expected failure with a message the user can act on."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(DevcopilotError):
    """The command line asked for something that cannot be done."""


class InputError(DevcopilotError):
    """A file or value the user gave cannot be read or used."""


class ConfigError(DevcopilotError):
    """A configuration source is invalid; the message names the file and the key path."""

    def __init__(self, source: str, key_path: str, problem: str, *, hint: str | None = None) -> None:
        location = f"{source}: {key_path}" if key_path else source
        super().__init__(f"{location}: {problem}", hint=hint)
        self.source = source
        self.key_path = key_path
        self.problem = problem


class ModelUnavailableError(DevcopilotError):
    """Every model of a route failed, or the route may not make further calls."""

    exit_code = ExitCode.MODEL_UNAVAILABLE


class CostCapReachedError(ModelUnavailableError):
    """The route's per-run cost cap is spent; further calls are refused before they are made."""
