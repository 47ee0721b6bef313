"""Adopting existing services with answers alone (issue 13's proof).

Each app in tests/apps is written in the shape of a real service (nobody's code copied),
adopted with answers alone and run under the generated compose.yaml (tests/adoption.py says
how): healthy, answering, and not as root.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from adoption import (  # noqa: F401 - the shared tests run here
    test_it_answers_on_its_port_as_a_non_root_user, test_its_compose_health_check_reports_healthy,
    test_the_service_is_adopted_built_and_proven_non_root)
from adoption import APPS, App, Running, adopt, remove, run_until_healthy
from gitrepos import as_repository, commit_all, git, template_repo
from helpers import run_copier, run_nonroot
from nonroot.scaffold.task import conflicted_files

pytestmark = pytest.mark.engine

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


@pytest.fixture(scope="module", params=ADOPTED, ids=lambda app: app.name)
def adopted(request, tmp_path_factory, engine):
    adoption = adopt(request.param, tmp_path_factory.mktemp("adopt") / request.param.name, request.getfixturevalue)
    yield adoption
    remove(adoption)


@pytest.fixture(scope="module")
def running(adopted) -> Running:
    return run_until_healthy(adopted)


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
