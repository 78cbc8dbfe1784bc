"""The verified suggestions of a review as one unified diff, for ``git apply`` or a pull request.

Suggestions replace whole lines (``line..end_line``) of the reviewed content;
two suggestions that touch the same lines cannot both apply, so the first (by
line) wins and the other is left out of the patch, as it is of any automated fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from devcopilot.core.findings import Finding
from devcopilot.jobs.review.files import ReviewFile


def build_patch(files: Sequence[ReviewFile], findings: Sequence[Finding]) -> str:
    by_path = {file.path: file for file in files}
    out: list[str] = []
    for path in sorted({f.path for f in findings if f.suggestion is not None and f.path in by_path}):
        original = by_path[path].text.splitlines(keepends=True)
        edited = list(original)
        taken_until = 0
        # From the bottom up, so earlier line numbers stay valid while later lines are replaced.
        chosen = []
        for finding in sorted(
            (f for f in findings if f.path == path and f.suggestion is not None), key=lambda f: f.line
        ):
            if finding.line > taken_until:
                chosen.append(finding)
                taken_until = finding.end_line
        for finding in reversed(chosen):
            newline = "\r\n" if original[finding.line - 1].endswith("\r\n") else "\n"
            replacement = [line + newline for line in (finding.suggestion or "").splitlines()]
            edited[finding.line - 1 : finding.end_line] = replacement
        out.extend(difflib.unified_diff(original, edited, fromfile=f"a/{path}", tofile=f"b/{path}"))
    return "".join(out)
