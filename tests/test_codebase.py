"""Promises about the code itself: small modules, and the job table importable without loading a job."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "devcopilot"
MAX_LINES = 500


def test_no_module_grows_past_five_hundred_lines() -> None:
    long = {
        str(path.relative_to(SRC)): count
        for path in SRC.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }

    assert long == {}, "split these into modules with one job each"


def test_the_job_table_names_every_job_without_importing_one() -> None:
    probe = (
        "import sys; from devcopilot.jobs.registry import JOBS; "
        "print(sorted(j.name for j in JOBS.jobs)); "
        "print(sorted(m for m in sys.modules if m.startswith('devcopilot.jobs.')"
        " and m != 'devcopilot.jobs.registry')); "
        "print('pydantic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert done.stdout.splitlines() == ["['docs', 'iac', 'incident', 'review', 'tests']", "[]", "False"]
