"""Readers for the files around the Dockerfile, and the Pod Security Standards check.

The reference implementation of the Pod Security Standards is the Go library
k8s.io/pod-security-admission (the Go module proxy is not reachable here), so
`restricted_violations` checks the "restricted" profile control by control, as the
Kubernetes documentation states it:

    https://kubernetes.io/docs/concepts/security/pod-security-standards/

tests/test_k8s_validators.py runs two real tools next to it (kubernetes-validate --strict,
and Trivy's k8s-pss-restricted compliance report) and names where Trivy's report misses a
breach that this check finds.

Each control below names its section there (the baseline controls are part of the
restricted profile). Checkov 3.3 (its CKV_K8S_* checks) passes every security-context check on the
generated manifest too; it is not part of the suite (see docs/generated-files.md).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

DOCS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

# Baseline "Capabilities": what may be added (restricted narrows it to NET_BIND_SERVICE).
RESTRICTED_ADDABLE_CAPABILITIES = {"NET_BIND_SERVICE"}
# Baseline "Sysctls": the safe set.
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}
# Baseline "SELinux": allowed types.
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
# Restricted "Volume Types": the only volume sources allowed.
RESTRICTED_VOLUME_TYPES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                           "projected", "secret"}


def compose_service(dest: Path, name: str) -> dict[str, Any]:
    return yaml.safe_load((dest / "compose.yaml").read_text())["services"][name]


def manifests(dest: Path) -> dict[str, dict[str, Any]]:
    """k8s/deployment.yaml's documents by kind."""
    docs = yaml.safe_load_all((dest / "k8s" / "deployment.yaml").read_text())
    return {doc["kind"]: doc for doc in docs if doc}


def pod_spec(dest: Path) -> dict[str, Any]:
    return manifests(dest)["Deployment"]["spec"]["template"]["spec"]


def dockerfile_user(dest: Path) -> str | None:
    parser = DockerfileParser(path=str(dest / "Dockerfile"))
    users = [i["value"] for i in parser.structure if i["instruction"] == "USER"]
    return users[-1] if users else None


def workflow(dest: Path) -> dict[str, Any]:
    return yaml.safe_load((dest / ".github" / "workflows" / "container.yml").read_text())


def _containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec.get("containers", []), *spec.get("ephemeralContainers", [])]


def restricted_violations(spec: dict[str, Any], annotations: dict[str, str] | None = None) -> list[str]:
    """The controls of the "restricted" profile that a pod spec breaks, as 'Control: why'."""
    bad: list[str] = []
    pod_sc = spec.get("securityContext") or {}
    containers = _containers(spec)

    # --- baseline
    # HostProcess: windowsOptions.hostProcess unset or false (pod and containers).
    for where, sc in [("pod", pod_sc), *((c["name"], c.get("securityContext") or {}) for c in containers)]:
        if (sc.get("windowsOptions") or {}).get("hostProcess"):
            bad.append(f"HostProcess: {where} sets windowsOptions.hostProcess")
    # Host Namespaces: hostNetwork, hostPID, hostIPC unset or false.
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            bad.append(f"Host Namespaces: {field} is true")
    for c in containers:
        sc = c.get("securityContext") or {}
        # Privileged Containers: privileged unset or false.
        if sc.get("privileged"):
            bad.append(f"Privileged Containers: {c['name']} is privileged")
        # Host Ports: hostPort unset or 0.
        for port in c.get("ports", []):
            if port.get("hostPort"):
                bad.append(f"Host Ports: {c['name']} uses hostPort {port['hostPort']}")
        # /proc Mount Type: procMount unset or Default.
        if sc.get("procMount", "Default") != "Default":
            bad.append(f"/proc Mount Type: {c['name']} sets procMount {sc['procMount']}")
    # HostPath Volumes: none (also covered by restricted "Volume Types").
    for volume in spec.get("volumes", []):
        if "hostPath" in volume:
            bad.append(f"HostPath Volumes: volume {volume['name']} is a hostPath")
    # AppArmor: unset, RuntimeDefault or Localhost (field and the older annotations).
    for where, sc in [("pod", pod_sc), *((c["name"], c.get("securityContext") or {}) for c in containers)]:
        profile = (sc.get("appArmorProfile") or {}).get("type")
        if profile not in (None, "RuntimeDefault", "Localhost"):
            bad.append(f"AppArmor: {where} sets appArmorProfile {profile}")
    for key, value in (annotations or {}).items():
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
                value == "runtime/default" or value.startswith("localhost/")):
            bad.append(f"AppArmor: annotation {key}={value}")
    # SELinux: type from the allowed list, user and role unset.
    for where, sc in [("pod", pod_sc), *((c["name"], c.get("securityContext") or {}) for c in containers)]:
        options = sc.get("seLinuxOptions") or {}
        if options.get("type", "") not in SELINUX_TYPES or options.get("user") or options.get("role"):
            bad.append(f"SELinux: {where} sets seLinuxOptions {options}")
    # Sysctls: only the safe set.
    for sysctl in pod_sc.get("sysctls", []):
        if sysctl["name"] not in SAFE_SYSCTLS:
            bad.append(f"Sysctls: {sysctl['name']} is not in the safe set")

    # --- restricted
    # Volume Types: only the listed sources.
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= RESTRICTED_VOLUME_TYPES:
            bad.append(f"Volume Types: volume {volume['name']} is {sorted(kinds)}")
    pod_non_root = pod_sc.get("runAsNonRoot") is True
    pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type")
    if pod_sc.get("runAsUser") == 0:
        bad.append("Running as Non-root user: pod runAsUser is 0")
    # Seccomp (baseline too): Unconfined is never allowed.
    if pod_seccomp == "Unconfined":
        bad.append("Seccomp: pod seccompProfile is Unconfined")
    for c in containers:
        sc = c.get("securityContext") or {}
        name = c["name"]
        # Privilege Escalation: allowPrivilegeEscalation must be false.
        if sc.get("allowPrivilegeEscalation") is not False:
            bad.append(f"Privilege Escalation: {name} does not set allowPrivilegeEscalation: false")
        # Running as Non-root: runAsNonRoot true on the pod or on every container,
        # and no container sets it false.
        if sc.get("runAsNonRoot") is False or not (pod_non_root or sc.get("runAsNonRoot") is True):
            bad.append(f"Running as Non-root: {name} is not runAsNonRoot: true")
        # Running as Non-root user: runAsUser not 0.
        if sc.get("runAsUser") == 0:
            bad.append(f"Running as Non-root user: {name} runAsUser is 0")
        # Seccomp: RuntimeDefault or Localhost, on the pod or on every container.
        own = (sc.get("seccompProfile") or {}).get("type")
        if own == "Unconfined" or (own not in ("RuntimeDefault", "Localhost")
                                   and pod_seccomp not in ("RuntimeDefault", "Localhost")):
            bad.append(f"Seccomp: {name} has no RuntimeDefault or Localhost seccompProfile")
        # Capabilities: drop ALL, add only NET_BIND_SERVICE.
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            bad.append(f"Capabilities: {name} does not drop ALL")
        extra = set(caps.get("add") or []) - RESTRICTED_ADDABLE_CAPABILITIES
        if extra:
            bad.append(f"Capabilities: {name} adds {sorted(extra)}")
    return bad


def lint_service_files(dest: Path) -> list[str]:
    """What is wrong with the YAML files around the Dockerfile: each must parse, and the
    Kubernetes pod, when there is one, must pass "restricted". Empty when all is well."""
    problems: list[str] = []
    optional = ("k8s/deployment.yaml", "compose.dev.yaml", "renovate.json")  # written for some answers only
    for rel in ("compose.yaml", ".github/workflows/container.yml", ".pre-commit-config.yaml", *optional):
        path = dest / rel
        if rel in optional and not path.exists():
            continue
        try:
            docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        except (OSError, yaml.YAMLError) as error:
            problems.append(f"{rel}: {error}")
            continue
        if not docs:
            problems.append(f"{rel}: empty")
    if not problems and (dest / "k8s").exists():
        template = manifests(dest)["Deployment"]["spec"]["template"]
        problems += [f"k8s/deployment.yaml: {v}" for v in
                     restricted_violations(template["spec"], template["metadata"].get("annotations"))]
    return problems
