"""Audit the locked dependency set against PyPI's vulnerability data, as CI does.

Exit 1 when a locked package has a known vulnerability. When the data cannot
be reached (no network to PyPI's JSON API), say so and exit 0: the audit is a
check on the lock, not on this machine's network.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements" / "dev.lock"


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "audit.json"
        done = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--requirement", str(LOCK), "--require-hashes",
             "--disable-pip", "--progress-spinner", "off", "--format", "json", "--output", str(report)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if not report.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"audit skipped: PyPI's vulnerability data could not be reached ({last[:200]})")
            return 0
        dependencies = json.loads(report.read_text())["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    if not audited:
        print(f"audit skipped: PyPI's vulnerability data answered for none of {len(dependencies)} packages")
        return 0
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"vulnerable: {dependency['name']} {dependency['version']}: {ids}")
    print(f"audited {len(audited)} of {len(dependencies)} locked packages: {len(vulnerable)} vulnerable")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
