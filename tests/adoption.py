"""Adopting an app of tests/apps as a user would, and running what nonroot generated: shared by
the adoption modules (each a module of its own, so that xdist runs them side by side).

An app (tests/apps/NAME.txtar: one text archive an app, tests/txtar.py) is extracted into a
fresh git repository and adopted with `nonroot new . --defaults --overwrite` plus only what
detection cannot know: the offline stand-ins for the base images (no registry here), the CA
bundle of this machine's TLS-intercepting proxy (`build_ca_cert`, so the real dependencies are
downloaded from PyPI and npm during `docker build`), and what the app itself needs. No
generated file is edited. Then the generated compose.yaml runs the image nonroot built
(`docker-compose up --no-build`) until it is healthy, or not."""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
import yaml

import txtar
from gitrepos import as_repository
from test_service_files import COMPOSE
from helpers import run_nonroot

APPS = Path(__file__).parent / "apps"  # NAME.txtar, each app in one text archive (tests/txtar.py)
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Each adoption module runs its apps under one Compose implementation (COMPOSE, a key of
# test_service_files.COMPOSE), so that both run adopted apps: Debian's docker-compose 1.29
# ("compose-v1") and today's ("compose", the v2+ binary).
RUN_FILE = ["-f", "compose.yaml"]  # as CONTAINER.md runs it: no other compose file of the app, no override
HEALTHY_WITHIN = 120.0


def app_copy(name: str, dest: Path) -> Path:
    """The test app NAME (tests/apps/NAME.txtar) extracted into DEST, which is returned."""
    return txtar.extract(APPS / f"{name}.txtar", dest)


def app_file(name: str, path: str) -> bytes | None:
    """The file PATH of the test app NAME as stored, or None where the app has none."""
    return txtar.read(APPS / f"{name}.txtar").get(path)


@dataclass(frozen=True)
class App:
    name: str
    images: dict[str, str]          # question -> fixture name of the offline stand-in
    answers: dict[str, object] = field(default_factory=dict)  # what detection cannot know
    extra_files: dict[str, str] = field(default_factory=dict)  # this machine's settings, not the app's
    build_command: object = ""      # the build step detection must find (issue 22), "" for none
    built: tuple[str, ...] = ()     # files of /app the build step makes (none in the repository)


@dataclass
class Adopted:
    app: App
    dest: Path
    result: subprocess.CompletedProcess
    answers: dict

    @property
    def tag(self) -> str:
        return f"{self.answers['service_name']}:dev"


def data_args(answers: dict[str, object]) -> list[str]:
    args: list[str] = []
    for key, value in answers.items():
        args += ["-d", f"{key}={value if isinstance(value, (str, int)) else json.dumps(value)}"]
    return args


def adopt(app: App, dest: Path, image: Callable[[str], str],
          prepare: Callable[[Path], None] | None = None) -> Adopted:
    """APP copied to DEST as a git repository and adopted (built and verified by the task);
    IMAGE turns a fixture name into the offline image it provides; PREPARE, what the user
    does first (as an earlier refusal advised)."""
    app_copy(app.name, dest)
    shutil.copy(HOST_CA_BUNDLE, dest / "corp-ca.pem")
    for name, text in app.extra_files.items():
        (dest / name).write_text(text)
    if prepare is not None:
        prepare(dest)
    as_repository(dest)
    images = {question: image(fixture) for question, fixture in app.images.items()}
    answers = {**images, "build_ca_cert": "corp-ca.pem", **app.answers}
    result = run_nonroot("new", str(dest), "--defaults", "--overwrite", *data_args(answers))
    answers_file = dest / ".copier-answers.nonroot.yml"
    recorded = yaml.safe_load(answers_file.read_text()) if answers_file.is_file() else {}
    return Adopted(app, dest, result, recorded)


def remove(adopted: Adopted, implementation: str = "compose-v1") -> None:
    subprocess.run([*COMPOSE[implementation], *RUN_FILE, "down", "-v", "--remove-orphans"], cwd=adopted.dest,
                   capture_output=True)
    if adopted.answers:
        subprocess.run(["docker", "image", "rm", "-f", adopted.tag], capture_output=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    status: str
    host_port: int
    log: str
    container: str = ""


def run_until_healthy(adopted: Adopted, implementation: str = "compose-v1") -> Running:
    """The generated compose.yaml, run on the image nonroot built by IMPLEMENTATION (a key of
    COMPOSE), until healthy (or not)."""
    assert adopted.result.returncode == 0, adopted.result.stderr[-4000:]
    assert implementation in COMPOSE, f"{implementation} is not installed (see tests/test_service_files.py)"
    host_port = free_port()
    env = {"HOST_PORT": str(host_port), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    up = subprocess.run([*COMPOSE[implementation], *RUN_FILE, "up", "-d", "--no-build"], cwd=adopted.dest, env=env,
                        capture_output=True, text=True, timeout=300)
    assert up.returncode == 0, up.stderr
    container = subprocess.run([*COMPOSE[implementation], *RUN_FILE, "ps", "-q"], cwd=adopted.dest, env=env, capture_output=True,
                               text=True).stdout.split()[0]
    status, deadline = "", time.monotonic() + HEALTHY_WITHIN
    while time.monotonic() < deadline:
        status = subprocess.run(["docker", "inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}"
                                 "{{else}}no health check{{end}}", container],
                                capture_output=True, text=True).stdout.strip()
        if status in ("healthy", "unhealthy", "no health check"):
            break
        time.sleep(1)
    log = subprocess.run(["docker", "logs", "--tail", "40", container], capture_output=True, text=True)
    return Running(status, host_port, log.stdout + log.stderr, container)


def fixtures(apps: list[App], implementation: str = "compose-v1",
             prepare: Callable[..., None] | None = None):
    """An adoption module's `adopted` (one app a time, module-scoped) and `running` fixtures:
    APPS adopted, then run under IMPLEMENTATION; PREPARE(request, app, dest), what the user
    does first for an app (as an earlier refusal advised)."""
    @pytest.fixture(scope="module", params=apps, ids=lambda app: app.name)
    def adopted(request, tmp_path_factory, engine):
        app: App = request.param
        before = (lambda dest: prepare(request, app, dest)) if prepare else None
        adoption = adopt(app, tmp_path_factory.mktemp("adopt") / app.name, request.getfixturevalue, before)
        yield adoption
        remove(adoption, implementation)

    @pytest.fixture(scope="module")
    def running(adopted) -> Running:
        return run_until_healthy(adopted, implementation)

    return adopted, running


# The behaviours every adopted app shows, imported by each adoption module (pytest collects
# them there, with that module's `adopted` and `running` fixtures).
def test_the_service_is_adopted_built_and_proven_non_root(adopted):
    assert adopted.result.returncode == 0, adopted.result.stderr[-4000:]
    assert adopted.answers["sample_app"] is False


def test_its_compose_health_check_reports_healthy(running):
    assert running.status == "healthy", running.log


def test_it_answers_on_its_port_as_a_non_root_user(running):
    with urllib.request.urlopen(f"http://127.0.0.1:{running.host_port}/", timeout=10) as response:
        body = response.read().decode()
    uid = re.search(r"uid\D{1,8}(\d+)", body, re.IGNORECASE)
    assert uid, body
    assert int(uid.group(1)) != 0


def test_home_is_the_users_own_where_its_tools_write_under_it(adopted, running):
    """gunicorn (its control socket) and yarn write under HOME: detection answers home for
    them, and under the read-only compose file HOME is the service user's own; elsewhere HOME
    is /nonexistent, as the image says."""
    uses = adopted.answers.get("home") is True
    probe = subprocess.run(["docker", "exec", running.container, "sh", "-c",
                            'mkdir -p "$HOME/.cache/probe" && stat -c %u "$HOME/.cache/probe" && id -u && echo "$HOME"'],
                           capture_output=True, text=True)
    if uses:
        assert probe.returncode == 0, probe.stderr
        owner, uid, home = probe.stdout.split()
        assert owner == uid != "0" and home.startswith("/home/"), probe.stdout
    else:
        assert probe.returncode != 0 and "/nonexistent" in probe.stderr, probe.stdout + probe.stderr


@pytest.fixture(scope="module")
def image_files(adopted) -> dict[str, str]:
    """Every path of the image (a symlink's without its target) and its owner "uid/gid", read
    from the image's exported filesystem: works for shell-less images too."""
    assert adopted.result.returncode == 0, adopted.result.stderr[-4000:]
    created = subprocess.run(["docker", "create", adopted.tag], capture_output=True, text=True, check=True)
    container = created.stdout.strip()
    try:
        export = subprocess.Popen(["docker", "export", container], stdout=subprocess.PIPE)
        listing = subprocess.run(["tar", "-tv", "--numeric-owner"], stdin=export.stdout, capture_output=True,
                                 text=True).stdout
        export.wait()
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True)
    files = {}
    for line in listing.splitlines():
        _mode, owner, _size, _day, _time, name = line.split(None, 5)
        files[name.split(" -> ")[0].split(" link to ")[0].rstrip("/")] = owner
    return files


def test_the_build_ca_bundle_stays_out_of_the_runtime_image(image_files):
    assert "usr" in image_files  # the listing worked
    assert not [name for name in image_files if name.endswith("corp-ca.pem")]


# ----------------------------------------------------- build steps (issue 22)
def test_the_build_step_is_the_one_the_app_needs(adopted):
    """Detected from the app's own files (scripts.build, STATIC_ROOT), and none where it has none."""
    assert adopted.answers.get("build_command", "") == adopted.app.build_command


def test_the_code_and_the_builds_outputs_belong_to_root(adopted, image_files):
    app_files = {name: owner for name, owner in image_files.items() if name.startswith("app/")}
    missing = [path for path in adopted.app.built if f"app/{path}" not in app_files]
    assert app_files and not missing, missing
    assert sorted(name for name, owner in app_files.items() if owner != "0/0") == []


def test_only_the_production_dependencies_reach_the_image(adopted, image_files):
    """Every dependency of package.json is in /app/node_modules and no devDependency (the
    build's tsc and @types stay in the builder); a Python app's image has no node_modules."""
    manifest = app_file(adopted.app.name, "package.json")
    package = json.loads(manifest) if manifest is not None else {}
    installed = set()
    for name in image_files:
        parts = name.split("/")
        if name.startswith("app/node_modules/") and len(parts) > 2 and not parts[2].startswith("."):
            installed.add("/".join(parts[2:4]) if parts[2].startswith("@") and len(parts) > 3 else parts[2])
    assert set(package.get("dependencies", {})) <= installed, installed
    assert installed & set(package.get("devDependencies", {})) == set()
