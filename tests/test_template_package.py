"""The extension imports a template version's nonroot package once per process, whatever clone
Copier renders from (extensions/nonroot_plan.py, template_package): Copier makes a fresh clone for
every render, three renders and up to five clones for one `copier update`. The same code is one
package, another version is another, and after the first clone is deleted the package still
works from the second: its modules imported on demand come from there, and what it read off
its folders at import (executable sample scripts, the stacks that detect) is still known."""
from __future__ import annotations

import os
import shutil
import sys
from importlib import import_module
from pathlib import Path

import pytest

from helpers import ROOT

sys.path.insert(0, str(ROOT / "extensions"))
from nonroot_plan import template_package  # noqa: E402


def _clone(tmp_path: Path, name: str, stamp: str) -> Path:
    """A copy of this template's package; STAMP makes its code this test's own (a digest no
    other test has imported)."""
    folder = tmp_path / name / "hooks" / "nonroot"
    shutil.copytree(ROOT / "hooks" / "nonroot", folder, ignore=shutil.ignore_patterns("__pycache__"))
    with (folder / "__init__.py").open("a") as init:
        init.write(f"# {stamp}\n")
    return folder


def test_the_same_code_in_two_clones_is_one_package(tmp_path):
    first, second = _clone(tmp_path, "a", tmp_path.name), _clone(tmp_path, "b", tmp_path.name)
    assert template_package(first) == template_package(second)


@pytest.mark.parametrize("change", ["code", "mode"])
def test_another_version_is_another_package(tmp_path, change):
    first, second = _clone(tmp_path, "a", tmp_path.name), _clone(tmp_path, "b", tmp_path.name)
    if change == "code":
        with (second / "plan.py").open("a") as plan:
            plan.write("# the next version\n")
    else:  # a sample script made executable is rendered executable: another version
        sample = second / "stacks" / "python" / "sample" / "requirements.txt.jinja"
        sample.chmod(sample.stat().st_mode | 0o111)
    assert template_package(first) != template_package(second)


def test_after_the_first_clone_is_deleted_the_package_renders_and_detects_from_the_second(tmp_path):
    first, second = _clone(tmp_path, "a", tmp_path.name), _clone(tmp_path, "b", tmp_path.name)
    name = template_package(first)
    plan = import_module(f"{name}.plan")  # the rows, read off the first clone's folders
    shutil.rmtree(tmp_path / "a")
    assert template_package(second) == name
    sample = plan.build_plan({"stack": "generic", "sample_app": True})
    assert [f.source for f in sample.sample_scripts] == ["hooks/nonroot/stacks/generic/sample/build.sh.jinja"]
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text("flask==3.0.3\n")
    (app / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    detect = import_module(f"{name}.scaffold.detect")  # first imported now, from the second clone
    assert Path(detect.__file__).is_relative_to(tmp_path / "b") and os.path.exists(detect.__file__)
    assert detect.detect(app).answers(port=8080)["stack"] == "python"
