"""Adopting an app of tests/apps as a user would, and running what nonroot generated: shared by
the adoption modules (each a module of its own, so that xdist runs them side by side).

An app is copied into a fresh git repository and adopted with `nonroot new . --defaults
--overwrite` plus only what detection cannot know: the offline stand-ins for the base images
(no registry here), the CA bundle of this machine's TLS-intercepting proxy (`build_ca_cert`, so
the real dependencies are downloaded from PyPI and npm during `docker build`), and what the app
itself needs. No generated file is edited. Then the generated compose.yaml runs the image
nonroot built (`docker-compose up --no-build`) until it is healthy, or not."""
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

import yaml

from gitrepos import as_repository
from helpers import run_nonroot

APPS = Path(__file__).parent / "apps"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
COMPOSE = "/usr/bin/docker-compose"  # Debian's docker-compose, as scripts/test.sh installs it
HEALTHY_WITHIN = 120.0


@dataclass(frozen=True)
class App:
    name: str
    images: dict[str, str]          # question -> fixture name of the offline stand-in
    answers: dict[str, object] = field(default_factory=dict)  # what detection cannot know
    extra_files: dict[str, str] = field(default_factory=dict)  # this machine's settings, not the app's


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
    shutil.copytree(APPS / app.name, dest)
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


def remove(adopted: Adopted) -> None:
    subprocess.run([COMPOSE, "down", "-v", "--remove-orphans"], cwd=adopted.dest, capture_output=True)
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


def run_until_healthy(adopted: Adopted) -> Running:
    """The generated compose.yaml, run on the image nonroot built, until healthy (or not)."""
    assert adopted.result.returncode == 0, adopted.result.stderr[-4000:]
    host_port = free_port()
    env = {"HOST_PORT": str(host_port), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    up = subprocess.run([COMPOSE, "up", "-d", "--no-build"], cwd=adopted.dest, env=env, capture_output=True,
                        text=True, timeout=300)
    assert up.returncode == 0, up.stderr
    container = subprocess.run([COMPOSE, "ps", "-q"], cwd=adopted.dest, env=env, capture_output=True,
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
    return Running(status, host_port, log.stdout + log.stderr)


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
