"""Detection of the repository's own files beside nonroot's (compose files, .dockerignore, CI
workflows, Procfile) and of the tools that write under HOME; one signal per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from nonroot.scaffold.detect import detect, read_own_files
from nonroot.scaffold.ownfiles import compose_refusal, own_entries
from adoption import app_copy
from test_detect import finding, write


def test_the_repositorys_own_files_are_found(tmp_path):
    write(tmp_path, {"docker-compose.yml": "services: {}\n", "docker-compose.override.yml": "services: {}\n",
                     ".dockerignore": "*.db\n", ".github/workflows/tests.yml": "on: push\n", "Procfile": "web: x\n"})
    assert read_own_files(tmp_path).names() == ["docker-compose.yml", "docker-compose.override.yml", ".dockerignore",
                                                ".github/workflows/tests.yml", "Procfile"]


def test_the_files_nonroot_writes_are_not_counted_as_the_repositorys_own(tmp_path):
    write(tmp_path, {"compose.yaml": "services: {}\n", ".github/workflows/container.yml": "on: push\n"})
    assert read_own_files(tmp_path).names() == []


@pytest.mark.parametrize(("files", "readers"), [
    (["docker-compose.yml"], ["docker-compose 1.x runs docker-compose.yml instead"]),
    (["docker-compose.yaml"], ["docker-compose 1.x runs docker-compose.yaml instead"]),
    (["compose.yml"], ["docker-compose 1.x runs compose.yml instead"]),
    (["compose.override.yaml"], ["both Compose merge compose.override.yaml into the file they run"]),
    (["docker-compose.yml", "docker-compose.override.yml"],
     ["docker-compose 1.x runs docker-compose.yml instead",
      "both Compose merge docker-compose.override.yml into the file they run"]),
    (["compose.yaml"], []),  # nonroot's own name: replaced with --overwrite, never beside it
])
def test_compose_says_which_file_each_implementation_would_run(tmp_path, files, readers):
    write(tmp_path, {name: "services: {}\n" for name in files})
    assert read_own_files(tmp_path).compose_readers() == readers


def test_a_compose_file_compose_would_run_instead_is_a_refusal(tmp_path):
    write(tmp_path, {"docker-compose.yml": "services: {}\n"})
    assert "docker-compose 1.x runs docker-compose.yml instead" in compose_refusal(tmp_path, read_own_files(tmp_path))


def test_no_other_compose_file_is_no_refusal(tmp_path):
    write(tmp_path, {"compose.yaml": "services: {}\n"})
    assert compose_refusal(tmp_path, read_own_files(tmp_path)) == ""


def test_the_dockerignore_entries_kept_are_those_nonroot_lacks(tmp_path):
    existing = "# local state\n*.db\n.env\n\ninstance/\n*.db\n"
    assert own_entries(existing, "# Secrets\n.env\n.git\n") == ["*.db", "instance/"]


# ------------------------------------------------------------------- HOME
@pytest.mark.parametrize(("files", "source"), [
    ({"requirements.txt": "flask\ngunicorn==27.0.1\n"}, "gunicorn keeps its control socket under HOME"),
    ({"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['gunicorn>=25']\n"},
     "gunicorn keeps its control socket under HOME"),
    ({"package.json": "{}", "yarn.lock": ""}, "yarn keeps its cache and settings under HOME"),
])
def test_a_writable_home_where_the_stacks_tools_write_under_it(tmp_path, files, source):
    found = finding(write(tmp_path, files), "home")
    assert (found.value, found.source) == (True, source)


@pytest.mark.parametrize("files", [{"requirements.txt": "flask\n"}, {"package.json": "{}", "package-lock.json": "{}"},
                                   {"go.mod": "module x\n\ngo 1.22\n"}])
def test_no_home_where_no_tool_writes_under_it(tmp_path, files):
    assert finding(write(tmp_path, files), "home") is None


def test_the_compose_test_app_is_detected(tmp_path):
    detection = detect(app_copy("flask-compose", tmp_path / "flask-compose"))
    answers = detection.answers(port=8000)
    assert {key: answers.get(key) for key in ("stack", "command", "port", "health_path", "home")} == {
        "stack": "python", "command": ["gunicorn", "-c", "gunicorn.conf.py", "inventory.wsgi:app"], "port": 8000,
        "health_path": "/health", "home": True}
    assert detection.own_files.compose == ("docker-compose.yml", "docker-compose.override.yml")
