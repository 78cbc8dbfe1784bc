"""``--ignore FILE``: differences a team has decided not to see, in Argo CD's ``ignoreDifferences`` shape.

Each rule names a group and kind (and optionally a name and namespace) and what
to ignore: ``jsonPointers``, ``jmespathExpressions`` (JMESPath rather than jq:
it has a maintained Python implementation) or ``managedFieldsManagers``. A file
may be that list, or hold it under ``ignoreDifferences`` as an Argo CD
Application does. Every difference a rule leaves out is counted in the report.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from devcopilot.core.errors import InputError
from devcopilot.jobs.iac.drift import paths
from devcopilot.jobs.iac.drift.load import Ref, yaml_documents
from devcopilot.jobs.iac.drift.owners import Owner
from devcopilot.jobs.iac.drift.paths import Path


class IgnoreRule(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    group: str = ""
    kind: str
    name: str | None = None
    namespace: str | None = None
    json_pointers: list[str] = Field(default_factory=list, alias="jsonPointers")
    jmespath_expressions: list[str] = Field(default_factory=list, alias="jmespathExpressions")
    managers: list[str] = Field(default_factory=list, alias="managedFieldsManagers")
    reason: str | None = None

    def applies_to(self, ref: Ref) -> bool:
        return (
            self.group == ref.group
            and self.kind in (ref.kind, "*")
            and self.name in (None, ref.name)
            and self.namespace in (None, ref.namespace)
        )

    def silences(self, path: Path, objects: tuple[Any, ...], owners: list[Owner]) -> bool:
        if any(o.manager in self.managers for o in owners):
            return True
        for obj in objects:
            pointer = paths.pointer(path, obj)
            if pointer is not None and any(_under(pointer, p) for p in self.json_pointers):
                return True
            if self.jmespath_expressions and _selected(obj, path, self.jmespath_expressions):
                return True
        return False


def _under(pointer: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return pointer == prefix or pointer.startswith(prefix + "/")


def _selected(obj: Any, path: Path, expressions: list[str]) -> bool:
    import jmespath

    chosen: set[int] = set()
    for expression in expressions:
        found = jmespath.search(expression, obj)
        chosen.add(id(found))
        if isinstance(found, list):
            chosen.update(id(x) for x in found)
    steps = paths.walk(obj, path) or []
    return any(id(node) in chosen for _, node in steps)


def expression_problem(expression: str) -> str | None:
    """Why a JMESPath expression cannot be used, or None when it compiles."""
    import jmespath
    import jmespath.exceptions

    try:
        jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as error:
        return str(error)
    return None


def load_rules(file: FilePath) -> list[IgnoreRule]:
    source = str(file)
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{source}: cannot be read ({error})") from None
    documents = [doc for _, doc in yaml_documents(text, source)]
    data: Any = documents[0] if len(documents) == 1 else documents
    if isinstance(data, dict):
        data = data.get("ignoreDifferences", (data.get("spec") or {}).get("ignoreDifferences", data))
    entries = data if isinstance(data, list) else [data]
    found = []
    for index, entry in enumerate(entries, 1):
        if isinstance(entry, dict) and "jqPathExpressions" in entry:
            raise InputError(
                f"{source}: rule {index}: jqPathExpressions are not read; use jmespathExpressions"
            )
        try:
            rule = IgnoreRule.model_validate(entry)
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            raise InputError(f"{source}: rule {index}: {where}: {problem['msg']}") from None
        for pointer in rule.json_pointers:
            if pointer and not pointer.startswith("/"):
                raise InputError(f"{source}: rule {index}: {pointer!r} is not a JSON pointer (starts with /)")
        for expression in rule.jmespath_expressions:
            unusable = expression_problem(expression)
            if unusable:
                raise InputError(f"{source}: rule {index}: {expression!r}: {unusable}")
        found.append(rule)
    return found
