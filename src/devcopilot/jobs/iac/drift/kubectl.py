"""``--live kubectl``: the user's own ``kubectl get``, read-only, for the kinds the manifests declare.

Only ``get`` is ever run. ``--show-managed-fields`` is asked for so that who
wrote a field (a person, a controller) can be told apart.
"""

from __future__ import annotations

import shutil
import subprocess

from devcopilot.core.errors import InputError
from devcopilot.jobs.iac.drift.load import Ref

READ_ONLY_VERBS = frozenset({"get"})
TIMEOUT_SECONDS = 120


def resources(refs: list[Ref]) -> list[str]:
    """kubectl's names for the declared kinds (``deployment.apps``), each once, in a stable order."""
    return sorted({f"{r.kind.lower()}.{r.group}" if r.group else r.kind.lower() for r in refs})


def command(refs: list[Ref], *, context: str | None, namespace: str | None) -> list[str]:
    args = ["get", ",".join(resources(refs)), "-o", "json", "--show-managed-fields"]
    args += ["--namespace", namespace] if namespace else ["--all-namespaces"]
    if context:
        args += ["--context", context]
    return args


def fetch(args: list[str]) -> bytes:
    if args[0] not in READ_ONLY_VERBS:
        raise AssertionError(f"kubectl {args[0]} is not read-only")
    executable = shutil.which("kubectl")
    if executable is None:
        raise InputError("--live kubectl: kubectl is not installed or not on PATH")
    try:
        done = subprocess.run([executable, *args], capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(f"kubectl {' '.join(args)}: no answer in {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
        raise InputError(f"kubectl get failed (exit {done.returncode}): {lines[-1]}")
    return done.stdout
