"""The repository's own files beside nonroot's (issue 22, item 4) and a writable HOME where
the service's tools write (item 5), on tests/apps/flask-compose: a Flask API with its own
Dockerfile, gunicorn config, docker-compose.yml (the API and a PostgreSQL) plus a development
docker-compose.override.yml, a .dockerignore and a CI workflow.

Compose 1.29 (Debian's docker-compose) runs docker-compose.yml before compose.yaml, and both
Compose implementations merge an override file into what they run: nonroot stops without
--overwrite, and with it writes compose.yaml beside the app's files and names the command
that runs it (-f compose.yaml). That command runs the generated service, healthy, under both.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from gitrepos import as_repository, git
from helpers import run_nonroot
from adoption import HEALTHY_WITHIN, HOST_CA_BUNDLE, app_copy, data_args, free_port
from test_service_files import COMPOSE

APP = "flask-compose"
OWN_COMPOSE = ("docker-compose.yml", "docker-compose.override.yml")


def _copy_app(dest: Path) -> Path:
    app_copy(APP, dest)
    shutil.copy(HOST_CA_BUNDLE, dest / "corp-ca.pem")
    as_repository(dest)
    return dest


def _contents(dest: Path, names) -> dict[str, bytes]:
    return {name: (dest / name).read_bytes() for name in names}


# ------------------------------------------------------------ without the engine
def test_without_overwrite_nothing_is_written_and_the_compose_files_are_named(tmp_path):
    dest = _copy_app(tmp_path / APP)
    result = run_nonroot("new", str(dest), "--defaults", "-d", "verify=false")
    assert result.returncode == 2
    assert "has compose files of its own (docker-compose.yml, docker-compose.override.yml)" in result.stderr
    assert "docker-compose 1.x runs docker-compose.yml instead" in result.stderr
    assert "both Compose merge docker-compose.override.yml" in result.stderr
    assert "nothing was written" in result.stderr
    assert git(dest, "status", "--porcelain").strip() == ""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """flask-compose adopted with --overwrite, without the build (verify false)."""
    dest = _copy_app(tmp_path_factory.mktemp("own") / APP)
    before = _contents(dest, [*OWN_COMPOSE, ".github/workflows/tests.yml"])
    result = run_nonroot("new", str(dest), "--defaults", "--overwrite", "-d", "verify=false")
    assert result.returncode == 0, result.stderr
    return dest, result.stderr, before


def test_detection_names_the_repositorys_own_files(rendered):
    _, said, _ = rendered
    assert ("the repository's own files: docker-compose.yml, docker-compose.override.yml, .dockerignore, "
            ".github/workflows/tests.yml") in said


def test_the_apps_compose_files_and_workflow_are_kept_as_they_were(rendered):
    dest, said, before = rendered
    assert _contents(dest, before) == before
    assert "compose: kept your docker-compose.yml, docker-compose.override.yml" in said
    assert "CI: kept your workflows (tests.yml); .github/workflows/container.yml is a second workflow" in said


def test_container_md_and_compose_yaml_name_the_file_they_run(rendered):
    dest, said, _ = rendered
    assert "`docker compose -f compose.yaml up --build`" in said
    assert "docker compose -f compose.yaml up --build" in (dest / "CONTAINER.md").read_text()
    assert "docker compose -f compose.yaml up --build" in (dest / "compose.yaml").read_text()


def test_the_apps_dockerignore_entries_are_kept_above_nonroots(rendered):
    dest, said, _ = rendered
    text = (dest / ".dockerignore").read_text()
    assert "kept your own entries at its top: *.db, *.sqlite3, instance/, __pycache__" in said
    own, ours = text.index("*.sqlite3"), text.index("# Secrets")
    assert own < ours  # nonroot's entries come last: where both name a path, they win
    assert text.count("\n.env\n") == 1  # an entry both have is not repeated


@pytest.mark.parametrize("implementation", ["compose", "compose-v1"])
def test_without_f_compose_would_run_or_merge_the_apps_own_file(rendered, implementation):
    """Why CONTAINER.md says -f: the same folder, as each Compose reads it by default."""
    dest, _, _ = rendered
    assert implementation in COMPOSE, f"{implementation} is not installed (see tests/test_service_files.py)"
    services = {}
    for files in ([], ["-f", "compose.yaml"]):
        listed = subprocess.run([*COMPOSE[implementation], *files, "config", "--services"], cwd=dest,
                                capture_output=True, text=True, timeout=120)
        services[bool(files)] = set(listed.stdout.split()) if listed.returncode == 0 else {"error: " + listed.stderr}
    assert services[True] == {APP}
    assert services[False] != {APP}  # web and db (1.x), or an error merging the override's web (v2)


# ---------------------------------------------------------------- on the engine
@pytest.fixture(scope="module")
def adopted(tmp_path_factory, python_base, engine):
    """flask-compose adopted as a user would: nonroot new . --defaults --overwrite, built and proven."""
    dest = _copy_app(tmp_path_factory.mktemp("own-engine") / APP)
    tag = "nr-own-files-inventory"
    result = run_nonroot("new", str(dest), "--defaults", "--overwrite",
                         *data_args({"base_image": python_base, "build_ca_cert": "corp-ca.pem", "service_name": tag}))
    yield dest, result
    subprocess.run(["docker", "image", "rm", "-f", f"{tag}:dev"], capture_output=True)


def _named_command(dest: Path) -> list[str]:
    """The compose files CONTAINER.md's run command names (`docker compose -f X up --build`)."""
    match = re.search(r"^docker compose((?: -f \S+)+) up --build", (dest / "CONTAINER.md").read_text(), re.MULTILINE)
    assert match, "CONTAINER.md names no docker compose command"
    return match.group(1).split()


@pytest.fixture(scope="module", params=["compose", "compose-v1"])
def served(request, adopted):
    """The command CONTAINER.md names, run by each Compose on the image nonroot built."""
    dest, result = adopted
    assert result.returncode == 0, result.stderr[-4000:]
    assert request.param in COMPOSE, f"{request.param} is not installed (see tests/test_service_files.py)"
    compose = [*COMPOSE[request.param], "-p", f"nr-own-files-{request.param}", *_named_command(dest)]
    port = free_port()
    env = {"HOST_PORT": str(port), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    try:
        up = subprocess.run([*compose, "up", "-d", "--no-build"], cwd=dest, env=env, capture_output=True, text=True,
                            timeout=300)
        assert up.returncode == 0, up.stderr
        container = subprocess.run([*compose, "ps", "-q"], cwd=dest, env=env, capture_output=True,
                                   text=True).stdout.split()
        yield container, port
    finally:
        subprocess.run([*compose, "down", "-v", "--timeout", "2"], cwd=dest, env=env, capture_output=True, timeout=120)


def _health(container: str) -> str:
    status, deadline = "", time.monotonic() + HEALTHY_WITHIN
    while time.monotonic() < deadline:
        status = subprocess.run(["docker", "inspect", "-f", "{{.State.Health.Status}}", container],
                                capture_output=True, text=True).stdout.strip()
        if status in ("healthy", "unhealthy"):
            break
        time.sleep(1)
    return status


@pytest.mark.engine
def test_the_named_command_runs_only_the_generated_service_healthy(served):
    containers, port = served
    assert len(containers) == 1  # not the app's web and db
    assert _health(containers[0]) == "healthy"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        body = response.read().decode()
    assert '"uid":10001' in body.replace(" ", ""), body


@pytest.mark.engine
def test_gunicorn_writes_its_control_socket_in_home_as_the_service_user(served):
    containers, _ = served
    assert _health(containers[0]) == "healthy"
    log = subprocess.run(["docker", "logs", containers[0]], capture_output=True, text=True)
    assert "Control socket listening at /home/app/.gunicorn/gunicorn.ctl" in log.stderr, log.stderr[-2000:]
    assert "Failed to start control socket" not in log.stderr and "Control server error" not in log.stderr
    owner = subprocess.run(["docker", "exec", containers[0], "stat", "-c", "%u %F", "/home/app/.gunicorn/gunicorn.ctl"],
                           capture_output=True, text=True)
    assert owner.stdout.split() == ["10001", "socket"], owner.stdout + owner.stderr
