"""Proof by doing it: a new stack and a new family are one folder each (tests/toys/, copied
into a copy of the template as the README's "Adding a family or a stack" says, nothing else
edited). The plan, the questions, the detector and the support table find them by discovery,
and their rows are rendered, linted and checked by the same checks as the real ones."""
from __future__ import annotations

import json
import shutil
import sys
from importlib import import_module
from pathlib import Path

import pytest
from copier import run_copy

from rendering import Renders
from service_files import lint_service_files
from support_table import support_table
from test_rendered_files import _linted_answers, _run_linter

TOYS = Path(__file__).parent / "toys"


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Renders:
    """A copy of this template with the toy family and the toy stack added, one folder each."""
    renders = Renders(tmp_path_factory.mktemp("toy") / "rendering")
    package = renders.template / "hooks" / "nonroot"
    shutil.copytree(TOYS / "family" / "toy", package / "families" / "toy")
    shutil.copytree(TOYS / "stack" / "toy", package / "stacks" / "toy")
    return renders


@pytest.fixture(scope="module")
def toy_package(toy):
    """The copy's nonroot package, imported as Copier's extension imports it."""
    sys.path.insert(0, str(toy.template / "extensions"))
    try:
        extension = import_module("nonroot_plan")
        name = extension.template_package(toy.template / "hooks" / "nonroot")
    finally:
        sys.path.remove(str(toy.template / "extensions"))
        sys.modules.pop("nonroot_plan", None)
    return lambda module: import_module(f"{name}.{module}")


@pytest.fixture(scope="module")
def toy_rows(toy_package) -> list[dict]:
    """The support table's rows that the toy folders add."""
    return [row for row in support_table(toy_package("catalog")) if "toy" in (row.get("stack"), row.get("distro"))]


def test_the_toys_are_found_by_discovery(toy_package):
    catalog = toy_package("catalog")
    assert "toy" in catalog.FAMILIES and "toy" in catalog.STACKS
    assert "toy" in catalog.STACKS["go"].families  # a stack of every family runs on it
    assert "toy" in catalog.STACKS["python"].families  # its row adds the python image it has
    assert "toy" not in catalog.STACKS["node"].families


def test_the_toy_folders_define_exactly_the_macros_their_rows_declare(toy, toy_package):
    from test_plan import _macros_of

    catalog = toy_package("catalog")
    assert _macros_of(toy.template, catalog.macros_path("families", "toy")) == catalog.family_macros(
        catalog.FAMILIES["toy"])
    assert _macros_of(toy.template, catalog.macros_path("stacks", "toy")) == catalog.stack_macros(
        catalog.STACKS["toy"])


def test_the_toys_get_support_table_rows(toy_rows):
    families = {row["distro"] for row in toy_rows if row.get("stack") == "toy"}
    assert families == {"debian", "ubuntu", "alpine", "rhel", "distroless", "scratch", "toy"}
    python_on_toy = [row for row in toy_rows if "stack" not in row and row["distro"] == "toy"]
    assert {row["layout"] for row in python_on_toy} == {"single", "multi"}
    assert {row.get("drop_tool") for row in python_on_toy} == {None, "setpriv"}


def test_every_toy_row_renders_lint_clean(toy, toy_rows):
    """The support table's checks, on the toys' rows: hadolint and shellcheck (every level),
    and the files around the Dockerfile."""
    folders = [toy.shared(**_linted_answers(row)) for row in toy_rows]
    assert [lint_service_files(folder) for folder in folders] == [[] for _ in folders]
    dockerfiles = [folder / "Dockerfile" for folder in folders]
    assert json.loads(_run_linter(["hadolint", "--format", "json"], dockerfiles)) == []
    scripts = [path for folder in folders for path in folder.glob("*.sh")]
    assert json.loads(_run_linter(["shellcheck", "--shell=sh", "--format=json1"], scripts))["comments"] == []


def test_the_toy_stack_renders_its_folder_on_the_toy_family(toy):
    dest = toy.shared(stack="toy", distro="toy", uid=12000)
    dockerfile = (dest / "Dockerfile").read_text()
    assert "FROM debian:13-slim AS builder\n" in dockerfile and "FROM registry.example.com/toy/base:1\n" in dockerfile
    assert "useradd -r -l -u 12000" in dockerfile and "USER 12000:12000" in dockerfile
    assert 'CMD ["/app/serve"]' in dockerfile
    assert (dest / "serve.sh").stat().st_mode & 0o111, "the sample's script keeps its mode"


def test_a_family_the_toy_does_not_fit_is_a_choice_refused_with_its_reason(toy, tmp_path):
    with pytest.raises(ValueError, match="the toy stack assembles in a builder stage; use multi"):
        run_copy(str(toy.template), str(tmp_path / "svc"), data={"verify": False, "stack": "toy", "layout": "single"},
                 defaults=True, unsafe=True, quiet=True)
    with pytest.raises(ValueError, match="su-exec is not packaged for Toy"):
        run_copy(str(toy.template), str(tmp_path / "svc"), data={
            "verify": False, "distro": "toy", "privilege": "drop", "drop_tool": "su-exec"}, defaults=True,
            unsafe=True, quiet=True)
    assert not (tmp_path / "svc").exists()


def test_the_toy_stack_is_detected_by_its_marker(toy_package, tmp_path):
    (tmp_path / "toy.toml").write_text("[toy]\n")
    answers = toy_package("scaffold.detect").detect(tmp_path).answers(port=8080)
    assert (answers["stack"], answers["command"]) == ("toy", ["/app/serve"])
