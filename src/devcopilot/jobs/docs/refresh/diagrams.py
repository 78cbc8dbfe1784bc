"""Mermaid edges for ``diagram`` sections: a package's module imports, compose services, Kubernetes objects.

Each function returns the lines of a ``graph LR`` body, sorted, so the same
code always gives the same diagram (the checksum depends on it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from devcopilot.core.errors import InputError

_ID = re.compile(r"[^A-Za-z0-9_]")
_REFERENCE_KEYS = (
    ("configMapRef", "ConfigMap"),
    ("configMapKeyRef", "ConfigMap"),
    ("configMap", "ConfigMap"),
    ("secretRef", "Secret"),
    ("secretKeyRef", "Secret"),
    ("persistentVolumeClaim", "PersistentVolumeClaim"),
)


def node(name: str) -> str:
    return _ID.sub("_", name)


def modules(package: Any) -> list[str]:
    """``a --> b`` when module ``a`` of the package imports from module ``b`` of it."""
    found: list[Any] = []
    stack = [package]
    while stack:
        module = stack.pop()
        found.append(module)
        stack += [m for m in module.members.values() if not m.is_alias and m.is_module]
    names = {module.path for module in found}
    edges: set[str] = set()
    for module in found:
        for target in module.imports.values():
            imported = _module_of(str(target), names)
            if imported and imported != module.path:
                edges.add(f"{node(module.path)}[{module.path}] --> {node(imported)}[{imported}]")
    lonely = {n for n in names if not any(f"{node(n)}[" in e for e in edges)}
    return sorted(edges) + sorted(f"{node(n)}[{n}]" for n in lonely)


def _module_of(target: str, names: set[str]) -> str | None:
    """The package's module an import reads from: the longest module path the imported name starts with."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in names:
            return candidate
    return None


def compose(path: Path) -> list[str]:
    files = [path] if path.is_file() else sorted([*path.glob("*compose*.y*ml")])
    edges: set[str] = set()
    for file in files:
        document = _yaml(file)
        services = document.get("services") if isinstance(document, dict) else None
        if not isinstance(services, dict):
            continue
        for name, declared in services.items():
            service = declared if isinstance(declared, dict) else {}
            image = service.get("image") or ("build" if "build" in service else "")
            edges.add(f"{node(name)}[{name}{': ' + str(image) if image else ''}]")
            depends = service.get("depends_on") or []
            for other in depends if isinstance(depends, list) else list(depends):
                edges.add(f"{node(name)} --> {node(str(other))}")
            for link in service.get("links") or []:
                edges.add(f"{node(name)} --> {node(str(link).split(':')[0])}")
    return sorted(edges)


def kubernetes(path: Path) -> list[str]:
    objects = [
        o for file in _manifest_files(path) for o in _yaml_all(file) if isinstance(o, dict) and o.get("kind")
    ]
    lines: set[str] = set()
    for obj in objects:
        lines.add(f"{_kube_id(obj)}[{obj['kind']}/{_name(obj)}]")
    for obj in objects:
        for kind, name in _references(obj):
            lines.add(f"{_kube_id(obj)} --> {node(kind + '_' + name)}")
        selector = (obj.get("spec") or {}).get("selector") if obj["kind"] == "Service" else None
        if isinstance(selector, dict) and selector:
            for other in objects:
                labels = (((other.get("spec") or {}).get("template") or {}).get("metadata") or {}).get(
                    "labels"
                ) or {}
                if isinstance(labels, dict) and selector.items() <= labels.items():
                    lines.add(f"{_kube_id(obj)} --> {_kube_id(other)}")
    return sorted(lines)


def _references(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """ConfigMaps, Secrets, Services, PVCs and scale targets an object names."""
    found: list[tuple[str, str]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, kind in _REFERENCE_KEYS:
                ref = value.get(key)
                if isinstance(ref, dict) and isinstance(ref.get("name") or ref.get("claimName"), str):
                    found.append((kind, ref.get("name") or ref["claimName"]))
            secret = value.get("secret")
            if isinstance(secret, dict) and isinstance(secret.get("secretName"), str):
                found.append(("Secret", secret["secretName"]))
            service = value.get("service")
            if isinstance(service, dict) and isinstance(service.get("name"), str) and "port" in service:
                found.append(("Service", service["name"]))
            target = value.get("scaleTargetRef")
            if isinstance(target, dict) and isinstance(target.get("kind"), str):
                found.append((target["kind"], str(target.get("name"))))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(obj.get("spec"))
    return found


def _kube_id(obj: dict[str, Any]) -> str:
    return node(f"{obj['kind']}_{_name(obj)}")


def _name(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", "?"))


def _manifest_files(path: Path) -> list[Path]:
    return (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    )


def _yaml(file: Path) -> Any:
    try:
        return yaml.safe_load(file.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"{file}: not YAML ({error})") from None


def _yaml_all(file: Path) -> list[Any]:
    try:
        return list(yaml.safe_load_all(file.read_text("utf-8")))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"{file}: not YAML ({error})") from None
