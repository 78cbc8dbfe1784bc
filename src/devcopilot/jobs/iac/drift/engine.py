"""Declared objects matched to live ones, compared, and every difference either explained or reported.

A difference is left out, and counted by reason, when the server set it (the
defaults table), a controller owns it (managedFields, an aggregated role's
rules), an autoscaler owns it (replicas of a HorizontalPodAutoscaler's target)
or an ``--ignore`` rule names it. Everything else is a finding.
"""

from __future__ import annotations

import base64
import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from devcopilot.jobs.iac.drift import owners as ownership
from devcopilot.jobs.iac.drift.compare import Difference, compare
from devcopilot.jobs.iac.drift.defaults import Table, builtin
from devcopilot.jobs.iac.drift.ignore import IgnoreRule
from devcopilot.jobs.iac.drift.load import Declared, Ref, cluster_scoped, ref_of

_GENERATED_KINDS = frozenset(
    {"Event", "Lease", "EndpointSlice", "ControllerRevision", "ComponentStatus", "Binding"}
)
_GENERATED_NAMES = {("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")}


@dataclass
class Options:
    namespace: str = "default"
    """Where a namespaced manifest without a namespace goes (kubectl's default)."""
    ignore: list[IgnoreRule] = field(default_factory=list)
    owned_namespaces: list[str] | None = None
    """Namespaces whose undeclared objects are reported; the declared objects' namespaces by default."""
    selector: dict[str, str] = field(default_factory=dict)
    """Labels an undeclared object must carry to be reported (cluster-scoped ones only with a selector)."""
    table: Table = field(default_factory=builtin)


@dataclass
class ObjectDrift:
    ref: Ref
    declared: Declared | None
    live: dict[str, Any] | None
    differences: list[Difference] = field(default_factory=list)
    owners: dict[int, list[ownership.Owner]] = field(default_factory=dict)
    """By position in ``differences``: who wrote each differing live field, when managedFields say."""

    @property
    def status(self) -> str:
        if self.live is None:
            return "missing"
        if self.declared is None:
            return "undeclared"
        return "drifted" if self.differences else "in sync"


@dataclass
class Outcome:
    objects: list[ObjectDrift]
    left_out: Counter[str]
    matched: int
    autoscaled: set[tuple[str, str, str]]
    """The (kind, namespace, name) an autoscaler scales: their replicas are its to set."""


def secret_key_paths(kind: str, path: tuple[Any, ...]) -> bool:
    """Whether a path holds a Secret's value: such values are never shown, not even hashed."""
    return kind == "Secret" and bool(path) and path[0] in ("data", "stringData")


def desired_form(obj: dict[str, Any]) -> dict[str, Any]:
    """What the server would store for a manifest: a Secret's ``stringData`` becomes ``data``."""
    if obj.get("kind") != "Secret" or not isinstance(obj.get("stringData"), dict):
        return obj
    stored = copy.deepcopy(obj)
    data = dict(stored.get("data") or {})
    for key, value in stored.pop("stringData").items():
        text = value if isinstance(value, str) else str(value)
        data[key] = base64.b64encode(text.encode()).decode()
    stored["data"] = data
    return stored


def _index(
    live: list[dict[str, Any]],
) -> tuple[dict[Ref, dict[str, Any]], dict[tuple[str, str, str], list[Ref]]]:
    by_ref: dict[Ref, dict[str, Any]] = {}
    by_name: dict[tuple[str, str, str], list[Ref]] = {}
    for obj in live:
        ref = ref_of(obj, "")
        by_ref[ref] = obj
        by_name.setdefault((ref.group, ref.kind, ref.name), []).append(ref)
    return by_ref, by_name


def _autoscaled(objects: list[dict[str, Any]], namespace: str) -> set[tuple[str, str, str]]:
    targets = set()
    for obj in objects:
        if obj.get("kind") == "HorizontalPodAutoscaler":
            target = (obj.get("spec") or {}).get("scaleTargetRef") or {}
            hpa = ref_of(obj, namespace)
            targets.add((str(target.get("kind")), hpa.namespace, str(target.get("name"))))
    return targets


def detect(declared: list[Declared], live: list[dict[str, Any]], options: Options) -> Outcome:
    by_ref, by_name = _index(live)
    autoscaled = _autoscaled([d.obj for d in declared] + live, options.namespace)
    left_out: Counter[str] = Counter()
    objects: list[ObjectDrift] = []
    matched: set[Ref] = set()
    for item in declared:
        ref = ref_of(item.obj, options.namespace)
        live_ref = ref if ref in by_ref else _by_name_only(item.obj, ref, by_name)
        if live_ref is None:
            objects.append(ObjectDrift(ref, item, None))
            continue
        matched.add(live_ref)
        objects.append(
            compare_object(
                ref, item, by_ref[live_ref], autoscaled=autoscaled, options=options, left_out=left_out
            )
        )
    declared_namespaces = {o.ref.namespace for o in objects if o.ref.namespace}
    for ref, obj in sorted(by_ref.items()):
        if ref not in matched and _reported_undeclared(ref, obj, by_ref, declared_namespaces, options):
            objects.append(ObjectDrift(ref, None, obj))
    return Outcome(objects, left_out, len(matched), autoscaled)


def compare_object(
    ref: Ref,
    item: Declared,
    live: dict[str, Any],
    *,
    autoscaled: set[tuple[str, str, str]],
    options: Options,
    left_out: Counter[str],
) -> ObjectDrift:
    """One declared object against its live counterpart: the differences nothing explains."""
    comparison = compare(ref.kind, desired_form(item.obj), live, options.table)
    left_out["server default"] += comparison.defaults
    drift = ObjectDrift(ref, item, live)
    for difference in comparison.differences:
        reason, writers = _explained(
            ref, difference=difference, desired=item.obj, live=live, autoscaled=autoscaled, options=options
        )
        if reason:
            left_out[reason] += 1
            continue
        if writers:
            drift.owners[len(drift.differences)] = writers
        drift.differences.append(difference)
    return drift


def _by_name_only(
    obj: dict[str, Any], ref: Ref, by_name: dict[tuple[str, str, str], list[Ref]]
) -> Ref | None:
    """A kind whose scope is unknown (a custom resource), matched by name alone.

    A manifest without a namespace matches the one object of that name; one
    with a namespace matches it only when the live object has none (the kind
    is cluster-scoped, and the server dropped the namespace).
    """
    candidates = by_name.get((ref.group, ref.kind, ref.name), [])
    if len(candidates) != 1:
        return None
    if (obj.get("metadata") or {}).get("namespace") and candidates[0].namespace:
        return None
    return candidates[0]


def _explained(
    ref: Ref,
    *,
    difference: Difference,
    desired: dict[str, Any],
    live: dict[str, Any],
    autoscaled: set[tuple[str, str, str]],
    options: Options,
) -> tuple[str | None, list[ownership.Owner]]:
    path = difference.path
    if path == ("spec", "replicas") and (ref.kind, ref.namespace, ref.name) in autoscaled:
        return "autoscaler", []
    if ref.kind == "ClusterRole" and path[:1] == ("rules",) and live.get("aggregationRule"):
        return "controller", []
    writers = ownership.owners(live, path) if difference.change != "removed" else []
    if writers and all(w.role == "controller" for w in writers):
        return "controller", writers
    for rule in options.ignore:
        if rule.applies_to(ref) and rule.silences(path, (live, desired), writers):
            return "ignore rule", writers
    return None, [w for w in writers if w.role == "person"] or writers


def _reported_undeclared(
    ref: Ref,
    obj: dict[str, Any],
    by_ref: dict[Ref, dict[str, Any]],
    declared_namespaces: set[str],
    options: Options,
) -> bool:
    metadata = obj.get("metadata") or {}
    if metadata.get("ownerReferences") or ref.kind in _GENERATED_KINDS:
        return False
    if (ref.kind, ref.name) in _GENERATED_NAMES or obj.get("type") == "kubernetes.io/service-account-token":
        return False
    if ref.kind == "Endpoints" and Ref("", "Service", ref.namespace, ref.name) in by_ref:
        return False
    labels = metadata.get("labels") or {}
    if options.selector and any(labels.get(k) != v for k, v in options.selector.items()):
        return False
    if cluster_scoped(ref.kind) or not ref.namespace:
        return bool(options.selector)
    owned = options.owned_namespaces if options.owned_namespaces is not None else declared_namespaces
    return ref.namespace in owned
