"""A run's inputs, kept by hash so ``devcopilot replay`` can put the same input through another model.

A job says how its command would run again: its arguments, where an input
that may be gone later (a staged change, a log file, standard input) stands as
``@kept:<n>``, the n-th input of the run. Inputs that name themselves (a commit range by its
commits) need nothing kept. The content goes under ``.devcopilot/inputs/`` only
when content logging is on (``log_content = true``): it is the same kind of
data the log then holds, and it is redacted the same way, so a replay reads
what a model could have read and never a secret.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devcopilot.core.errors import InputError
from devcopilot.core.paths import ensure_state_dir
from devcopilot.core.redaction import redact

MARK = "@kept:"
INPUTS_DIR = "inputs"
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class KeptInput:
    sha256: str | None
    """Of the kept (redacted) content; ``None`` when content logging was off and nothing was kept."""
    name: str
    """A file name for the input (its extension matters to the job: ``.py``, ``.diff``, ``.log``)."""
    origin: str | None = None
    """Where it was read from, when a file: a replay reads it there while its content is unchanged."""

    def record(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "name": self.name, "origin": self.origin}

    @classmethod
    def from_record(cls, data: Any) -> KeptInput:
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise InputError("the run's record of its inputs is damaged")
        return cls(data.get("sha256"), data["name"], data.get("origin"))


def mark(index: int) -> str:
    """What stands for the ``index``-th input in a run's replay arguments."""
    return f"{MARK}{index}"


def stored_form(data: bytes) -> bytes:
    """What is kept of ``data``: gunzipped, then redacted like every content the log holds."""
    if data.startswith(GZIP_MAGIC):
        # A damaged gzip is kept as it came: the job itself says what is wrong with it.
        with contextlib.suppress(OSError, EOFError, zlib.error):
            data = gzip.decompress(data)
    text = data.decode("utf-8", "surrogateescape")
    return redact(text).text.encode("utf-8", "surrogateescape")


class InputStore:
    """``.devcopilot/inputs/<sha256>``: written once per content, never changed."""

    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / INPUTS_DIR

    def keep(self, data: bytes, name: str, origin: str | None = None) -> KeptInput:
        stored = stored_form(data)
        sha256 = hashlib.sha256(stored).hexdigest()
        target = self.directory / sha256
        if not target.exists():
            ensure_state_dir(self.directory.parent)
            self.directory.mkdir(exist_ok=True)
            handle, scratch = tempfile.mkstemp(dir=self.directory, prefix=".partial-")
            with os.fdopen(handle, "wb") as out:
                out.write(stored)
            Path(scratch).replace(target)
        return KeptInput(sha256, Path(name).name.removesuffix(".gz"), origin)

    def materialize(self, inputs: list[KeptInput], scratch: Path) -> dict[str, str]:
        """Each input's mark to a path holding its content: in place while unchanged, else a copy."""
        paths = {}
        for index, item in enumerate(inputs):
            if item.sha256 is None:
                raise InputError(
                    f"the run's input {item.name} was not kept: content logging was off when it ran",
                    hint="set log_content = true to keep each run's inputs for replay",
                )
            origin = Path(item.origin) if item.origin else None
            if origin is not None and _same(origin, item.sha256):
                paths[mark(index)] = str(origin)
                continue
            stored = self.directory / item.sha256
            if not stored.is_file():
                raise InputError(
                    f"the kept input {item.name} ({item.sha256[:12]}) is gone from {self.directory}"
                )
            folder = scratch / str(index)
            folder.mkdir()
            copy = folder / item.name
            copy.write_bytes(stored.read_bytes())
            paths[mark(index)] = str(copy)
        return paths


def _same(path: Path, sha256: str) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return hashlib.sha256(stored_form(data)).hexdigest() == sha256


def substitute(argv: list[str], paths: dict[str, str]) -> list[str]:
    """The arguments with every ``@kept:`` mark replaced by the path that holds its input."""
    # Longest marks first: ``@kept:1`` must not eat the start of ``@kept:12``.
    ordered = sorted(paths.items(), key=lambda item: -len(item[0]))
    out = []
    for argument in argv:
        replaced = argument
        for placeholder, path in ordered:
            replaced = replaced.replace(placeholder, path)
        out.append(replaced)
    return out
