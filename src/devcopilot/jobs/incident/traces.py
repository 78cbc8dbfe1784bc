"""Stack traces: the exception they end in, and their frames, mapped to the repository's files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

_PYTHON_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>\S+))?')
_JAVA_FRAME = re.compile(r"^\s*at (?P<func>[\w$.<>/]+)\((?P<file>[\w$.\-]+\.\w+):(?P<line>\d+)\)")
_GO_FRAME = re.compile(r"^\s+(?P<file>/?[\w.\-/@]+\.go):(?P<line>\d+)")
_EXCEPTION = re.compile(
    r"^(?:Caused by: )?(?P<type>[A-Za-z_][\w.$]*(?:Error|Exception|Exit|Interrupt|Panic|Fault|Failure))"
    r"(?::|$)"
    r"|^panic: (?P<panic>.*)"
)


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str | None
    repo_path: str | None = None
    """The repository file this frame is in, when one matches its path."""


@dataclass
class Trace:
    exception: str
    frames: list[Frame] = field(default_factory=list)

    @property
    def repo_frames(self) -> list[Frame]:
        return [frame for frame in self.frames if frame.repo_path]

    @property
    def top(self) -> Frame | None:
        """The innermost frame in the repository (where the failure surfaced in the user's code)."""
        frames = self.repo_frames
        return frames[-1] if frames else (self.frames[-1] if self.frames else None)


def parse_trace(message: str, lines: list[str], repo_files: RepoFiles | None) -> Trace | None:
    """The trace in an event (its message and continuation lines), or ``None`` when it has none."""
    frames: list[Frame] = []
    exception: str | None = None
    java = False
    for text in [message, *lines]:
        found = _PYTHON_FRAME.match(text) or _JAVA_FRAME.match(text) or _GO_FRAME.match(text)
        if found:
            java = java or found.re is _JAVA_FRAME
            path = found.group("file")
            function = found.groupdict().get("func")
            repo_path = repo_files.match(path, function if java else None) if repo_files else None
            frames.append(Frame(path, int(found.group("line")), function, repo_path))
            continue
        stripped = text.strip()
        for candidate in (stripped, stripped.rsplit(": ", 1)[-1] if ": " in stripped else ""):
            kind = _EXCEPTION.match(candidate)
            if kind:
                exception = kind.group("type") or "panic"
                break
    if not frames and exception is None:
        return None
    if java:  # Java lists the innermost frame first; keep Python's order, innermost last
        frames.reverse()
    return Trace(exception or "unknown error", frames)


class RepoFiles:
    """The repository's tracked files, found from a frame's path by its longest matching suffix."""

    def __init__(self, paths: list[str]) -> None:
        self._by_name: dict[str, list[str]] = {}
        for path in paths:
            self._by_name.setdefault(PurePosixPath(path).name, []).append(path)

    def match(self, frame_path: str, java_function: str | None = None) -> str | None:
        parts = PurePosixPath(frame_path.replace("\\", "/")).parts
        if not parts:
            return None
        candidates = self._by_name.get(parts[-1], [])
        if java_function and candidates:
            # Java frames name the file only; the package (com.example.Foo.bar) gives the folders.
            package = java_function.split(".")[:-2]
            parts = (*package, parts[-1])
        best, best_len = None, 0
        for candidate in candidates:
            common = 0
            for a, b in zip(reversed(PurePosixPath(candidate).parts), reversed(parts), strict=False):
                if a != b:
                    break
                common += 1
            if common > best_len:
                best, best_len = candidate, common
        return best
