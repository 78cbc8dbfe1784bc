"""Run the planned calls in the sandbox and turn what happened into observations and skip reasons.

The target is imported here for the first time, in the sandbox. An import
that fails, hangs or touches the network or the file system outside the copy
stops the job with a message naming the cause. A call that hangs even the
driver's timer (a C extension, say) gets the run killed; the functions before
it keep their results and the probe resumes after it.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devcopilot.core.errors import InputError
from devcopilot.core.sandbox import HOME_DIR, Sandbox
from devcopilot.jobs.testgen.calls import Call
from devcopilot.jobs.testgen.coverage_data import FileShape, Hits, hits_by_context
from devcopilot.jobs.testgen.generate import Observation
from devcopilot.jobs.testgen.machine import machine_pattern
from devcopilot.jobs.testgen.mixins import Subclasses
from devcopilot.jobs.testgen.target import ModuleSpec

PATH_REPR = re.compile(r"^(?:Posix|PurePosix)?Path\((['\"])(.*)\1\)$")
"""A ``pathlib`` path as ``repr`` shows it: one under the sandbox's HOME is pinned relative to ``~``."""

CALL_TIMEOUT_S = 2.0
IMPORT_TIMEOUT_S = 20.0
SUBCLASS_SEARCH_S = 5.0
"""Time the first run gives the search for a mixin's subclasses, which may import more of the package."""
RESUMES = 4


@dataclass
class ProbeResult:
    observations: list[Observation] = field(default_factory=list)
    import_hits: Hits = field(default_factory=Hits)
    skipped: dict[str, str] = field(default_factory=dict)
    blocked: dict[str, str] = field(default_factory=dict)
    """Functions a call of which the sandbox stopped from writing, with the first such message."""
    classes: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    """Classes of the target's package in its namespace, with their positional parameters and defaults."""
    inherited: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    """Members the classes inherit from elsewhere in their package (``driver.inherited_members``)."""
    patterns: dict[str, tuple[str, int]] = field(default_factory=dict)
    """The module's compiled regular expressions by name (``driver.module_patterns``)."""
    subclasses: Subclasses = field(default_factory=dict)
    """Per mixin the module defines, the package's subclasses to build it as (``mixins.mixin_subclasses``)."""
    machine: list[tuple[str, str]] = field(default_factory=list)
    """What names the sandbox's interpreter, platform and installed packages (``driver.machine_strings``)."""
    described: bool = False
    """Whether a run has read the three above: only the first run asks the driver for them."""

    def settle_blocked(self) -> None:
        """Skip the functions every call of which was stopped writing outside the sandbox.

        One blocked call says only that those inputs write (an instance built to create its
        directories); a function other calls of which returned keeps those calls as tests."""
        observed = {observation.call.function for observation in self.observations}
        for function, message in self.blocked.items():
            if function not in observed:
                self.skipped.setdefault(function, f"side effect blocked: {message}")


@dataclass
class Prober:
    sandbox: Sandbox
    module: str
    measured: Path
    shape: FileShape
    python_path: list[Path]
    spec: ModuleSpec

    def run(self, calls: list[Call], result: ProbeResult) -> ProbeResult:
        pending = list(calls)
        for _ in range(RESUMES + 1):
            if not pending and result.observations:
                break
            request = {
                "mode": "probe",
                "describe": not result.described,
                "module": self.module,
                "calls": [c.request() for c in pending],
                "call_timeout": CALL_TIMEOUT_S,
                "import_timeout": IMPORT_TIMEOUT_S,
                "search_timeout": SUBCLASS_SEARCH_S,
                "subclasses": {mixin: [c[:2] for c in chosen] for mixin, chosen in result.subclasses.items()},
                "measure": str(self.measured),
            }
            timeout = IMPORT_TIMEOUT_S + SUBCLASS_SEARCH_S + 10 + CALL_TIMEOUT_S * len(pending)
            run = self.sandbox.run(request, timeout=timeout, python_path=self.python_path)
            result.classes = self.check_import(run.records, run.stderr, run.timed_out)
            if not result.described:
                self.describe(next(r for r in run.records if "import" in r), result)
            hits = hits_by_context(run.coverage_file, self.measured, self.shape) if run.coverage_file else {}
            result.import_hits = result.import_hits | hits.get("import", Hits())
            by_id = {c.id: c for c in pending}
            finished = set()
            for record in run.records:
                if "id" in record and record["id"] in by_id:
                    finished.add(record["id"])
                    self.observe(by_id[record["id"]], record, hits, result)
            if not run.timed_out:
                break
            started = [s for s in run.started() if s not in finished]
            hung = by_id[started[-1]].function if started and started[-1] in by_id else None
            if hung is None:
                break
            result.skipped.setdefault(hung, f"did not return within {CALL_TIMEOUT_S:.0f} s (hangs)")
            pending = [c for c in pending if c.id not in finished and c.function != hung]
        return result

    def observe(self, call: Call, record: dict[str, Any], hits: dict[str, Hits], result: ProbeResult) -> None:
        status = record.get("status")
        if status == "timeout":
            result.skipped.setdefault(call.function, f"did not return within {CALL_TIMEOUT_S:.0f} s (hangs)")
        elif status == "raised" and record.get("sandbox"):
            result.blocked.setdefault(call.function, str(record.get("message", "")))
        elif status in ("ok", "raised"):
            portable = self.portable(record)
            if portable is not None:
                portable = masked(portable, result.machine)
                result.observations.append(Observation(call, portable, hits.get(call.id, Hits())))

    @staticmethod
    def describe(imported: dict[str, Any], result: ProbeResult) -> None:
        """What the first run read of the module and the machine, kept for the runs after it."""
        result.machine = [(text, beside) for text, beside in imported.get("machine", [])]
        result.patterns = {
            name: (shown, flags) for name, (shown, flags) in imported.get("patterns", {}).items()
        }
        result.inherited = {
            cls: [(attr, owner, path) for attr, owner, path in members]
            for cls, members in imported.get("inherited", {}).items()
        }
        result.subclasses = {
            mixin: [(name, home, [(p, d) for p, d in params]) for name, home, params in chosen]
            for mixin, chosen in imported.get("subclasses", {}).items()
        }
        result.described = True

    def portable(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The outcome as it would be seen anywhere, or None when it names the sandbox's own paths.

        A path under the sandbox's HOME is kept relative to ``~``, so the test expands it wherever it
        runs; any other mention of the copy (its temp dir, its checkout) holds nowhere else."""
        root = str(self.sandbox.root)
        if root in json.dumps(record.get("after", {})):
            return None
        if "attributes" in record:  # an attribute holding the sandbox's paths holds nowhere else
            kept = {k: v for k, v in record["attributes"].items() if root not in v}
            record = {**record, "attributes": kept}
        shown = [str(record.get(key, "")) for key in ("literal", "repr", "message")]
        if not any(root in text for text in shown):
            return record
        home = str(self.sandbox.copy / HOME_DIR)
        value = ast.literal_eval(record["literal"]) if "literal" in record else None
        path = PATH_REPR.match(str(record.get("repr", "")))
        if path is not None and "message" not in record:
            value = path.group(2)
        if isinstance(value, str) and (value == home or value.startswith(home + "/")):
            rest = {key: item for key, item in record.items() if key not in ("literal", "repr")}
            return {**rest, "home": "~" + value[len(home) :], "as_path": path is not None}
        return None

    def check_import(
        self, records: list[dict[str, Any]], stderr: str, timed_out: bool
    ) -> dict[str, list[tuple[str, str | None]]]:
        """The classes the import found, or an InputError saying why the module would not import."""
        status = next((r for r in records if "import" in r), None)
        if status is None:
            if timed_out:
                raise InputError(f"importing {self.module} did not finish in {IMPORT_TIMEOUT_S:.0f} s")
            last = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
            raise InputError(f"the sandbox could not import {self.module}: {last}")
        if status["import"] == "timeout":
            raise InputError(
                f"importing {self.module} did not finish in {IMPORT_TIMEOUT_S:.0f} s",
                hint="a side effect at import time?",
            )
        if status["import"] == "error":
            kind, message = status["exc_type"], first_line(status.get("message", ""))
            if status.get("sandbox"):
                raise InputError(f"{self.module} has side effects at import time: {message}")
            if kind in ("ModuleNotFoundError", "ImportError"):
                raise InputError(
                    f"importing {self.module} failed: {kind}: {message}",
                    hint="a missing dependency, or a process or connection the sandbox blocks at import?",
                )
            raise InputError(f"importing {self.module} failed: {kind}: {message}")
        return {name: [(p, d) for p, d in params] for name, params in status.get("classes", {}).items()}


def masked(record: dict[str, Any], machine: list[tuple[str, str]]) -> dict[str, Any]:
    """The record with a ``pattern`` for its value or message where they name the machine, so the test
    pins the rest; a state after the call (or what it wrote) that names it is not pinned at all."""
    after = record.get("after", {})
    kept_after = {k: v for k, v in after.items() if not machine_pattern(v.get("literal") or "", machine)}
    if kept_after != after:
        record = {**record, "after": kept_after}
    if "attributes" in record:
        kept = {k: v for k, v in record["attributes"].items() if not machine_pattern(v, machine)}
        record = {**record, "attributes": kept}
    if record.get("status") == "raised":
        pattern = machine_pattern(str(record.get("message", "")), machine)
        return {**record, "message_pattern": pattern} if pattern else record
    if "literal" in record:
        value = ast.literal_eval(record["literal"])
        shown, whole = (value, "value") if isinstance(value, str) else (record["literal"], "repr")
    elif "repr" in record:
        shown, whole = record["repr"], "repr"
    else:
        return record
    pattern = machine_pattern(shown, machine)
    return {**record, "pattern": pattern, "matched": whole} if pattern else record


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] + (" …" if len(lines) > 1 else "") if lines else ""
