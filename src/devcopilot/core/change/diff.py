"""Which change to review, its parsed diff, and the new content of each changed file.

Modes: the staged changes (the pre-commit case), the working tree against HEAD,
a commit range ``A..B``, everything since the merge-base with a branch (the
CI/PR case), or a unified diff from a file or stdin. The diff is parsed with
``unidiff``; file contents come from where the new side lives (the index, the
working tree, or the range's end commit), so what is analyzed is exactly what
is being committed or merged.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from devcopilot.core.change.quick import EMPTY_TREE, has_staged_changes
from devcopilot.core.errors import InputError, UsageError
from devcopilot.core.git import git_text, has_head, resolve_commit

_TOP_LEVEL_DEFINITION = re.compile(r"(?:async\s+)?(?:def|class)\s+[A-Za-z]")
DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--find-renames",
    "--find-copies",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


class Mode(Enum):
    STAGED = "staged"
    WORKTREE = "worktree"
    RANGE = "range"
    BASE = "base"
    DIFF_FILE = "diff-file"


@dataclass(frozen=True)
class DiffSource:
    mode: Mode
    range: str | None = None
    base: str | None = None
    diff_file: str | None = None

    @property
    def label(self) -> str:
        detail = self.range or self.base or self.diff_file
        return f"{self.mode.value} {detail}" if detail else self.mode.value


@dataclass(frozen=True)
class ChangedFile:
    path: str
    old_path: str | None
    status: str
    """added, modified, deleted, renamed or copied."""
    binary: bool = False
    submodule: bool = False
    mode_change: tuple[str, str] | None = None
    added_lines: frozenset[int] = frozenset()
    hunk_lines: frozenset[int] = frozenset()
    """Every new-file line a hunk shows, added or context."""
    removes_definition: bool = False
    """A removed line starts a top-level ``def`` or ``class``: the only case where a public name can go."""
    patch: str = ""
    """This file's part of the unified diff, as the model pass shows it."""


@dataclass
class ParsedDiff:
    source: DiffSource
    files: list[ChangedFile]
    new_side: str | None
    """Where new contents live: a commit, ``:`` for the index, or ``None`` for the working tree."""
    old_side: str | None
    """The commit holding the old contents, or ``None`` (no commit yet, or a diff from a file)."""
    notes: list[str] = field(default_factory=list)
    text: str = ""
    """The unified diff as read: what a replay of a staged or working-tree review is given."""


def choose_source(
    repo: Path, *, staged: bool, range_: str | None, base: str | None, diff_file: str | None
) -> DiffSource:
    chosen = [
        name
        for name, value in (
            ("--staged", staged),
            ("--range", range_),
            ("--base", base),
            ("--diff-file", diff_file),
        )
        if value
    ]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} cannot be combined; pick one change to review")
    if range_:
        return DiffSource(Mode.RANGE, range=range_)
    if base:
        return DiffSource(Mode.BASE, base=base)
    if diff_file:
        return DiffSource(Mode.DIFF_FILE, diff_file=diff_file)
    if staged or has_staged_changes(repo, head=has_head(repo)):
        return DiffSource(Mode.STAGED)
    return DiffSource(Mode.WORKTREE)


def base_commit(repo: Path, source: DiffSource) -> str | None:
    """The commit the change starts from: whose configuration governs its review."""
    if not has_head(repo):
        return None
    if source.mode is Mode.RANGE:
        return resolve_commit(repo, _parse_range(source.range)[0])
    if source.mode is Mode.BASE:
        return git_text(repo, "merge-base", resolve_commit(repo, source.base or ""), "HEAD").strip()
    return resolve_commit(repo, "HEAD")


def load_diff(repo: Path, source: DiffSource) -> ParsedDiff:
    text, new_side, old_side, notes = _diff_text(repo, source)
    try:
        patch = PatchSet(text)
    except UnidiffParseError as error:
        raise InputError(f"the diff cannot be parsed: {error}") from None
    return ParsedDiff(source, [_changed_file(f) for f in patch], new_side, old_side, notes, text)


def _diff_text(repo: Path, source: DiffSource) -> tuple[str, str | None, str | None, list[str]]:
    """The diff text, where its new and old sides live, and notes for the coverage report."""
    head = resolve_commit(repo, "HEAD") if has_head(repo) else None
    if source.mode is Mode.STAGED:
        return git_text(repo, "diff", "--cached", *DIFF_OPTIONS, head or EMPTY_TREE, "--"), ":", head, []
    if source.mode is Mode.WORKTREE:
        if head is None:
            return "", None, None, ["the repository has no commit yet: stage files to review them"]
        notes = ["untracked files are not reviewed; stage them (git add) to include them"]
        return git_text(repo, "diff", *DIFF_OPTIONS, head, "--"), None, head, notes
    if source.mode is Mode.RANGE:
        start, end = _parse_range(source.range)
        start_sha, end_sha = resolve_commit(repo, start), resolve_commit(repo, end)
        return git_text(repo, "diff", *DIFF_OPTIONS, start_sha, end_sha, "--"), end_sha, start_sha, []
    if source.mode is Mode.BASE:
        if head is None:
            raise InputError("--base needs a commit on HEAD to compare with")
        base_sha = resolve_commit(repo, source.base or "")
        merge_base = git_text(repo, "merge-base", base_sha, head).strip()
        return git_text(repo, "diff", *DIFF_OPTIONS, merge_base, head, "--"), head, merge_base, []
    return _read_diff_file(source.diff_file or "-"), None, head, []


def _parse_range(text: str | None) -> tuple[str, str]:
    start, sep, end = (text or "").partition("..")
    if not sep or not start or not end or end.startswith("."):
        raise UsageError(f"--range {text!r} is not A..B")
    return start, end


def _read_diff_file(name: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        raise InputError(f"--diff-file {name}: {error.strerror}") from None
    return raw.decode("utf-8", "surrogateescape")


def _changed_file(patched: PatchedFile) -> ChangedFile:
    if patched.is_added_file:
        status = "added"
    elif patched.is_removed_file:
        status = "deleted"
    elif patched.is_rename:
        status = "renamed"
    elif any(line.startswith("copy from ") for line in _header(patched)):
        status = "copied"
    else:
        status = "modified"
    old_path = _strip_prefix(patched.source_file) if status in {"renamed", "copied"} else None
    added = {
        line.target_line_no for hunk in patched for line in hunk if line.is_added and line.target_line_no
    }
    shown = {line.target_line_no for hunk in patched for line in hunk if line.target_line_no}
    removes_definition = any(
        _TOP_LEVEL_DEFINITION.match(line.value) for hunk in patched for line in hunk if line.is_removed
    )
    mode_change = None
    if patched.source_mode and patched.target_mode and patched.source_mode != patched.target_mode:
        mode_change = (patched.source_mode, patched.target_mode)
    return ChangedFile(
        path=patched.path,
        old_path=old_path,
        status=status,
        binary=patched.is_binary_file,
        submodule=bool(getattr(patched, "is_submodule", False)),
        mode_change=mode_change,
        added_lines=frozenset(added),
        hunk_lines=frozenset(shown),
        removes_definition=removes_definition,
        patch=str(patched),
    )


def _header(patched: PatchedFile) -> list[str]:
    info = getattr(patched, "patch_info", None)
    return [str(line).strip() for line in info] if info else []


def _strip_prefix(name: str) -> str:
    return name[2:] if name.startswith(("a/", "b/")) else name


class BlobReader:
    """File contents from git through one ``git cat-file --batch`` process, not two processes per file."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()  # analyzers run on threads and share one reader

    def size_and_read(self, spec: str, limit_bytes: int) -> tuple[int | None, bytes | None]:
        """``(size, content)``; content is ``None`` over the limit, and both are ``None`` when missing."""
        with self._lock:
            return self._size_and_read(spec, limit_bytes)

    def _size_and_read(self, spec: str, limit_bytes: int) -> tuple[int | None, bytes | None]:
        process = self._start()
        if process.stdin is None or process.stdout is None:
            return None, None
        process.stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
        process.stdin.flush()
        header = process.stdout.readline().split()
        if len(header) != 3:  # "<spec> missing", or ambiguous
            return None, None
        size = int(header[2])
        data = process.stdout.read(size)
        process.stdout.read(1)  # the newline after each object
        return size, (data if size <= limit_bytes else None)

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            self._process = subprocess.Popen(
                ["git", "-C", str(self.repo), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        return self._process

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def old_content(blobs: BlobReader, diff: ParsedDiff, changed: ChangedFile, limit_bytes: int) -> bytes | None:
    """The file before the change, or ``None`` when it did not exist (or is out of reach)."""
    if changed.status == "added" or diff.old_side is None:
        return None
    return blobs.size_and_read(f"{diff.old_side}:{changed.old_path or changed.path}", limit_bytes)[1]


def _new_spec(diff: ParsedDiff, changed: ChangedFile) -> str:
    return f":{changed.path}" if diff.new_side == ":" else f"{diff.new_side}:{changed.path}"


def new_size(blobs: BlobReader, diff: ParsedDiff, changed: ChangedFile) -> int | None:
    """The size of the file as the change leaves it, or ``None`` when it cannot be read."""
    if diff.new_side is None:
        try:
            return (blobs.repo / changed.path).stat().st_size
        except OSError:
            return None
    return blobs.size_and_read(_new_spec(diff, changed), 0)[0]


def new_content(blobs: BlobReader, diff: ParsedDiff, changed: ChangedFile, limit_bytes: int) -> bytes | None:
    """The file as the change leaves it, or ``None`` when it is larger than ``limit_bytes`` or unreadable."""
    if diff.new_side is None:
        path = blobs.repo / changed.path
        try:
            return path.read_bytes() if path.stat().st_size <= limit_bytes else None
        except OSError:
            return None
    return blobs.size_and_read(_new_spec(diff, changed), limit_bytes)[1]
