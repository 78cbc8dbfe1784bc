"""Inputs for a parameter the body asks about by attribute: ``hasattr(value, "__html__")``.

Code that duck-types its input takes a branch only for an object that has the
attribute it checks for; no value of a declared or guessed type has it. Such a
parameter is also given an object that has it: a stream for a stream's method,
else a namespace whose attribute is a function returning text, which a test can
build in one line.
"""

from __future__ import annotations

import keyword

from devcopilot.jobs.testgen.body import STREAM_CALLS

FILE_VALUES = ["io.StringIO('a: 1\\nb: two\\n')", "io.BytesIO(b'a: 1\\n')", "io.StringIO('')"]
"""File-like inputs; the probe's namespace and every test that uses one import ``io``."""
WRITABLE_VALUES = ["io.StringIO()", "io.BytesIO()"]
"""Streams for a parameter the body writes to: empty, so what is written is all they hold."""


def duck_values(attribute: str) -> list[str]:
    """Objects that have ``attribute``, as source text."""
    if attribute in STREAM_CALLS:
        return WRITABLE_VALUES if STREAM_CALLS[attribute] == "write" else FILE_VALUES
    if not attribute.isidentifier() or keyword.iskeyword(attribute):
        return []
    return [f"types.SimpleNamespace({attribute}=lambda *args, **kwargs: 'text')"]
