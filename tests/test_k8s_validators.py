"""Every generated Kubernetes manifest, checked by real tools next to the project's own
control-by-control Pod Security check (tests/service_files.py): kubernetes-validate --strict
against the Kubernetes schema, and Trivy's k8s-pss-restricted compliance report as a second
opinion. Where Trivy and the project's check disagree, docs/generated-files.md says which is right."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml

from k8s_tools import control_names, kubernetes_errors, trivy_restricted_failures
from service_files import restricted_violations
from test_rendered_files import SUPPORT_TABLE, _ids

# Every combination of the support table with the manifest (not with a drop in CMD, which
# `kubernetes` refuses), with two writable paths as the lint test renders them.
KUBERNETES_TABLE = [combo for combo in SUPPORT_TABLE if combo.get("drop_style") != "cmd"]


@pytest.fixture(scope="module")
def manifests_dir(renders, tmp_path_factory) -> Path:
    """k8s/deployment.yaml of every KUBERNETES_TABLE row, as <row id>.yaml in one folder: the
    renders test_rendered_files lints (the session's shared renders, made once)."""
    out = tmp_path_factory.mktemp("manifests")
    # From the end of the table: under pytest-xdist, test_rendered_files renders it from the
    # start on another worker, and each render is made once.
    for combo in reversed(KUBERNETES_TABLE):
        service = renders.shared(**combo, writable_paths=["/data", "/var/cache/app"], kubernetes=True)
        shutil.copy(service / "k8s" / "deployment.yaml", out / f"{_ids(combo)}.yaml")
    return out


@pytest.fixture(scope="module")
def trivy_failures(manifests_dir, tmp_path_factory) -> dict[str, set[str]]:
    """Trivy's failed controls per manifest file: one run over the whole folder."""
    return trivy_restricted_failures(manifests_dir, tmp_path_factory.mktemp("trivy-cache"))


def _pod(manifest: Path) -> tuple[dict, dict]:
    deployment = next(d for d in yaml.safe_load_all(manifest.read_text()) if d and d["kind"] == "Deployment")
    template = deployment["spec"]["template"]
    return template["spec"], template["metadata"].get("annotations") or {}


def _kubernetes_versions() -> list[str]:
    """The oldest and the newest Kubernetes release whose schemas kubernetes-validate bundles."""
    from kubernetes_validate.utils import all_versions, latest_version

    return [min(all_versions(), key=lambda v: tuple(int(n) for n in v.split("."))), latest_version()]


@pytest.mark.parametrize("version", _kubernetes_versions())
@pytest.mark.parametrize("combo", KUBERNETES_TABLE, ids=_ids)
def test_manifest_is_a_valid_kubernetes_object_with_no_unknown_field(manifests_dir, combo, version):
    assert kubernetes_errors(manifests_dir / f"{_ids(combo)}.yaml", version) == []


@pytest.mark.parametrize("combo", KUBERNETES_TABLE, ids=_ids)
def test_trivy_and_the_projects_check_both_pass_the_manifest_as_restricted(manifests_dir, trivy_failures, combo):
    name = f"{_ids(combo)}.yaml"
    assert trivy_failures.get(name, set()) == set()
    assert restricted_violations(*_pod(manifests_dir / name)) == []


def test_kubernetes_validate_refuses_an_unknown_field(manifests_dir, tmp_path):
    # The strict check can fail: a misspelt securityContext field is refused.
    docs = list(yaml.safe_load_all(next(manifests_dir.glob("*.yaml")).read_text()))
    deployment = next(d for d in docs if d and d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsNonroot"] = True
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump_all(docs))
    errors = kubernetes_errors(broken)
    assert len(errors) == 1 and "runAsNonroot" in errors[0], errors


# One breach per control of the "restricted" profile, on a generated pod template (t: its
# spec and metadata). Trivy's control names are the Pod Security Standards' own.
def _container(t: dict) -> dict:
    return t["spec"]["containers"][0]


BREACHES = {
    "HostProcess": lambda t: t["spec"]["securityContext"].update(windowsOptions={"hostProcess": True}),
    "Host Namespaces (hostIPC)": lambda t: t["spec"].update(hostIPC=True),
    "Host Namespaces (hostPID)": lambda t: t["spec"].update(hostPID=True),
    "Host Namespaces (hostNetwork)": lambda t: t["spec"].update(hostNetwork=True),
    "Privileged Containers": lambda t: _container(t)["securityContext"].update(privileged=True),
    "Capabilities (add)": lambda t: _container(t)["securityContext"]["capabilities"].update(add=["SYS_ADMIN"]),
    "Capabilities (drop ALL)": lambda t: _container(t)["securityContext"]["capabilities"].pop("drop"),
    "HostPath Volumes": lambda t: t["spec"]["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
    "Host Ports": lambda t: _container(t)["ports"][0].update(hostPort=8080),
    "AppArmor (annotation)": lambda t: t["metadata"].setdefault("annotations", {}).update(
        {f"container.apparmor.security.beta.kubernetes.io/{_container(t)['name']}": "unconfined"}),
    "AppArmor (appArmorProfile field)": lambda t: _container(t)["securityContext"].update(
        appArmorProfile={"type": "Unconfined"}),
    "SELinux": lambda t: t["spec"]["securityContext"].update(seLinuxOptions={"type": "spc_t"}),
    "/proc Mount Type": lambda t: _container(t)["securityContext"].update(procMount="Unmasked"),
    "Seccomp (Unconfined)": lambda t: t["spec"]["securityContext"].update(seccompProfile={"type": "Unconfined"}),
    "Seccomp (none)": lambda t: t["spec"]["securityContext"].pop("seccompProfile"),
    "Sysctls": lambda t: t["spec"]["securityContext"].update(sysctls=[{"name": "kernel.msgmax", "value": "1"}]),
    "Volume Types": lambda t: t["spec"]["volumes"].append({"name": "n", "nfs": {"server": "nfs", "path": "/"}}),
    "Privilege Escalation": lambda t: _container(t)["securityContext"].update(allowPrivilegeEscalation=True),
    "Running as Non-root": lambda t: [t["spec"]["securityContext"].pop("runAsNonRoot"),
                                      _container(t)["securityContext"].pop("runAsNonRoot")],
    "Running as Non-root user": lambda t: t["spec"]["securityContext"].update(runAsUser=0),
}
# Where Trivy 0.76's k8s-pss-restricted-0.1 report misses a breach of the standard (docs/generated-files.md's
# "How they are proven" says why the project's check is right there).
TRIVY_MISSES = {
    # Its "Host Namespaces" control maps only check KSV-0008 (hostIPC); KSV-0009 (hostNetwork)
    # and KSV-0010 (hostPID) exist in Trivy's plain misconfiguration scan but not in the report.
    "Host Namespaces (hostPID)", "Host Namespaces (hostNetwork)",
    # Its "AppArmor" check KSV-0002 reads the beta annotation only, not the appArmorProfile
    # field that Kubernetes 1.30 made the way to set it.
    "AppArmor (appArmorProfile field)",
}


def _control(breach: str) -> str:
    return breach.split(" (")[0]


@pytest.fixture(scope="module")
def breach_verdicts(manifests_dir, tmp_path_factory) -> dict[str, tuple[set[str], set[str]]]:
    """For each breach: (controls the project's check names, controls Trivy fails)."""
    base = manifests_dir / f"{_ids(KUBERNETES_TABLE[0])}.yaml"
    folder = tmp_path_factory.mktemp("breaches")
    ours: dict[str, set[str]] = {}
    for index, (name, breach) in enumerate(BREACHES.items()):
        docs = list(yaml.safe_load_all(base.read_text()))
        template = next(d for d in docs if d and d["kind"] == "Deployment")["spec"]["template"]
        breach(template)
        (folder / f"breach-{index}.yaml").write_text(yaml.safe_dump_all(docs))
        ours[name] = control_names(restricted_violations(copy.deepcopy(template["spec"]),
                                                         template["metadata"].get("annotations")))
    trivy = trivy_restricted_failures(folder, tmp_path_factory.mktemp("trivy-cache"))
    return {name: (ours[name], {c.lower() for c in trivy.get(f"breach-{index}.yaml", set())})
            for index, name in enumerate(BREACHES)}


@pytest.mark.parametrize("breach", list(BREACHES))
def test_the_projects_check_names_each_broken_control(breach_verdicts, breach):
    ours, _ = breach_verdicts[breach]
    assert _control(breach) in ours, ours


@pytest.mark.parametrize("breach", [b for b in BREACHES if b not in TRIVY_MISSES])
def test_trivy_names_the_same_broken_control(breach_verdicts, breach):
    _, trivy = breach_verdicts[breach]
    assert _control(breach).lower() in trivy, json.dumps(sorted(trivy))


@pytest.mark.parametrize("breach", sorted(TRIVY_MISSES))
def test_trivy_misses_what_the_readme_says_it_misses(breach_verdicts, breach):
    # If a Trivy release closes the gap, this fails: update TRIVY_MISSES and docs/generated-files.md.
    ours, trivy = breach_verdicts[breach]
    assert _control(breach) in ours
    assert _control(breach).lower() not in trivy, json.dumps(sorted(trivy))
