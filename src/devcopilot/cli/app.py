"""The ``devcopilot`` command: global options, sub-commands, and the one error boundary.

Help is drawn by click's plain formatter (``rich_markup_mode=None``): rich help
costs more start-up time than everything else ``--help`` does. Sub-command
modules import the core only inside their functions, so ``--help`` and
``--version`` load neither pydantic nor litellm.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import typer

from devcopilot import __version__
from devcopilot.cli.compare_cmd import compare
from devcopilot.cli.config_cmd import config_app
from devcopilot.cli.log_cmd import register_log_commands
from devcopilot.cli.model_choice_cmd import register_choice_commands
from devcopilot.cli.models_cmd import models_app
from devcopilot.cli.output import configure_output, error_line
from devcopilot.cli.prompts_cmd import prompts_app
from devcopilot.cli.replay_cmd import replay
from devcopilot.cli.review_cmd import quick_answer
from devcopilot.core.errors import DevcopilotError, ExitCode
from devcopilot.core.jobs import load_object
from devcopilot.jobs.registry import JOBS

EXIT_CODES_HELP = (
    "Exit codes: 0 nothing at --fail-on; 1 something at --fail-on (a finding, a possible bug); "
    "2 usage, configuration or input error; 3 --strict-model and no model answered; "
    "4 internal error (traceback written to a log file); 130 interrupted."
)

app = typer.Typer(
    name="devcopilot",
    help="A DevOps copilot for your repository. Every model claim is verified before it is shown; "
    "with no model configured, the built-in engines do the work.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"devcopilot {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show debug logs, and tracebacks instead of a crash log."
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Only errors on stderr; no progress, no warnings."
    ),
) -> None:
    configure_output(debug=debug, quiet=quiet)


for _job in JOBS.jobs:
    load_object(_job.cli)(app)
app.add_typer(config_app, name="config")
app.command("compare", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(compare)
app.command("replay")(replay)
register_choice_commands(models_app)
app.add_typer(models_app, name="models")
app.add_typer(prompts_app, name="prompts")
register_log_commands(app)


def _click_error_class() -> type[Exception]:
    """Typer may vendor click; its ClickException is found through a class Typer exports."""
    return next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException")


def _write_crash_log(error: BaseException, argv: list[str]) -> Path | None:
    from devcopilot.core.paths import Home
    from devcopilot.core.redaction import redact

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    try:
        folder = Home.from_env().crash_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{stamp}.log"
        details = "".join(traceback.format_exception(error))
        header = f"devcopilot {__version__}\nargv: {argv}\n\n"
        path.write_text(redact(header + details).text, encoding="utf-8")
    except OSError:
        return None
    return path


def run(argv: list[str] | None = None) -> NoReturn:
    """Entry point of the console script: every outcome becomes a documented exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("DEVCOPILOT_DEBUG") == "1"
    click_error = _click_error_class()
    code: int
    try:
        if quick_answer(args):
            sys.exit(ExitCode.OK)
        command = typer.main.get_command(app)
        result = command.main(args=args, prog_name="devcopilot", standalone_mode=False)
        code = result if isinstance(result, int) else ExitCode.OK
    except DevcopilotError as error:
        if debug:
            traceback.print_exc()
        error_line(str(error))
        code = error.exit_code
    except typer.Exit as done:
        code = done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        code = ExitCode.INTERRUPTED
    except click_error as error:
        error.show()  # type: ignore[attr-defined]
        code = int(getattr(error, "exit_code", ExitCode.USAGE))
    except BrokenPipeError:
        # The reader of our output went away (`devcopilot log | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = ExitCode.OK
    except Exception as error:  # noqa: BLE001 - the boundary: anything unexpected becomes a crash log
        if debug:
            traceback.print_exc()
        crash_log = None if debug else _write_crash_log(error, args)
        where = f"; the traceback is in {crash_log}" if crash_log else ""
        error_line(f"internal error ({type(error).__name__}: {error}){where}. Please report it.")
        code = ExitCode.INTERNAL
    if code == ExitCode.INTERRUPTED:
        # Typer turns Ctrl-C into Exit(130) itself, so the message is keyed on the code, not the exception.
        sys.stderr.write("devcopilot: interrupted\n")
        sys.stdout.flush()
        sys.stderr.flush()
        # A model client's worker threads may still wait on the network; Ctrl-C must not wait for them.
        os._exit(code)
    sys.exit(code)
