"""Open log inputs safely: files, gzip and stdin, as decoded lines, without trusting their size or encoding.

Lines are read in blocks of a few megabytes, decoded and split in C; a line
longer than ``MAX_LINE_BYTES`` is cut there and the rest skipped in bounded
pieces, so one line of gigabytes costs megabytes of memory, not gigabytes. Each line is decoded as UTF-8 and,
when that fails, as Latin-1 (which always succeeds): mixed encodings degrade
one line at a time and are counted, never a crash.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from devcopilot.core.errors import InputError

MAX_LINE_BYTES = 64 * 1024
BLOCK_BYTES = 4 * 1024 * 1024
SNIFF_BYTES = 8192
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class ReadStats:
    """What reading had to degrade, for the report's notes."""

    lines: int = 0
    cut_lines: int = 0
    latin1_lines: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class LogSource:
    name: str
    """How the source is cited in evidence (``app.log:12``); ``-`` is shown as ``stdin``."""
    stream: BinaryIO
    stats: ReadStats = field(default_factory=ReadStats)

    def blocks(self) -> Iterator[list[str]]:
        """Decoded lines in blocks of about ``BLOCK_BYTES``: the fast path decodes and splits in C."""
        stats = self.stats
        read, readline = self.stream.read, self.stream.readline
        while True:
            raw = read(BLOCK_BYTES)
            if not raw:
                return
            if not raw.endswith(b"\n"):
                raw += readline(MAX_LINE_BYTES)
                if not raw.endswith(b"\n") and len(raw.rsplit(b"\n", 1)[-1]) >= MAX_LINE_BYTES:
                    stats.cut_lines += 1
                    self._skip_rest_of_line()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = "\n".join(self._decode(line) for line in raw.split(b"\n"))
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            if "\r" in text:
                lines = [line.rstrip("\r") for line in lines]
            if lines and max(map(len, lines)) > MAX_LINE_BYTES:
                stats.cut_lines += sum(1 for line in lines if len(line) > MAX_LINE_BYTES)
                lines = [line[:MAX_LINE_BYTES] for line in lines]
            stats.lines += len(lines)
            yield lines

    def _skip_rest_of_line(self) -> None:
        while True:  # skip the rest of an over-long line, in bounded pieces
            rest = self.stream.readline(MAX_LINE_BYTES)
            if not rest or rest.endswith(b"\n"):
                return

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.stats.latin1_lines += 1
            return raw.decode("latin-1")

    def lines(self) -> Iterator[str]:
        """Decoded lines without their line ending; line ``n`` of the file is the ``n``-th item."""
        for block in self.blocks():
            yield from block

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


def open_source(path: str, stdin: BinaryIO | None = None) -> LogSource:
    """A readable, non-binary log, gunzipped when it is gzip; ``-`` is stdin (or ``stdin`` when given)."""
    if path == "-":
        raw: BinaryIO = stdin or sys.stdin.buffer
        name = "stdin"
    else:
        file = Path(path)
        if file.is_dir():
            raise InputError(f"{path} is a directory; give the log files inside it")
        try:
            raw = file.open("rb")
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except OSError as error:
            raise InputError(f"{path}: {error.strerror}") from None
        name = path
    head = _peek(raw)
    if head.startswith(GZIP_MAGIC):
        raw = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        try:
            head = _peek_gzip(raw)
        except (OSError, EOFError) as error:
            raise InputError(f"{name}: not a readable gzip file ({error})") from None
    if _looks_binary(head):
        raw.close()
        raise InputError(f"{name} looks like a binary file, not a log")
    return LogSource(name, raw)


def _peek(stream: BinaryIO) -> bytes:
    peek = getattr(stream, "peek", None)
    return peek(SNIFF_BYTES)[:SNIFF_BYTES] if peek else b""


def _peek_gzip(stream: BinaryIO) -> bytes:
    data = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]  # type: ignore[attr-defined]
    return bytes(data)


def _looks_binary(head: bytes) -> bool:
    """NUL bytes, or mostly bytes that no text encoding uses: what ``file`` and git call binary."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32 or byte == 127)
    return control > len(head) * 0.1
