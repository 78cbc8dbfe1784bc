"""``iac drift``: real manifests against live exports as kubectl writes them, and the real kubectl."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonpatch
import pytest
import yaml

from tests.conftest import CliResult, devcopilot_executable

STACK = Path(__file__).resolve().parents[1] / "benchmarks" / "drift"
Obj = dict[str, Any]


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Obj]]:
    monkeypatch.chdir(tmp_path)
    desired = tmp_path / "manifests.yaml"
    shutil.copy(STACK / "stack.yaml", desired)
    return desired, yaml.safe_load((STACK / "stack-live.yaml").read_text())["items"]


def export(path: Path, objects: list[Obj]) -> Path:
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    return path


def find(objects: list[Obj], kind: str, name: str) -> Obj:
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def drift(cli: Any, desired: Path, live: Path, *extra: str) -> CliResult:
    result: CliResult = cli("iac", "drift", "--desired", str(desired), "--live", str(live), *extra)
    return result


def test_a_cluster_as_the_server_returns_it_is_in_sync(cli: Any, shop: tuple[Path, list[Obj]]) -> None:
    desired, live = shop
    result = drift(cli, desired, export(Path("live.json"), live))
    assert result.code == 0, result.stdout
    assert "no drift" in result.stdout
    assert "server default" in result.stdout  # the defaults it left out are counted, not hidden


def test_a_kubectl_edit_is_reported_at_its_path_with_who_made_it(
    cli: Any, shop: tuple[Path, list[Obj]]
) -> None:
    desired, live = shop
    web = find(live, "Deployment", "web")
    web["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/acme/web:hotfix"
    web["metadata"]["managedFields"] = [
        {
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:spec": {"f:replicas": {}}},
        },
        {
            "manager": "kubectl-edit",
            "operation": "Update",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"web"}': {"f:image": {}}}}}}
            },
        },
    ]
    result = drift(cli, desired, export(Path("live.json"), live))
    assert result.code == 1
    line = next(x for x in result.stdout.splitlines() if "drift/image" in x)
    assert line.startswith("manifests.yaml:17: error drift/image")  # the line of `image:` in the manifest
    assert "spec.template.spec.containers[web].image" in line and "written by kubectl-edit" in line


def test_fields_a_controller_or_an_autoscaler_owns_are_not_drift(
    cli: Any, shop: tuple[Path, list[Obj]]
) -> None:
    desired, live = shop
    find(live, "Deployment", "api")["spec"]["replicas"] = 9  # the HorizontalPodAutoscaler's to set
    web = find(live, "Deployment", "web")
    web["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/acme/web:auto-updated"
    web["metadata"]["managedFields"] = [
        {
            "manager": "image-updater-controller",
            "operation": "Update",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"web"}': {"f:image": {}}}}}}
            },
        },
    ]
    result = drift(cli, desired, export(Path("live.json"), live))
    assert result.code == 0, result.stdout
    assert "1 autoscaler" in result.stdout and "1 controller" in result.stdout


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github", "markdown"])
def test_secret_values_are_never_shown(cli: Any, shop: tuple[Path, list[Obj]], output: str) -> None:
    desired, live = shop
    rotated = "rotated-by-hand-9f3k"
    find(live, "Secret", "db-creds")["data"]["password"] = base64.b64encode(rotated.encode()).decode()
    find(live, "Secret", "db-creds")["data"]["extra"] = base64.b64encode(b"added-by-hand").decode()
    result = drift(cli, desired, export(Path("live.json"), live), "--format", output)
    assert result.code == 1
    assert "password" in result.stdout and "extra" in result.stdout
    for value in (rotated, "not-the-real-one", "added-by-hand"):
        assert value not in result.stdout
        assert base64.b64encode(value.encode()).decode() not in result.stdout


def test_fail_on_and_exit_codes_keep_drift_and_errors_apart(cli: Any, shop: tuple[Path, list[Obj]]) -> None:
    desired, live = shop
    find(live, "Deployment", "web")["metadata"]["labels"]["hotfix"] = "true"
    live_file = export(Path("live.json"), live)
    assert drift(cli, desired, live_file).code == 1  # any drift, by default
    assert drift(cli, desired, live_file, "--fail-on", "warning").code == 0  # a label is info
    assert drift(cli, desired, Path("absent.json")).code == 2


def test_objects_missing_from_the_cluster_and_undeclared_ones(cli: Any, shop: tuple[Path, list[Obj]]) -> None:
    desired, live = shop
    live.remove(find(live, "PodDisruptionBudget", "web"))
    live.append(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "debug-shell", "namespace": "shop", "labels": {"team": "ops"}},
        }
    )
    live.append(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "coredns", "namespace": "kube-system"},
        }
    )
    result = drift(cli, desired, export(Path("live.json"), live), "--format", "json")
    changes = {(d["object"], d["change"]) for d in json.loads(result.stdout)["result"]["differences"]}
    assert changes == {
        ("PodDisruptionBudget.policy shop/web", "missing"),
        ("Deployment.apps shop/debug-shell", "undeclared"),
    }  # the ReplicaSet, default ServiceAccount, root CA and Endpoints are the cluster's own
    narrowed = drift(cli, desired, Path("live.json"), "--selector", "team=payments", "--format", "json")
    assert "debug-shell" not in narrowed.stdout


def test_patch_puts_live_back_and_refuses_to_overwrite_a_newer_change(
    cli: Any, shop: tuple[Path, list[Obj]]
) -> None:
    desired, live = shop
    pod = find(live, "Deployment", "web")["spec"]["template"]["spec"]
    pod["containers"][0]["image"] = "ghcr.io/acme/web:hotfix"
    pod["containers"][0]["env"].pop(0)
    pod["containers"].append({"name": "debug", "image": "busybox:1.36"})
    pod["hostNetwork"] = True
    find(live, "Service", "web")["spec"]["ports"].pop()
    # an unnamed port, keyed by number and protocol, which the manifest leaves to default to TCP
    find(live, "Deployment", "api")["spec"]["template"]["spec"]["containers"][0]["ports"].clear()
    result = drift(cli, desired, export(Path("live.json"), live), "--patch", "fix.json")
    assert "left out" not in result.stdout
    assert result.code == 1
    patches = json.loads(Path("fix.json").read_text())
    fixed = copy.deepcopy(live)
    for entry in patches:
        target = find(fixed, entry["object"]["kind"], entry["object"]["name"])
        target.update(jsonpatch.apply_patch(target, entry["patch"]))
    assert drift(cli, desired, export(Path("fixed.json"), fixed)).code == 0

    newer = copy.deepcopy(live)
    find(newer, "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] = "web:even-newer"
    web_patch = next(
        e["patch"] for e in patches if e["object"]["name"] == "web" and e["object"]["kind"] == "Deployment"
    )
    with pytest.raises(jsonpatch.JsonPatchTestFailed):
        jsonpatch.apply_patch(find(newer, "Deployment", "web"), web_patch)

    again = drift(cli, desired, Path("live.json"), "--patch", "fix.json")
    assert again.code == 2 and "--write" in again.stderr


def test_adopt_writes_the_live_values_into_the_manifests_keeping_comments(
    cli: Any, shop: tuple[Path, list[Obj]], tmp_path: Path
) -> None:
    desired, live = shop
    pod = find(live, "Deployment", "web")["spec"]["template"]["spec"]
    pod["containers"][0]["image"] = "ghcr.io/acme/web:1.4.3"
    pod["containers"][0]["env"].append({"name": "FEATURE_X", "value": "on"})
    find(live, "Secret", "db-creds")["data"]["password"] = base64.b64encode(b"live-secret").decode()
    result = drift(cli, desired, export(Path("live.json"), live), "--adopt", "adopt.diff")
    assert "Secret value(s) not copied" in result.stdout
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "adopt.diff"], cwd=tmp_path, check=True)
    text = desired.read_text()
    assert text.startswith("# A small shop as its team declares it")
    assert "ghcr.io/acme/web:1.4.3" in text and "FEATURE_X" in text
    assert "live-secret" not in text and base64.b64encode(b"live-secret").decode() not in text
    rerun = drift(cli, desired, Path("live.json"), "--format", "json")
    left = {d["rule"] for d in json.loads(rerun.stdout)["result"]["differences"]}
    assert left == {"drift/secret"}


def test_ignore_rules_in_argo_cd_style(cli: Any, shop: tuple[Path, list[Obj]]) -> None:
    desired, live = shop
    pod = find(live, "Deployment", "web")["spec"]["template"]["spec"]
    pod["containers"].append({"name": "istio-proxy", "image": "istio/proxyv2:1.22.0"})
    find(live, "Service", "web")["spec"]["sessionAffinity"] = "ClientIP"
    Path("ignore.yaml").write_text(
        yaml.safe_dump(
            {
                "ignoreDifferences": [
                    {
                        "group": "apps",
                        "kind": "Deployment",
                        "jmespathExpressions": ["spec.template.spec.containers[?name=='istio-proxy']"],
                    },
                    {
                        "group": "",
                        "kind": "Service",
                        "name": "web",
                        "jsonPointers": ["/spec/sessionAffinity"],
                    },
                ]
            }
        )
    )
    live_file = export(Path("live.json"), live)
    assert drift(cli, desired, live_file).code == 1
    result = drift(cli, desired, live_file, "--ignore", "ignore.yaml")
    assert result.code == 0, result.stdout
    assert "2 ignore rule" in result.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Serv', "not valid JSON"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n", "given twice"),
        ('{"apiVersion": "v1", "metadata": {"name": "x"}}', "has no kind"),
        ('{"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": []}', "Terraform plan"),
    ],
)
def test_bad_live_input_gets_one_line_and_exit_2(
    cli: Any, shop: tuple[Path, list[Obj]], content: str, says: str
) -> None:
    desired, _ = shop
    Path("live.json").write_text(content)
    result = drift(cli, desired, Path("live.json"))
    assert result.code == 2
    assert says in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_manifest_with_a_duplicate_key_is_refused(cli: Any, shop: tuple[Path, list[Obj]]) -> None:
    desired, live = shop
    desired.write_text(desired.read_text().replace("  replicas: 3\n", "  replicas: 3\n  replicas: 4\n", 1))
    result = drift(cli, desired, export(Path("live.json"), live))
    assert (
        result.code == 2
        and "'replicas' is given twice" in result.stderr
        and "manifests.yaml" in result.stderr
    )


def test_each_run_leaves_an_audit_record(cli: Any, shop: tuple[Path, list[Obj]]) -> None:
    from devcopilot.core.context import Context
    from devcopilot.jobs.registry import JOBS

    desired, live = shop
    find(live, "Deployment", "web")["spec"]["replicas"] = 1
    live_file = export(Path("live.json"), live)
    drift(cli, desired, live_file)
    records = [r for r in Context.load(Path.cwd(), jobs=JOBS).provenance.read() if r["kind"] == "job_run"]
    record = records[-1]
    assert record["command"] == "drift"
    assert record["iac.drift.inputs"]["live_sha256"] == hashlib.sha256(live_file.read_bytes()).hexdigest()
    assert record["iac.drift.changes"] == {"changed": 1}
    assert record["iac.drift.objects"] == ["Deployment.apps shop/web"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_live_kubectl_reads_a_loopback_api_server_and_never_writes(tmp_path: Path) -> None:
    from tests.fake_kube_api import serve

    live = yaml.safe_load((STACK / "stack-live.yaml").read_text())["items"]
    find(live, "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] = "web:edited"
    kubeconfig = tmp_path / "kubeconfig"
    with serve(live, kubeconfig) as recorded:
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        done = subprocess.run(
            [
                devcopilot_executable(),
                "iac",
                "drift",
                "--desired",
                str(STACK / "stack.yaml"),
                "--live",
                "kubectl",
                "--context",
                "fake",
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    paths = [d["path"] for d in json.loads(done.stdout)["result"]["differences"]]
    assert paths == ["spec.template.spec.containers[web].image"]
    assert {method for method, _ in recorded.requests} == {"GET"}
    assert any(p.startswith("/apis/apps/v1/deployments") for _, p in recorded.requests)
