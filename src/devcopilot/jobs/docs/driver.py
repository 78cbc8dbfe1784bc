"""What the sandbox runs for ``docs check``: the project's CLI described, documentation code run.

``python -m devcopilot.jobs.docs.driver REQUEST.json`` (the sandbox's driver
contract: the guard first, JSON lines to the request's ``results``). Standard
library only; click and Typer (whose click is its own copy) are read by their
shape, and only if the project's CLI imported them.

``cli`` imports an entry point's object and describes it: a click command or
group (Typer apps through Typer's own converter), or an argparse program,
caught at its ``parse_args`` call without running it. ``blocks`` runs each
document's Python blocks in order in one namespace, and its doctests, each
with its own timer, and records what each did.
"""

from __future__ import annotations

import argparse
import contextlib
import doctest
import importlib
import io
import json
import signal
import sys
import time
import traceback
from typing import Any

from devcopilot.core.sandbox_guard import SANDBOX_MARK, install

MAX_DEPTH = 6


class Captured(BaseException):
    def __init__(self, program: Any) -> None:
        super().__init__("captured")
        self.program = program


class BlockTimeout(BaseException):
    pass


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    install(request["allowed_roots"])
    sys.argv = [request.get("program", "docs-example")]
    with open(request["results"], "a", encoding="utf-8") as out:

        def emit(record: dict[str, Any]) -> None:
            out.write(json.dumps(record) + "\n")
            out.flush()

        if request["action"] == "cli":
            for target in request["targets"]:
                emit(describe_target(target))
        else:
            for document in request["documents"]:
                run_document(document, request["timeout"], emit)
    return 0


def describe_target(target: dict[str, str]) -> dict[str, Any]:
    module_name, _, attribute = target["entry"].partition(":")
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            module = importlib.import_module(module_name)
            obj: Any = module
            for part in filter(None, attribute.split(".")):
                obj = getattr(obj, part)
            spec = _describe(obj, target["name"]) or _module_program(module, target["name"])
            return {"name": target["name"], "spec": spec}
    except Captured as captured:
        return {"name": target["name"], "spec": _describe(captured.program, target["name"])}
    except BaseException as error:  # noqa: BLE001 - the project's import may fail any way; say how
        return {"name": target["name"], "error": f"{type(error).__name__}: {error}"[:500]}


def _module_program(module: Any, name: str) -> dict[str, Any] | None:
    """A ``main()`` that wraps its app (an error boundary, a setup step): the app the module holds."""
    typer = sys.modules.get("typer")
    typer_app = getattr(typer, "Typer", None)
    found = {
        key: value
        for key, value in vars(module).items()
        if (typer_app is not None and isinstance(value, typer_app))
        or (_is_command(value) and hasattr(value, "commands"))
    }
    for preferred in (name.replace("-", "_"), "app", "cli", "main"):
        if preferred in found:
            return _describe(found[preferred], name)
    return _describe(next(iter(found.values())), name) if len(found) == 1 else None


def _describe(obj: Any, name: str) -> dict[str, Any] | None:
    typer = sys.modules.get("typer")
    if typer is not None and isinstance(obj, typer.Typer):
        obj = typer.main.get_command(obj)
    if _is_command(obj):
        return _click(obj, 0)
    if isinstance(obj, argparse.ArgumentParser):
        return _argparse(obj, 0)
    if callable(obj):
        return _describe(_catch_program(obj, name), name)
    return None


def _is_command(obj: Any) -> bool:
    """A click command, or one of a library that vendors click (Typer does): read by its shape."""
    return all(hasattr(obj, attribute) for attribute in ("params", "main", "context_class", "get_help"))


def _command_classes() -> list[type]:
    """Every click-like ``Command`` class loaded: click's own, and vendored copies (Typer's)."""
    found = []
    for name, module in list(sys.modules.items()):
        if name == "click.core" or name.endswith("._click.core"):
            command = getattr(module, "Command", None)
            if isinstance(command, type):
                found.append(command)
    return found


def _catch_program(function: Any, name: str) -> Any:
    """Call a ``main()`` with its parser's and click's entry points replaced by a catch: nothing runs."""

    def catch(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise Captured(self)

    patched: list[tuple[type, str]] = [
        (argparse.ArgumentParser, m) for m in ("parse_args", "parse_known_args", "parse_intermixed_args")
    ]
    patched += [(command, "main") for command in _command_classes()]
    saved = [(owner, method, getattr(owner, method)) for owner, method in patched]
    for owner, method in patched:
        setattr(owner, method, catch)
    sys.argv = [name, "--help"]
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            function()
    except Captured as captured:
        return captured.program
    except BaseException:  # noqa: BLE001 - a main() that does something else first is not described
        return None
    finally:
        for owner, method, original in saved:
            setattr(owner, method, original)
    return None


def _click(command: Any, depth: int) -> dict[str, Any]:
    context = command.context_class(command, info_name=command.name)
    options: dict[str, bool] = dict.fromkeys(context.help_option_names, False)
    details = [
        {"names": list(context.help_option_names), "default": None, "help": "Show this message and exit."}
    ]
    arguments = 0
    shown_arguments: list[str] = []
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            for opt in (*param.opts, *param.secondary_opts):
                options[opt] = not (param.is_flag or param.count)
            names = [*param.opts, *param.secondary_opts]
            metavar = None if (param.is_flag or param.count) else _metavar(param)
            details.insert(
                -1,
                {
                    "names": names,
                    "default": _shown(param.default),
                    "help": param.help or "",
                    "metavar": metavar,
                },
            )
        else:
            arguments += 1
            shown = _metavar(param) + ("..." if param.nargs == -1 else "")
            shown_arguments.append(shown if getattr(param, "required", True) else f"[{shown}]")
    commands = {}
    if hasattr(command, "list_commands") and depth < MAX_DEPTH:
        for sub in command.list_commands(context):
            found = command.get_command(context, sub)
            if found is not None and not getattr(found, "hidden", False):
                commands[sub] = _click(found, depth + 1)
    summary = (command.help or command.short_help or "").strip().split("\n\n")[0]
    return {
        "options": options,
        "arguments": arguments,
        "commands": commands,
        "help": " ".join(summary.split()),
        "details": details,
        "argument_names": shown_arguments,
    }


def _argparse(parser: argparse.ArgumentParser, depth: int) -> dict[str, Any]:
    options: dict[str, bool] = {}
    details: list[dict[str, Any]] = []
    arguments = 0
    commands: dict[str, Any] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and depth < MAX_DEPTH:
            commands.update({name: _argparse(sub, depth + 1) for name, sub in action.choices.items()})
        elif action.option_strings:
            for opt in action.option_strings:
                options[opt] = action.nargs != 0
            default = None if action.default is argparse.SUPPRESS else _shown(action.default)
            details.append(
                {"names": list(action.option_strings), "default": default, "help": action.help or ""}
            )
        else:
            arguments += 1
    summary = " ".join((parser.description or "").split())
    return {
        "options": options,
        "arguments": arguments,
        "commands": commands,
        "help": summary,
        "details": details,
    }


def _metavar(param: Any) -> str:
    choices = getattr(getattr(param, "type", None), "choices", None)
    if getattr(param, "metavar", None):
        return str(param.metavar)
    if choices and all(isinstance(c, str) for c in choices):
        return "|".join(choices)
    return str(param.name or "value").upper()


def _shown(default: Any) -> str | None:
    """A default as a reference shows it; ``None`` when there is none worth showing (or it is computed)."""
    if default is None or callable(default) or default is False or default == ():
        return None
    text = repr(default)
    return text if len(text) <= 60 else None


def run_document(document: dict[str, Any], timeout: float, emit: Any) -> None:
    namespace: dict[str, Any] = {"__name__": "__docs__"}

    def expire(*_: Any) -> None:
        raise BlockTimeout

    signal.signal(signal.SIGALRM, expire)
    for block in document["blocks"]:
        record = {"path": document["path"], "line": block["line"]}
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                if block["language"] == "pycon":
                    record |= _doctest(block["text"], namespace, document["path"], block["line"])
                else:
                    code = compile(block["text"], f"<{document['path']}:{block['line']}>", "exec")
                    exec(code, namespace)  # noqa: S102 - documentation code, run in the sandbox
                    record["outcome"] = "ok"
        except BlockTimeout:
            record |= {"outcome": "timeout"}
        except SystemExit:
            record["outcome"] = "ok"
        except BaseException as error:  # noqa: BLE001 - every failure of documentation code is reported
            record |= _failure(error)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        record["seconds"] = round(time.perf_counter() - started, 3)
        emit(record)


def _doctest(text: str, namespace: dict[str, Any], path: str, line: int) -> dict[str, Any]:
    failures: list[dict[str, Any]] = []

    class Runner(doctest.DocTestRunner):
        def report_failure(self, out: Any, test: Any, example: Any, got: str) -> None:
            failures.append(
                {"outcome": "mismatch", "expected": example.want, "got": got, "offset": example.lineno}
            )

        def report_unexpected_exception(self, out: Any, test: Any, example: Any, exc_info: Any) -> None:
            if isinstance(exc_info[1], BlockTimeout):
                raise exc_info[1]
            failures.append({**_failure(exc_info[1]), "offset": example.lineno})  # the example's line

    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, namespace, path, path, line)
    Runner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False).run(
        test, clear_globs=False, out=lambda _: None
    )
    namespace.update(test.globs)
    return failures[0] if failures else {"outcome": "ok"}


def _failure(error: BaseException) -> dict[str, Any]:
    message = f"{type(error).__name__}: {error}"
    frames = traceback.extract_tb(error.__traceback__)
    return {
        "outcome": "sandbox" if SANDBOX_MARK in str(error) else "error",
        "error": message[:500],
        "type": type(error).__name__,
        "module": getattr(error, "name", None) if isinstance(error, ImportError) else None,
        "files": [frame.filename for frame in frames][-6:],
        "offset": next(((f.lineno or 1) - 1 for f in reversed(frames) if f.filename.startswith("<")), 0),
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv))
