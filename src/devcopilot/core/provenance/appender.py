"""Append whole lines to a size-rotated file, safely across processes.

The lock is ``flock`` on the append descriptor the log already holds, taken
and released with two system calls. A general-purpose lock library opens,
canonicalises and closes a separate lock file on every acquire; measured in
the router-overhead benchmark, that cost most of a millisecond per model call,
because each of its system calls hands the interpreter lock to litellm's
logging thread, which is busy at exactly that moment. Where ``fcntl`` does not
exist (Windows), the ``filelock`` library does the locking instead.

Rotation: the writer that holds the lock and finds the file over its limit
renames it to ``<name>.1`` (shifting older files up). A writer that was waiting
on the old file finds, once it holds the lock, that the path now names another
file, and starts over on the new one.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

if sys.platform != "win32":
    import fcntl

_POLL_S = 0.005


class Appender(Protocol):
    def append(self, line: bytes) -> bool:
        """Append ``line`` whole; ``False`` when the lock could not be had in time."""
        ...


def open_appender(path: Path, *, max_bytes: int, keep: int, timeout_s: float) -> Appender:
    if sys.platform == "win32":  # pragma: no cover - no fcntl there
        return FileLockAppender(path, max_bytes=max_bytes, keep=keep, timeout_s=timeout_s)
    return FlockAppender(path, max_bytes=max_bytes, keep=keep, timeout_s=timeout_s)


class FlockAppender:
    def __init__(self, path: Path, *, max_bytes: int, keep: int, timeout_s: float) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.keep = keep
        self.timeout_s = timeout_s
        self._fd: int | None = None

    def append(self, line: bytes) -> bool:
        deadline = time.monotonic() + self.timeout_s
        while True:
            fd = self._descriptor()
            if not _flock_until(fd, deadline):
                return False
            try:
                if not self._still_current(fd):
                    self._forget()  # rotated away while we waited: start over on the new file
                    continue
                size = os.fstat(fd).st_size
                if size > 0 and size + len(line) > self.max_bytes:
                    rotate(self.path, self.keep)
                    self._forget()
                    continue
                _write_line(fd, line, size)
                return True
            finally:
                if self._fd == fd:
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def _descriptor(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        return self._fd

    def _forget(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing also releases our lock on it
            self._fd = None

    def _still_current(self, fd: int) -> bool:
        try:
            named = self.path.stat()
        except FileNotFoundError:
            return False
        held = os.fstat(fd)
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

    def __del__(self) -> None:
        self._forget()


class FileLockAppender:  # pragma: no cover - used only where fcntl is missing
    def __init__(self, path: Path, *, max_bytes: int, keep: int, timeout_s: float) -> None:
        from filelock import FileLock  # noqa: PLC0415 - only on systems without fcntl

        self.path = path
        self.max_bytes = max_bytes
        self.keep = keep
        self.timeout_s = timeout_s
        self._lock = FileLock(str(path) + ".lock")

    def append(self, line: bytes) -> bool:
        from filelock import Timeout  # noqa: PLC0415 - only on systems without fcntl

        try:
            with self._lock.acquire(timeout=self.timeout_s):
                size = self.path.stat().st_size if self.path.exists() else 0
                if size > 0 and size + len(line) > self.max_bytes:
                    rotate(self.path, self.keep)
                    size = 0
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    _write_line(fd, line, size)
                finally:
                    os.close(fd)
                return True
        except Timeout:
            return False


def rotated_path(path: Path, index: int) -> Path:
    return path.with_name(f"{path.name}.{index}")


def rotate(path: Path, keep: int) -> None:
    """``path`` becomes ``path.1``, ``path.1`` becomes ``path.2``, ...; the oldest beyond ``keep`` goes."""
    rotated_path(path, keep).unlink(missing_ok=True)
    for index in range(keep - 1, 0, -1):
        if rotated_path(path, index).exists():
            rotated_path(path, index).replace(rotated_path(path, index + 1))
    path.replace(rotated_path(path, 1))


def _flock_until(fd: int, deadline: float, sleep: Callable[[float], None] = time.sleep) -> bool:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            sleep(_POLL_S)


def _write_line(fd: int, line: bytes, size: int) -> None:
    """Write ``line`` with one call in practice; a torn last line left by a killed writer is ended first."""
    if size > 0 and os.pread(fd, 1, size - 1) != b"\n":
        line = b"\n" + line
    view = memoryview(line)
    while view:
        view = view[os.write(fd, view) :]
