"""`nonroot new DIR` in an existing repository: it says what it detected, never replaces a file
without --overwrite, and never reports "nothing was written" when something was."""
from __future__ import annotations

import pytest

from pathlib import Path

import yaml

from adoption import app_copy, app_file
from helpers import run_nonroot

NO_BUILD = ("--defaults", "-d", "verify=false")


def adopt_copy(tmp_path: Path, app: str) -> Path:
    return app_copy(app, tmp_path / app)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def answers(dest: Path) -> dict:
    return yaml.safe_load((dest / ".copier-answers.nonroot.yml").read_text())


def test_existing_container_files_are_named_and_nothing_is_written(tmp_path):
    dest = adopt_copy(tmp_path, "express-yarn-native")
    (dest / ".dockerignore").write_text("node_modules\n")
    before = tree(dest)
    result = run_nonroot("new", str(dest), *NO_BUILD)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert ".dockerignore" in last and "Dockerfile" in last and "--overwrite" in last
    assert "nothing was written" in last
    assert tree(dest) == before


def test_overwrite_replaces_the_container_files_and_leaves_the_code(tmp_path):
    dest = adopt_copy(tmp_path, "express-yarn-native")
    code = {name: data for name, data in tree(dest).items() if name != "Dockerfile"}
    result = run_nonroot("new", str(dest), *NO_BUILD, "--overwrite")
    assert result.returncode == 0, result.stderr
    assert "replaced Dockerfile" in result.stderr
    after = tree(dest)
    assert {name: after[name] for name in code} == code
    assert b"nonroot" in after["Dockerfile"]


def test_a_repository_without_container_files_needs_no_overwrite(tmp_path):
    dest = adopt_copy(tmp_path, "flask-root")
    result = run_nonroot("new", str(dest), *NO_BUILD)
    assert result.returncode == 0, result.stderr
    assert (dest / "Dockerfile").is_file() and (dest / "main.py").read_bytes() == app_file("flask-root", "main.py")


def test_what_was_detected_is_printed_with_its_source(tmp_path):
    dest = adopt_copy(tmp_path, "flask-root")
    result = run_nonroot("new", str(dest), *NO_BUILD)
    assert "nonroot: detected: python (requirements.txt)" in result.stderr
    assert "port 5000 (app.run(port=…) in main.py)" in result.stderr


def test_detected_answers_are_recorded(tmp_path):
    dest = adopt_copy(tmp_path, "flask-root")
    run_nonroot("new", str(dest), *NO_BUILD)
    recorded = answers(dest)
    assert (recorded["stack"], recorded["port"], recorded["sample_app"], recorded["service_name"]) == \
        ("python", 5000, False, "flask-root")


def test_a_given_answer_wins_over_detection(tmp_path):
    dest = adopt_copy(tmp_path, "flask-root")
    result = run_nonroot("new", str(dest), *NO_BUILD, "-d", "port=9000")
    assert result.returncode == 0, result.stderr
    assert answers(dest)["port"] == 9000


def test_an_invalid_answer_in_an_existing_repository_writes_nothing(tmp_path):
    dest = adopt_copy(tmp_path, "flask-root")
    before = tree(dest)
    result = run_nonroot("new", str(dest), *NO_BUILD, "-d", "uid=0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("nonroot: uid:")
    assert "nothing was written" in result.stderr
    assert tree(dest) == before


def test_a_service_changed_since_it_was_generated_is_pointed_to_copier_update(tmp_path):
    dest = adopt_copy(tmp_path, "flask-root")
    assert run_nonroot("new", str(dest), *NO_BUILD).returncode == 0
    (dest / "compose.yaml").write_text((dest / "compose.yaml").read_text() + "# ours\n")
    before = tree(dest)
    result = run_nonroot("new", str(dest), *NO_BUILD, "--overwrite")
    assert result.returncode == 2
    assert "copier update --trust --answers-file .copier-answers.nonroot.yml" in result.stderr
    assert tree(dest) == before


# ------------------------------------------------ nothing of the user's is lost
def test_go_code_without_go_mod_is_kept_and_the_refusal_says_what_to_add(tmp_path):
    dest = adopt_copy(tmp_path, "go-nomod")
    before = tree(dest)
    result = run_nonroot("new", str(dest), *NO_BUILD, "--overwrite")
    assert result.returncode == 2
    assert "go (the existing Dockerfile's FROM golang:1.18)" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "go mod init" in last and last.endswith("nothing was written")
    assert tree(dest) == before


def test_a_python_project_without_the_file_its_dependencies_install_from_is_refused_before_writing(tmp_path):
    # The shape of an older Flask service: setup.py's install_requires and a Pipfile, no
    # requirements.txt or pyproject.toml; the build would stop at COPY requirements.txt.
    dest = tmp_path / "inventory"
    dest.mkdir()
    (dest / "setup.py").write_text('from setuptools import setup\n\nsetup(name="inventory", packages=["inventory"], '
                                   'install_requires=["flask", "gunicorn"])\n')
    (dest / "Pipfile").write_text('[packages]\nflask = "*"\ngunicorn = "*"\n')
    (dest / "inventory").mkdir()
    (dest / "inventory" / "__init__.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    before = tree(dest)
    result = run_nonroot("new", str(dest), *NO_BUILD, "--overwrite", "-d", "command=[gunicorn, inventory:app]")
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("nonroot: python_deps: requirements installs the dependencies from requirements.txt, "
                           "and there is no requirements.txt here (this repository declares them in setup.py, "
                           "Pipfile, which nonroot does not install from)"), last
    assert last.endswith("nothing was written")
    assert tree(dest) == before


@pytest.mark.parametrize("deps, files", [("requirements", {"requirements.txt": "flask\n"}),
                                         ("pyproject", {"pyproject.toml": '[project]\nname = "x"\n'})])
def test_a_python_project_with_the_file_its_dependencies_install_from_is_not_refused(tmp_path, deps, files):
    from nonroot.stacks.python import python_deps_error

    for name, text in {"app.py": "import flask\n", **files}.items():
        (tmp_path / name).write_text(text)
    assert python_deps_error({"python_deps": deps, "sample_app": False}, str(tmp_path)) == ""
    assert python_deps_error({"python_deps": "uv", "sample_app": False}, str(tmp_path)).startswith(
        "python_deps: uv installs the dependencies from pyproject.toml and uv.lock, and there is no ")


def test_split_requirements_get_the_advice_to_compile_the_production_ones_into_one_file(tmp_path):
    from nonroot.stacks.python import python_deps_error

    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("django\n")
    (tmp_path / "requirements" / "production.txt").write_text("-r base.txt\ngunicorn\n")
    (tmp_path / "manage.py").write_text("import django\n")
    error = python_deps_error({"python_deps": "requirements", "sample_app": False}, str(tmp_path))
    assert "declares them in requirements/production.txt, requirements/base.txt" in error
    assert "(e.g. `pip-compile -o requirements.txt requirements/production.txt`)" in error


def test_overwrite_never_writes_a_sample_among_the_users_code(tmp_path):
    dest = adopt_copy(tmp_path, "go-nomod")
    before = tree(dest)
    result = run_nonroot("new", str(dest), *NO_BUILD, "--overwrite", "-d", "sample_app=true")
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "holds code (Dockerfile, main.go" in last and "nothing was written" in last
    assert tree(dest) == before


def _ruby_service(tmp_path: Path) -> Path:
    dest = tmp_path / "ledger"
    dest.mkdir()
    (dest / "server.rb").write_text("require 'webrick'\n")
    (dest / "Gemfile").write_text("source 'https://rubygems.org'\ngem 'webrick'\n")
    return dest


def test_code_nonroot_has_no_stack_for_is_not_given_the_default_stacks_image(tmp_path):
    dest = _ruby_service(tmp_path)
    result = run_nonroot("new", str(dest), *NO_BUILD, "-d", "command=ruby server.rb")
    assert result.returncode == 2
    assert "detected: no stack nonroot builds (found Gemfile, server.rb)" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("nonroot: stack: python installs a Python project's dependencies, and this repository "
                           "has no Python; answer stack (generic"), last
    assert set(tree(dest)) == {"server.rb", "Gemfile"}


def test_code_nonroot_has_no_stack_for_gets_the_container_files_only(tmp_path):
    dest = _ruby_service(tmp_path)
    result = run_nonroot("new", str(dest), *NO_BUILD, "-d", "stack=generic", "-d", "artifact=bin/ledger",
                         "-d", "command=[/app/ledger]")
    assert result.returncode == 0, result.stderr
    assert answers(dest)["sample_app"] is False
    written = set(tree(dest)) - {"server.rb", "Gemfile"}
    assert "Dockerfile" in written and not any(name.startswith("app/") for name in written)
    assert not written & {"requirements.txt", "pyproject.toml", "package.json", "main.go", "go.mod", "build.sh"}


def test_every_sample_file_counts_as_code(renders, tmp_path):
    """The guard above relies on it: a folder a sample file could collide with holds code."""
    from nonroot.catalog import STACKS
    from nonroot.scaffold.detect import CODE_NAMES, CODE_SUFFIXES

    for stack in STACKS:
        with_sample = set(tree(renders.shared(stack=stack, sample_app=True)))
        without = set(tree(renders.shared(stack=stack, sample_app=False, command=["/app/run"])))
        samples = with_sample - without
        assert samples, stack
        for name in samples:
            assert Path(name).name in CODE_NAMES or Path(name).suffix in CODE_SUFFIXES, (stack, name)


def test_a_given_env_adds_to_the_one_the_dockerfile_sets(tmp_path):
    dest = adopt_copy(tmp_path, "flask-root")
    (dest / "Dockerfile").write_text("FROM python:3.12\nENV FLASK_APP=main.py LOG_LEVEL=info\nCMD [\"python3\", \"main.py\"]\n")
    result = run_nonroot("new", str(dest), *NO_BUILD, "--overwrite", "-d", 'env={LOG_LEVEL: debug, DATABASE_URL: "sqlite:////data/x.db"}')
    assert result.returncode == 0, result.stderr
    assert answers(dest)["env"] == {"FLASK_APP": "main.py", "LOG_LEVEL": "debug", "DATABASE_URL": "sqlite:////data/x.db"}
