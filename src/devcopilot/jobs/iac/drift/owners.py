"""Who set a live field, from ``managedFields``: a person, the tool that applies, or a controller.

``kubectl get`` leaves managedFields out unless asked (``--show-managed-fields``,
which ``--live kubectl`` passes). When they are there, a difference on a field
only a controller wrote (an autoscaler's replicas, an injected CA bundle) is
the controller's to own, not drift; one a person wrote with ``kubectl edit``
or ``kubectl scale`` is drift, and says who.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from devcopilot.jobs.iac.drift.paths import Path, key_field, walk

Role = Literal["person", "applier", "controller"]

_PEOPLE = ("kubectl", "k9s", "kubernetes-dashboard", "dashboard", "lens", "openlens", "headlamp", "rancher")
_APPLIERS = frozenset(
    {
        "kubectl-client-side-apply",
        "argocd-controller",
        "argocd-application-controller",
        "helm",
        "helm-controller",
        "kustomize-controller",
        "kapp",
        "terraform-provider-kubernetes",
        "pulumi-kubernetes",
        "spinnaker",
    }
)


@dataclass(frozen=True)
class Owner:
    manager: str
    operation: str
    subresource: str

    @property
    def role(self) -> Role:
        name = self.manager.lower()
        if self.operation == "Apply" or name in _APPLIERS:
            return "applier"
        if name.startswith(_PEOPLE):
            return "person"
        return "controller"

    def __str__(self) -> str:
        return self.manager + (f" ({self.subresource})" if self.subresource else "")


def owners(live: dict[str, Any], path: Path) -> list[Owner]:
    """The managers whose field set holds ``path``; empty when the object carries no managedFields."""
    entries = (live.get("metadata") or {}).get("managedFields") or []
    found = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("fieldsV1"), dict):
            continue
        if _holds(entry["fieldsV1"], live, path):
            found.append(
                Owner(
                    str(entry.get("manager", "")),
                    str(entry.get("operation", "")),
                    str(entry.get("subresource", "")),
                )
            )
    return found


def _holds(tree: dict[str, Any], live: Any, path: Path) -> bool:
    steps = walk(live, path)
    if steps is None:
        return False
    node: Any = tree
    for taken, value in steps:
        if not isinstance(node, dict):
            return False
        node = _item_node(node, value, taken) if isinstance(taken, int) else node.get(f"f:{taken}")
        if node is None:
            return False
    return True


def _item_node(node: dict[str, Any], entry: Any, position: int) -> Any:
    for key, child in node.items():
        if key.startswith("k:") and isinstance(entry, dict):
            try:
                fields = json.loads(key[2:])
            except ValueError:
                continue
            if isinstance(fields, dict) and all(key_field(entry, f) == v for f, v in fields.items()):
                return child
        elif key.startswith("v:"):
            try:
                if json.loads(key[2:]) == entry:
                    return child
            except ValueError:
                continue
        elif key == f"i:{position}":
            return child
    return None
