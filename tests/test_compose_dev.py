"""compose.dev.yaml: development as the host user. Over compose.yaml, the image runs as the
UID:GID given in the environment, the source is bind-mounted, the writable paths are on
volumes that user owns; on the real engine, with a source directory only that UID can read."""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from test_service_files import COMPOSE, _free_port, _wait_healthy, _wait_ready

DEV_UID, DEV_GID = 4321, 4322  # a developer's IDs: neither the image's nor in its /etc/passwd
FILES = ["-f", "compose.yaml", "-f", "compose.dev.yaml"]


def compose_config(dest: Path, implementation: str, env: dict[str, str]) -> dict:
    assert implementation in COMPOSE, f"{implementation} is not installed (see tests/test_service_files.py)"
    environment = {k: v for k, v in os.environ.items() if k not in ("UID", "GID")}
    result = subprocess.run([*COMPOSE[implementation], *FILES, "config"], cwd=dest, capture_output=True,
                            text=True, env={**environment, **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def _targets(service: dict) -> dict[str, dict]:
    """Mounts by target path, in either implementation's `config` output (short or long form)."""
    found = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target, *mode = volume.split(":")
            volume = {"source": source, "target": target, "read_only": mode == ["ro"]}
        found[volume["target"]] = volume
    return found


@pytest.mark.parametrize("implementation", ["compose", "compose-v1"])
def test_dev_override_runs_as_the_uid_and_gid_from_the_environment(generate, implementation):
    dest = generate(service_name="svc")
    service = compose_config(dest, implementation, {"UID": str(DEV_UID), "GID": str(DEV_GID)})["services"]["svc"]
    assert service["user"] == f"{DEV_UID}:{DEV_GID}"
    mounts = _targets(service)
    assert Path(mounts["/app"]["source"]) == dest and mounts["/app"]["read_only"]
    # compose.yaml's named volume on /data is replaced by the developer's own.
    assert mounts["/data"]["source"].endswith("dev-writable1")


@pytest.mark.parametrize("implementation", ["compose", "compose-v1"])
def test_dev_override_without_ids_falls_back_to_the_images_own(generate, implementation):
    dest = generate(service_name="svc", privilege="openshift", uid=20000)
    service = compose_config(dest, implementation, {})["services"]["svc"]
    assert service["user"] == "20000:0"


def test_dev_override_keeps_compose_yamls_hardening(generate):
    service = compose_config(generate(service_name="svc"), "compose", {"UID": "1000", "GID": "1000"})["services"]["svc"]
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert service["security_opt"] == ["no-new-privileges:true"]


def test_no_dev_override_when_the_drop_is_in_cmd(generate):
    # The drop tool in CMD needs root: started as the developer it could not run.
    assert not (generate(privilege="drop", drop_style="cmd") / "compose.dev.yaml").exists()


@pytest.mark.parametrize("stack", ["go", "generic"])
def test_compiled_stacks_mount_no_source(generate, stack):
    dest = generate(service_name="svc", stack=stack)
    service = compose_config(dest, "compose", {"UID": "1000", "GID": "1000"})["services"]["svc"]
    assert set(_targets(service)) == {"/data"}


# ---------------------------------------------------------------- on the engine
# Each with a home (HOME in memory, the user's: compose.dev.yaml gives it to the developer).
DEV_SERVICES = {"user": {"privilege": "user", "home": True}, "drop": {"privilege": "drop", "home": True},
                "node": {"stack": "node", "home": True}}


@pytest.fixture(scope="module", params=list(DEV_SERVICES))
def dev_service(request, tmp_path_factory, engine):
    """A python service of each model and a node one, built as <name>:dev; its files then given
    to a developer whose UID is not the image's, the source directory readable by them only."""
    from copier import run_copy

    from helpers import ROOT
    from nonroot.scaffold.build import build_image

    answers = DEV_SERVICES[request.param]
    base = request.getfixturevalue("node_image" if answers.get("stack") == "node" else "python_base")
    name = f"nr-fleet-dev-{request.param}"
    dest = tmp_path_factory.mktemp("dev") / name
    run_copy(str(ROOT), str(dest), data={"verify": False, "service_name": name, "base_image": base,
                                         "builder_image": base, **answers},
             defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
    build_image(engine, dest, f"{name}:dev")
    for path in [dest, *dest.rglob("*")]:
        os.chown(path, DEV_UID, DEV_GID, follow_symlinks=False)
    dest.chmod(0o700)
    yield name, dest, answers.get("stack", "python")
    engine.images.remove(f"{name}:dev", force=True)


def _up(name: str, dest: Path, env: dict[str, str], engine, implementation: str = "compose"):
    port = _free_port()
    compose = [*COMPOSE[implementation], "-p", name, *FILES]
    environment = {**{k: v for k, v in os.environ.items() if k not in ("UID", "GID")}, "HOST_PORT": str(port), **env}
    up = subprocess.run([*compose, "up", "-d", "--no-build"], cwd=dest, capture_output=True, text=True,
                        env=environment, timeout=180)
    down = [*compose, "down", "-v", "--timeout", "2"]
    assert up.returncode == 0, up.stderr
    container = engine.containers.get(next(c.id for c in engine.containers.list(
        all=True, filters={"label": f"com.docker.compose.project={name}"})))
    return container, port, lambda: subprocess.run(down, cwd=dest, capture_output=True, env=environment,
                                                   timeout=180)


@pytest.mark.engine
@pytest.mark.parametrize("implementation", ["compose", "compose-v1"])
def test_service_runs_as_the_developer_from_a_source_only_they_can_read(dev_service, engine, implementation):
    name, dest, stack = dev_service
    assert implementation in COMPOSE, f"{implementation} is not installed (see tests/test_service_files.py)"
    container, port, down = _up(name, dest, {"UID": str(DEV_UID), "GID": str(DEV_GID)}, engine, implementation)
    try:
        # The sample checks at start that /data is writable, and runs its code from the bind
        # mount, which only DEV_UID can read: healthy (or, for a drop image, which has no
        # health check because the engine would run it as root, answering) means both worked.
        _wait_ready(container, port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/whoami", timeout=5) as response:
            ids = json.load(response)
        assert (ids["uid"], ids["euid"], ids["gid"]) == (DEV_UID, DEV_UID, DEV_GID)
        app = next(m for m in container.attrs["Mounts"] if m["Destination"] == "/app")
        assert (app["Type"], Path(app["Source"]), app["RW"]) == ("bind", dest, stack == "node")
        write = container.exec_run(["python3", "-c", "open('/data/probe', 'w').write('x')"] if stack == "python"
                                   else ["node", "-e", "require('fs').writeFileSync('/data/probe', 'x')"])
        assert write.exit_code == 0, write.output.decode()
    finally:
        down()


@pytest.mark.engine
def test_home_is_the_developers_under_the_dev_override(dev_service, engine):
    name, dest, stack = dev_service
    container, port, down = _up(name, dest, {"UID": str(DEV_UID), "GID": str(DEV_GID)}, engine)
    try:
        _wait_ready(container, port)
        probe = ("import os; p = os.path.expanduser('~/.cache'); os.makedirs(p); print(os.stat(p).st_uid, p)"
                 if stack == "python" else
                 "const fs = require('fs'), p = require('os').homedir() + '/.cache'; fs.mkdirSync(p); "
                 "console.log(fs.statSync(p).uid, p)")
        made = container.exec_run(["python3", "-c", probe] if stack == "python" else ["node", "-e", probe])
        assert made.exit_code == 0, made.output.decode()
        assert made.output.decode().split() == [str(DEV_UID), "/home/app/.cache"]
    finally:
        down()


# How each runtime says it cannot read its code: node reports an unreadable file as missing.
CANNOT_READ = {"python": "can't open file '/app/app/main.py': [Errno 13] Permission denied",
               "node": "Cannot find module '/app/app/server.js'"}


@pytest.mark.engine
def test_without_the_developers_ids_the_image_user_cannot_read_their_source(dev_service, engine):
    # The complaint compose.dev.yaml answers: as the image's own UID, the bind-mounted
    # source (the developer's, mode 0700) cannot be read and the service never starts.
    name, dest, stack = dev_service
    container, _port, down = _up(name, dest, {}, engine)
    try:
        deadline = time.monotonic() + 30
        logs = ""
        while time.monotonic() < deadline and CANNOT_READ[stack] not in logs:
            time.sleep(0.5)
            logs = container.logs().decode()
        assert CANNOT_READ[stack] in logs, logs[-2000:]
        assert _wait_healthy(container, timeout=5) != "healthy"
    finally:
        down()


@pytest.mark.engine
def test_a_service_with_a_build_step_runs_its_build_as_the_developer(tmp_path_factory, engine, node_image,
                                                                     built_tags):
    """With a build step (issue 22) the image runs what the build made (here dist/, copied from
    the sample's source by a shell line): compose.dev.yaml mounts no source over /app, and the
    service runs that output as the developer's UID."""
    from copier import run_copy

    from helpers import ROOT
    from nonroot.scaffold.build import build_image

    name = "nr-dev-build-step"
    dest = tmp_path_factory.mktemp("dev") / name
    run_copy(str(ROOT), str(dest), data={
        "verify": False, "service_name": name, "stack": "node", "base_image": node_image, "builder_image": node_image,
        "build_command": "mkdir -p dist && cp app/server.js dist/server.js", "command": ["node", "dist/server.js"]},
        defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
    built_tags.append(f"{name}:dev")
    build_image(engine, dest, f"{name}:dev")
    (dest / "app" / "server.js").unlink()  # from here on, only the image's build output can start it
    container, port, down = _up(name, dest, {"UID": str(DEV_UID), "GID": str(DEV_GID)}, engine)
    try:
        _wait_ready(container, port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/whoami", timeout=5) as response:
            ids = json.load(response)
        assert (ids["uid"], ids["gid"]) == (DEV_UID, DEV_GID)
        assert [m for m in container.attrs["Mounts"] if m["Destination"] == "/app"] == []
    finally:
        down()
