"""rich consoles for results (stdout) and progress (stderr), made only when something is drawn.

Output that goes to a file or a pipe is not wrapped at 80 columns: nobody's
terminal is reading it. rich honours ``NO_COLOR`` by itself.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

PIPE_WIDTH = 200


def stdout_console() -> Console:
    from rich.console import Console  # noqa: PLC0415 - rich loads only when something is drawn

    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH
    return Console(highlight=False, soft_wrap=False, width=width)


def stderr_console() -> Console:
    from rich.console import Console  # noqa: PLC0415 - rich loads only when something is drawn

    return Console(stderr=True, highlight=False)
