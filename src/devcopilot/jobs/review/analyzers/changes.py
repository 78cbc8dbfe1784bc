"""What a change does to the repository as a whole: large binaries added, public names removed while in use.

A removed or renamed public function or class breaks every caller the change
did not update. The callers are found with ``git grep`` in the tree the change
produces (the index, the working tree or the commit), so a caller fixed in the
same change is not reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from devcopilot.core.change.diff import ParsedDiff, new_size, old_content
from devcopilot.core.findings import Finding
from devcopilot.core.git import git
from devcopilot.jobs.review.analyzers.base import ReviewInput
from devcopilot.jobs.review.files import MAX_FILE_BYTES, ReviewFile

LARGE_BINARY_BYTES = 1024 * 1024
MAX_PLACES_NAMED = 3


class ChangesAnalyzer:
    name = "changes"

    def unavailable_reason(self) -> str | None:
        return None

    def analyze(self, review: ReviewInput) -> list[Finding]:
        findings = list(self._large_binaries(review))
        for file in review.files:
            if file.suffix == ".py" and file.changed.removes_definition:
                findings.extend(self._removed_but_used(review, file))
        return findings

    def _large_binaries(self, review: ReviewInput) -> Iterator[Finding]:
        for changed in review.diff.files:
            if not changed.binary or changed.status == "deleted":
                continue
            size = new_size(review.blobs, review.diff, changed)
            if size is not None and size > LARGE_BINARY_BYTES:
                yield Finding(
                    path=changed.path,
                    line=1,
                    end_line=1,
                    severity="warning",
                    category="maintainability",
                    rule="changes/large-binary",
                    source=self.name,
                    message=f"a {size / 1024 / 1024:.1f} MiB binary is added to the history for good; "
                    "consider Git LFS or an artifact store",
                    scope="file",
                )

    def _removed_but_used(self, review: ReviewInput, file: ReviewFile) -> Iterator[Finding]:
        old = old_content(review.blobs, review.diff, file.changed, MAX_FILE_BYTES)
        if old is None:
            return
        removed = _public_names(old.decode("utf-8", "replace")) - _public_names(file.text)
        for name in sorted(removed):
            places = _uses(review, name, exclude=file.path)
            if not places:
                continue
            shown = ", ".join(places[:MAX_PLACES_NAMED])
            more = f" and {len(places) - MAX_PLACES_NAMED} more" if len(places) > MAX_PLACES_NAMED else ""
            yield Finding(
                path=file.path,
                line=min(file.changed.added_lines, default=1),
                end_line=min(file.changed.added_lines, default=1),
                severity="error",
                category="bug",
                rule="changes/removed-but-used",
                source=self.name,
                message=f"`{name}` was removed or renamed here but is still used: {shown}{more}",
                scope="file",
            )


def _public_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    kinds = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    return {node.name for node in tree.body if isinstance(node, kinds) and not node.name.startswith("_")}


def _uses(review: ReviewInput, name: str, exclude: str) -> list[str]:
    """``path:line`` of each Python line using ``name`` in the tree the change produces, definitions aside."""
    where = _grep_target(review.diff)
    done = git(review.repo, "grep", "-n", "-w", "-F", "-I", *where, "-e", name, "--", "*.py", check=False)
    definition = re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+{re.escape(name)}\b")
    places = []
    for raw in done.stdout.decode("utf-8", "replace").splitlines():
        location, _, text = raw.partition(":")  # with a commit, git prefixes "<sha>:"
        if review.diff.new_side not in {None, ":"}:
            location, _, text = text.partition(":")
        number, _, code = text.partition(":")
        if location == exclude or definition.match(code) or PurePosixPath(location).suffix != ".py":
            continue
        places.append(f"{location}:{number}")
    return places


def _grep_target(diff: ParsedDiff) -> list[str]:
    if diff.new_side is None:
        return []
    if diff.new_side == ":":
        return ["--cached"]
    return [diff.new_side]
