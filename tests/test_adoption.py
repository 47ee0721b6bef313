"""Adopting existing services with answers alone (issue 13's proof).

Each app in tests/apps is written in the shape of a real service (nobody's code copied),
adopted with answers alone and run under the generated compose.yaml (tests/adoption.py says
how): healthy, answering, and not as root.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adoption import *  # noqa: F401,F403 - the behaviours every adopted app shows run here
from adoption import App, app_copy, fixtures
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
]


adopted, running = fixtures(ADOPTED)


# ------------------------------------------------------------------- updates
def test_an_adopted_service_updates_without_conflicts(tmp_path):
    """Every app-specific line is an answer, so a template release that changes the lines
    around COPY, CMD and the health check merges cleanly into an adopted service."""
    template = template_repo(tmp_path / "template", "v1")
    dest = app_copy("flask-root", tmp_path / "flask-root")
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
    HEALTHCHECK line (wherever the template keeps them: Dockerfile.jinja, its includes, the
    stacks' and families' macros)."""
    markers = []
    for path in [template / "template" / "Dockerfile.jinja", *sorted((template / "includes").rglob("*.jinja")),
                 *sorted((template / "hooks" / "nonroot").rglob("macros.jinja"))]:
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
