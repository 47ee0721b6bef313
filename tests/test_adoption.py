"""Adopting existing services with answers alone (issue 13's proof).

Each app in tests/apps is written in the shape of a real service (nobody's code copied). It
is copied into a fresh git repository and adopted with `nonroot new . --defaults` plus only
what detection cannot know: the offline stand-ins for the base images (no registry here), the
CA bundle of this machine's TLS-intercepting proxy (`build_ca_cert`, so the real dependencies
are downloaded from PyPI and npm during `docker build`), and app settings read from the
environment. No generated file is edited. Then the generated compose.yaml runs the image
nonroot built (`docker-compose up --no-build`): healthy, answering, and not as root.
"""
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

import pytest
import yaml

from gitrepos import as_repository, commit_all, git, template_repo
from helpers import run_copier, run_nonroot
from nonroot.scaffold.task import conflicted_files

pytestmark = pytest.mark.engine

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
    build_command: object = ""      # the build step detection must find (issue 22), "" for none
    built: tuple[str, ...] = ()     # files of /app the build step makes (none in the repository)


PYTHON = {"base_image": "python_base"}
NODE = {"base_image": "node_image"}
ADOPTED = [
    App("flask-root", PYTHON),
    App("fastapi-package", PYTHON),
    App("django-site", PYTHON, {"env": {"DJANGO_ALLOWED_HOSTS": "*"}}),
    App("pyproject-script", PYTHON),
    App("express-nolock", NODE),
    # bcrypt compiles here: its prebuilt binaries are on GitHub, which this machine cannot reach;
    # node-gyp takes the headers from Debian's libnode-dev (nodejs.org is not reachable either).
    App("express-yarn-native", NODE, {"build_packages": ["python3", "make", "g++", "libnode-dev"]},
        {".npmrc": "nodedir=/usr\n"}),
    App("express-pnpm", NODE),
    App("flask-poetry", PYTHON),
    App("go-templates", {"builder_image": "go_toolchain", "base_image": "python_base"}),
    App("port80", PYTHON),
    # Services that build before they start (issue 22): TypeScript compiled by tsc with yarn
    # classic and with npm, NestJS with pnpm, Django's collectstatic (WhiteNoise's manifest).
    App("ts-yarn", NODE, build_command=["yarn", "run", "build"], built=("dist/index.js", "dist/store.js")),
    App("ts-npm", NODE, build_command=["npm", "run", "build"], built=("build/server.js", "build/delivery.js")),
    App("nest-pnpm", NODE, build_command=["pnpm", "run", "build"], built=("dist/main.js", "dist/app.module.js")),
    App("django-static", PYTHON, {"env": {"DJANGO_ALLOWED_HOSTS": "*"}},
        build_command=["python3", "manage.py", "collectstatic", "--noinput"],
        built=("staticfiles/staticfiles.json", "staticfiles/recipes/css/site.css")),
]


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


@pytest.fixture(scope="module", params=ADOPTED, ids=lambda app: app.name)
def adopted(request, tmp_path_factory, engine):
    app: App = request.param
    dest = tmp_path_factory.mktemp("adopt") / app.name
    shutil.copytree(APPS / app.name, dest)
    shutil.copy(HOST_CA_BUNDLE, dest / "corp-ca.pem")
    for name, text in app.extra_files.items():
        (dest / name).write_text(text)
    as_repository(dest)
    images = {question: request.getfixturevalue(fixture) for question, fixture in app.images.items()}
    answers = {**images, "build_ca_cert": "corp-ca.pem", **app.answers}
    result = run_nonroot("new", str(dest), "--defaults", "--overwrite", *data_args(answers))
    recorded = yaml.safe_load((dest / ".copier-answers.nonroot.yml").read_text())
    adoption = Adopted(app, dest, result, recorded)
    yield adoption
    subprocess.run([COMPOSE, "down", "-v", "--remove-orphans"], cwd=dest, capture_output=True)
    subprocess.run(["docker", "image", "rm", "-f", adoption.tag], capture_output=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    status: str
    host_port: int
    log: str


@pytest.fixture(scope="module")
def running(adopted) -> Running:
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
    manifest = APPS / adopted.app.name / "package.json"
    package = json.loads(manifest.read_text()) if manifest.is_file() else {}
    installed = set()
    for name in image_files:
        parts = name.split("/")
        if name.startswith("app/node_modules/") and len(parts) > 2 and not parts[2].startswith("."):
            installed.add("/".join(parts[2:4]) if parts[2].startswith("@") and len(parts) > 3 else parts[2])
    assert set(package.get("dependencies", {})) <= installed, installed
    assert installed & set(package.get("devDependencies", {})) == set()


# ------------------------------------------------------------------- updates
def test_an_adopted_service_updates_without_conflicts(tmp_path):
    """Every app-specific line is an answer, so a template release that changes the lines
    around COPY, CMD and the health check merges cleanly into an adopted service."""
    template = template_repo(tmp_path / "template", "v1")
    dest = tmp_path / "flask-root"
    shutil.copytree(APPS / "flask-root", dest)
    as_repository(dest)
    adopted = run_nonroot("new", str(dest), "--defaults", "--template", str(template), "--vcs-ref", "v1",
                          "-d", "verify=false")
    assert adopted.returncode == 0, adopted.stderr
    commit_all(dest, "adopted by nonroot")
    before = yaml.safe_load((dest / ".copier-answers.nonroot.yml").read_text())
    changed = release_touching_copy_cmd_and_health(template, "v2")
    result = run_copier("update", "--skip-answered", "--defaults", "--trust", "--answers-file",
                        ".copier-answers.nonroot.yml", "--vcs-ref", "v2", cwd=dest)
    assert result.returncode == 0, result.stderr[-3000:]
    assert conflicted_files(dest) == []
    dockerfile = (dest / "Dockerfile").read_text()
    assert all(marker in dockerfile for marker in changed), changed
    after = yaml.safe_load((dest / ".copier-answers.nonroot.yml").read_text())
    assert without_commit(after) == without_commit(before)
    assert git(dest, "status", "--porcelain", "--", ":!Dockerfile", ":!.copier-answers.nonroot.yml").strip() == ""


def without_commit(answers: dict) -> dict:
    return {key: value for key, value in answers.items() if key != "_commit"}


def release_touching_copy_cmd_and_health(template: Path, tag: str) -> list[str]:
    """A template release whose Dockerfile changes a comment right above every COPY, CMD and
    HEALTHCHECK line (wherever the template keeps them: Dockerfile.jinja or its includes)."""
    markers = []
    for path in [template / "template" / "Dockerfile.jinja", *sorted((template / "includes").rglob("*.jinja"))]:
        lines = path.read_text().splitlines(keepends=True)
        out = []
        for index, line in enumerate(lines):
            word = line.lstrip().split(" ", 1)[0]
            continued = index > 0 and lines[index - 1].rstrip().endswith("\\")
            if word in ("COPY", "CMD", "HEALTHCHECK") and not continued:
                marker = f"# {tag}: {word} reviewed"
                markers.append(marker)
                out.append(line[: len(line) - len(line.lstrip())] + marker + "\n")
            out.append(line)
        path.write_text("".join(out))
    commit_all(template, tag, tag)
    return sorted(set(markers))
