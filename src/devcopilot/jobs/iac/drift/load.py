"""Reading both sides: declared manifests (files, folders, renderings) and live exports.

Bad input gets one line naming the file and what is wrong with it: truncated
JSON, duplicate YAML keys (a manifest with two ``image:`` keys means one of them
is silently ignored by every other tool), objects without a kind or name, and
files that are something else (a Terraform plan).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from devcopilot.core.errors import InputError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "CSIDriver",
        "CSINode",
        "VolumeAttachment",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "PodSecurityPolicy",
        "ClusterIssuer",
        "FlowSchema",
        "PriorityLevelConfiguration",
    }
)
_GROUP_ALIASES = {
    ("extensions", "Deployment"): "apps",
    ("extensions", "DaemonSet"): "apps",
    ("extensions", "ReplicaSet"): "apps",
    ("extensions", "Ingress"): "networking.k8s.io",
    ("extensions", "NetworkPolicy"): "networking.k8s.io",
}
"""Kinds that moved group: the same object served under its old and its new apiVersion."""


@dataclass(frozen=True, order=True)
class Ref:
    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        kind = f"{self.kind}.{self.group}" if self.group else self.kind
        return f"{kind} {self.namespace}/{self.name}" if self.namespace else f"{kind} {self.name}"


@dataclass
class Declared:
    obj: dict[str, Any]
    file: str
    document: int
    line: int


def cluster_scoped(kind: str) -> bool:
    return kind in _CLUSTER_SCOPED


def ref_of(obj: dict[str, Any], namespace: str) -> Ref:
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    kind = str(obj["kind"])
    group = _GROUP_ALIASES.get((group, kind), group)
    metadata = obj.get("metadata") or {}
    scope = "" if cluster_scoped(kind) else str(metadata.get("namespace") or namespace)
    return Ref(group, kind, scope, str(metadata.get("name", "")))


class _Loader(yaml.CSafeLoader):
    """Safe YAML as Kubernetes reads it: timestamps stay text, and a key given twice is an error."""

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML's own class attribute, replaced whole)
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                continue
            if key in seen:
                raise InputError(
                    f"line {key_node.start_mark.line + 1}: the key {key!r} is given twice in one mapping"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def yaml_documents(text: str, source: str) -> list[tuple[int, Any]]:
    """Each document of a YAML stream with the line it starts on."""
    loader = _Loader(text)
    documents = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            documents.append((node.start_mark.line + 1, loader.construct_document(node)))
    except InputError as error:
        raise InputError(f"{source}: {error.message}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise InputError(f"{source}: {problem}{where}") from None
    finally:
        loader.dispose()
    return documents


def _read_text(path: Path, source: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{source}: cannot be read ({error.strerror or error})") from None
    return _decoded(data, source)


def _decoded(data: bytes, source: str) -> str:
    if b"\0" in data[:8192]:
        raise InputError(f"{source}: a binary file, not manifests")
    return data.decode("utf-8", "replace")


def _objects(value: Any, source: str, where: str) -> list[dict[str, Any]]:
    """Kubernetes objects in a parsed document: itself, or the items of a List."""
    if value is None:
        return []
    if isinstance(value, list):
        return [obj for i, item in enumerate(value) for obj in _objects(item, source, f"{where}[{i}]")]
    if not isinstance(value, dict):
        raise InputError(f"{source}: {where} is not a Kubernetes object (no mapping)")
    if _terraform(value):
        raise InputError(
            f"{source}: this is a Terraform plan, not Kubernetes objects"
            " (Terraform drift is not supported yet)"
        )
    kind = value.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(value.get("items"), list):
        return _objects(value["items"], source, f"{where} items")
    if not isinstance(kind, str) or not kind:
        raise InputError(f"{source}: {where} has no kind")
    metadata = value.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        raise InputError(f"{source}: {where} ({kind}) has no metadata.name")
    return [value]


def _terraform(value: dict[str, Any]) -> bool:
    return "terraform_version" in value or (
        "format_version" in value and ("resource_changes" in value or "planned_values" in value)
    )


def load_desired(given: Path) -> list[Declared]:
    if given.is_dir():
        files = sorted(
            p
            for p in given.rglob("*")
            if p.suffix in MANIFEST_SUFFIXES and p.is_file() and not any(s.startswith(".") for s in p.parts)
        )
    elif given.is_file():
        files = [given]
    else:
        raise InputError(f"{given}: no such file or folder")
    declared: list[Declared] = []
    for file in files:
        source = str(file)
        text = _read_text(file, source)
        for index, (line, document) in enumerate(_documents(text, source)):
            where = f"document {index + 1} (line {line})"
            declared += [Declared(obj, source, index, line) for obj in _objects(document, source, where)]
    if not declared:
        raise InputError(f"{given}: no Kubernetes objects found")
    return declared


def read_live(given: Path) -> bytes:
    """A live export's bytes: hashed for the audit record and parsed, from one read."""
    try:
        return given.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{given}: no such file") from None
    except OSError as error:
        raise InputError(f"{given}: cannot be read ({error.strerror or error})") from None


def load_live(data: bytes, source: str) -> list[dict[str, Any]]:
    text = _decoded(data, source)
    return [obj for line, doc in _documents(text, source) for obj in _objects(doc, source, f"line {line}")]


def _documents(text: str, source: str) -> list[tuple[int, Any]]:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _json_documents(text, source)
    return yaml_documents(text, source)


def _json_documents(text: str, source: str) -> list[tuple[int, Any]]:
    """One JSON value, or several one after another (``kubectl get -o json`` run more than once)."""
    decoder = json.JSONDecoder()
    documents: list[tuple[int, Any]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return documents
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            problem = "ends too early (truncated?)" if error.pos >= len(text.rstrip()) else error.msg
            raise InputError(f"{source}: not valid JSON: {problem} at line {error.lineno}") from None
        documents.append((text.count("\n", 0, position) + 1, value))
        position = end
