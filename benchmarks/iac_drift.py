"""iac drift against Argo CD's own diff tests, and against real changes injected one at a time.

1. Argo's table (benchmarks/drift/argo_cases.yaml, one row per assertion of
   gitops-engine's diff_test.go; the pairs are read from ../shared/data):
   each row passes when devcopilot calls the pair modified exactly when Argo's
   test does, and reports every expected path with its change.
2. Mutations (benchmarks/drift/stack.yaml against stack-live.yaml, and every
   in-sync Argo pair): first the live objects as the server returns them,
   where nothing may be reported; then one real change at a time, each of which
   must be reported at its path, and nothing else.

    python benchmarks/iac_drift.py [--data ../shared/data/drift/gitops-engine]
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from devcopilot.jobs.iac.drift.engine import Options, detect
from devcopilot.jobs.iac.drift.ignore import IgnoreRule
from devcopilot.jobs.iac.drift.load import Declared, load_live
from devcopilot.jobs.iac.drift.paths import show

HERE = Path(__file__).parent / "drift"
Obj = dict[str, Any]


def _file(data: Path, name: str) -> Obj:
    text = (data / "testdata" / name).read_text()
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)


def _resolve(value: Any, data: Path, inline: dict[str, Obj]) -> Obj | None:
    if value is None:
        return None
    if isinstance(value, str):
        return copy.deepcopy(
            inline[value[len("inline/") :]] if value.startswith("inline/") else _file(data, value)
        )
    return copy.deepcopy(value)


def _edit(obj: Obj | None, edits: list[dict[str, Any]]) -> None:
    for edit in edits:
        assert obj is not None
        steps = edit.get("set") or edit["delete"]
        node: Any = obj
        for step in steps[:-1]:
            node = node[step] if isinstance(node, list) else node.setdefault(step, {})
            if node is None:
                break
        if "set" in edit:
            node[steps[-1]] = copy.deepcopy(edit["value"])
        else:
            node.pop(steps[-1], None)


def _run(desired: Obj, live: Obj | None, ignore: list[IgnoreRule] | None = None) -> list[tuple[str, str]]:
    namespace = ((live or {}).get("metadata") or {}).get("namespace") or "default"
    return _report(
        [Declared(desired, "desired", 0, 1)], [live] if live else [], Options(namespace, ignore or [])
    )


def argo_table(data: Path) -> tuple[int, int]:
    table = yaml.safe_load((HERE / "argo_cases.yaml").read_text())
    passed = 0
    print(f"{'Argo diff_test.go assertion':<92} {'expected':>9} {'devcopilot':>10}")
    for case in table["cases"]:
        desired = _resolve(case["desired"], data, table["inline"])
        live = _resolve(case["live"], data, table["inline"])
        edits = case.get("edit") or {}
        assert desired is not None
        _edit(desired, edits.get("both", []) + edits.get("desired", []))
        _edit(live, edits.get("both", []) + edits.get("live", []) if live else [])
        rules = [IgnoreRule.model_validate(r) for r in case.get("ignore", [])]
        found = _run(desired, live, rules)
        ok = bool(found) == case["modified"] and all(tuple(p) in found for p in case.get("paths", []))
        passed += ok
        mark = "ok" if ok else "FAIL " + "; ".join(f"{p} {c}" for p, c in found)
        print(f"{case['test'][:92]:<92} {case['modified']!s:>9} {bool(found)!s:>10}  {mark}")
    print(f"left out ({len(table['left_out'])}): " + "; ".join(e["test"] for e in table["left_out"]))
    return passed, len(table["cases"])


def _where(objects: list[Obj], kind: str, name: str) -> Obj:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def _pod(objects: list[Obj]) -> Obj:
    return _where(objects, "Deployment", "web")["spec"]["template"]["spec"]


MUTATIONS: list[tuple[str, Callable[[list[Obj]], None], str, str]] = [
    (
        "image changed",
        lambda o: _pod(o)["containers"][0].update(image="ghcr.io/acme/web:1.5.0-rc1"),
        "spec.template.spec.containers[web].image",
        "changed",
    ),
    (
        "env value changed",
        lambda o: _pod(o)["containers"][0]["env"][0].update(value="debug"),
        "spec.template.spec.containers[web].env[LOG_LEVEL].value",
        "changed",
    ),
    (
        "replicas scaled, no autoscaler",
        lambda o: _where(o, "Deployment", "web")["spec"].update(replicas=7),
        "spec.replicas",
        "changed",
    ),
    (
        "port removed",
        lambda o: _where(o, "Service", "web")["spec"]["ports"].pop(),
        "spec.ports[metrics]",
        "removed",
    ),
    (
        "Secret key changed",
        lambda o: _where(o, "Secret", "db-creds")["data"].update(
            password=base64.b64encode(b"leaked-and-rotated").decode()
        ),
        "data.password",
        "changed",
    ),
    (
        "container added",
        lambda o: _pod(o)["containers"].append(
            {
                "name": "debug",
                "image": "busybox:1.36",
                "imagePullPolicy": "IfNotPresent",
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }
        ),
        "spec.template.spec.containers[debug]",
        "added",
    ),
    (
        "label added",
        lambda o: _where(o, "Deployment", "web")["metadata"]["labels"].update(hotfix="true"),
        "metadata.labels.hotfix",
        "added",
    ),
    (
        "privileged container",
        lambda o: _pod(o)["containers"][0].update(securityContext={"privileged": True}),
        "spec.template.spec.containers[web].securityContext.privileged",
        "added",
    ),
    (
        "ConfigMap data edited",
        lambda o: _where(o, "ConfigMap", "web-config")["data"].update({"settings.toml": "workers = 16\n"}),
        'data["settings.toml"]',
        "changed",
    ),
    (
        "RBAC verb added",
        lambda o: _where(o, "Role", "web")["rules"][0]["verbs"].append("list"),
        "rules[0].verbs",
        "changed",
    ),
    (
        "memory limit raised",
        lambda o: _pod(o)["containers"][0]["resources"]["limits"].update(memory="1Gi"),
        "spec.template.spec.containers[web].resources.limits.memory",
        "changed",
    ),
    ("object deleted", lambda o: o.remove(_where(o, "PodDisruptionBudget", "web")), "", "missing"),
    (
        "object added",
        lambda o: o.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "debug-shell", "namespace": "shop", "uid": "x", "resourceVersion": "1"},
                "spec": {"replicas": 1},
            }
        ),
        "",
        "undeclared",
    ),
]


def mutations(data: Path) -> tuple[int, int, int]:
    from devcopilot.jobs.iac.drift.load import load_desired

    declared = load_desired(HERE / "stack.yaml")
    live = load_live((HERE / "stack-live.yaml").read_bytes(), "stack-live.yaml")
    baseline = _report(declared, live)
    print(f"\nserver defaults only, shop stack ({len(live)} live objects): {len(baseline)} reported")
    false_drift = len(baseline)
    for config, live_name in (
        ("elasticsearch-config.json", "elasticsearch-live.json"),
        ("smd-deploy-config.yaml", "smd-deploy-live.yaml"),
        ("mutatingwebhookconfig-config.json", "mutatingwebhookconfig-live.json"),
        ("endpoints-config.json", "endpoints-live.json"),
        ("spinnaker-sa-config.json", "spinnaker-sa-live.json"),
        ("ssd-service-config.yaml", "ssd-service-live.yaml"),
    ):
        found = _run(_file(data, config), _file(data, live_name))
        false_drift += len(found)
        print(f"server defaults only, Argo pair {config}: {len(found)} reported")
    found_right = 0
    print(f"\n{'injected change':<34} {'expected path':<62} result")
    for label, mutate, path, change in MUTATIONS:
        changed = copy.deepcopy(live)
        mutate(changed)
        found = _report(declared, changed)
        right = (path, change) in found and len(found) == 1
        found_right += right
        print(
            f"{label:<34} {(path or '(object)') + ' ' + change:<62} {'ok' if right else 'MISSED ' + str(found)}"
        )
    return found_right, len(MUTATIONS), false_drift


def _report(
    declared: list[Declared], live: list[Obj], options: Options | None = None
) -> list[tuple[str, str]]:
    """Every difference and object-level drift reported, as (path, change)."""
    outcome = detect(declared, live, options or Options())
    found = []
    for drift in outcome.objects:
        if drift.status in ("missing", "undeclared"):
            found.append(("", drift.status))
        found += [(show(d.path), d.change) for d in drift.differences]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "drift" / "gitops-engine"
    parser.add_argument("--data", type=Path, default=default)
    args = parser.parse_args()
    passed, rows = argo_table(args.data)
    right, injected, false_drift = mutations(args.data)
    print(f"\nArgo table: {passed}/{rows} rows in scope pass")
    print(f"mutations: {right}/{injected} found at the right path ({100 * right / injected:.0f}%)")
    print(f"false drift on server-default-only objects: {false_drift}")
    return 0 if passed == rows and right == injected and false_drift == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
