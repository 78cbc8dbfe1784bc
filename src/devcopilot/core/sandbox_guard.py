"""The sandbox's rules inside the child process: no network, no writes outside the copy, no processes.

Runs in the sandboxed interpreter (imported by ``driver``), so it uses the
standard library only. CPython audit hooks see every ``open`` for writing,
every socket connection and every process start that Python code makes; a
hook that raises stops the operation. Code under test gets a PermissionError
whose message starts with ``SANDBOX_MARK``, which the parent recognises to
report the side effect by name.

While the probe observes a call (``observing``), writes are refused inside
the copy too: a call that writes files would write them wherever its test
later runs, so it is reported as a side effect, never pinned.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SANDBOX_MARK = "devcopilot sandbox:"
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
PATH_EVENTS = {
    "os.remove": 0,
    "os.unlink": 0,
    "os.rmdir": 0,
    "os.mkdir": 0,
    "os.rename": 1,
    "os.replace": 1,
    "os.truncate": 0,
    "os.chmod": 0,
    "os.symlink": 1,
    "os.link": 1,
    "shutil.rmtree": 0,
    "shutil.copyfile": 1,
    "shutil.move": 1,
}
PROCESS_EVENTS = (
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
)
NETWORK_EVENTS = ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg")


class SandboxViolationError(PermissionError):
    """What the code under test gets for an operation the sandbox refuses."""


_observing = [False]


@contextmanager
def observing() -> Iterator[None]:
    """Refuse every write, the copy's included, for as long as a probed call runs."""
    _observing[0] = True
    try:
        yield
    finally:
        _observing[0] = False


def install(roots: list[str]) -> None:
    allowed = (*(os.path.realpath(r) for r in roots), "/dev/null")

    def inside(path: Any) -> bool:
        if isinstance(path, int):
            return True
        if _observing[0]:
            return os.fsdecode(path) == "/dev/null"
        text = os.fsdecode(path)
        full = os.path.realpath(text if os.path.isabs(text) else os.path.join(os.getcwd(), text))
        return any(full == root or full.startswith(root + os.sep) for root in allowed)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & WRITE_FLAGS)
            if writing and path is not None and not inside(path):
                raise SandboxViolationError(f"{SANDBOX_MARK} writing {os.fsdecode(path)} {refused()}")
        elif event in NETWORK_EVENTS:
            sock = args[0]
            if getattr(sock, "family", None) != socket.AF_UNIX:
                raise SandboxViolationError(f"{SANDBOX_MARK} network access is blocked ({event})")
        elif event == "socket.getaddrinfo":
            raise SandboxViolationError(
                f"{SANDBOX_MARK} network access is blocked (name lookup of {args[0]})"
            )
        elif event in PATH_EVENTS:
            path = args[PATH_EVENTS[event]] if len(args) > PATH_EVENTS[event] else None
            if path is not None and not inside(path):
                raise SandboxViolationError(f"{SANDBOX_MARK} changing {os.fsdecode(path)} {refused()}")
        elif event.startswith(PROCESS_EVENTS):
            raise SandboxViolationError(f"{SANDBOX_MARK} starting processes is blocked ({event})")

    sys.addaudithook(hook)


def refused() -> str:
    return "is blocked while a call is observed" if _observing[0] else "outside the sandbox is blocked"
