"""Shared fixtures: the real Docker engine, offline base images (built once per
session), and helpers that generate services from this template checkout."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import images  # noqa: E402  (tests/images.py)
from helpers import remove_images, session_folder, skip_here_fail_in_ci  # noqa: E402
from rendering import Renders  # noqa: E402


@pytest.fixture(scope="session")
def engine():
    """A client for the real engine. Locally, no engine skips; in CI it fails the test."""
    from nonroot.engine import connect
    from nonroot.errors import EngineUnavailable

    try:
        return connect()
    except EngineUnavailable as error:
        skip_here_fail_in_ci(f"needs a Docker engine (.ci/run starts one): {error}")


@pytest.fixture
def built_tags(engine):
    """Append the tags a test builds (before building them): they are removed after the test,
    whether it passed, failed or never got to the build."""
    tags: list[str] = []
    yield tags
    remove_images(engine, *tags)


@pytest.fixture(scope="session")
def python_base(engine) -> str:
    """Offline Debian bookworm image with python3 and venv, standing in for python:*-slim."""
    return images.ensure(images.PYTHON)


@pytest.fixture(scope="session")
def go_toolchain(engine) -> str:
    """Offline Debian bookworm with golang-go (Go 1.19), standing in for golang:*."""
    return images.ensure(images.GO)


@pytest.fixture(scope="session")
def node_image(engine) -> str:
    """Offline Debian bookworm with nodejs, npm and the user node 1000, standing in for node:*."""
    return images.ensure_derived(images.NODE_LIKE)


@pytest.fixture(scope="session")
def static_distroless(engine) -> str:
    """Only distroless static's account files (nonroot 65532), no shell: for static binaries."""
    return images.ensure_derived(images.STATIC_LIKE)


@pytest.fixture(scope="session")
def node_distroless(engine) -> str:
    """node at /nodejs/bin/node and nonroot 65532, no shell: distroless nodejs's layout."""
    return images.ensure_derived(images.NODE_DISTROLESS_LIKE)


@pytest.fixture(scope="session")
def renders(tmp_path_factory) -> Renders:
    """This checkout's template, copied once per session, and its renders cached by answers;
    under pytest-xdist, in the folder the workers share (their base temps' parent)."""
    return Renders(session_folder(tmp_path_factory) / "rendering")


class Generate:
    """`generate(**answers)`: a service rendered with these answers (tasks not run, verify off
    unless given) in a fresh folder of the test's own; `generate.anew(**answers)` renders it again
    instead of copying the session's render (for tests about rendering itself)."""

    def __init__(self, renders: Renders, tmp_path: Path) -> None:
        self._renders, self._tmp_path, self._count = renders, tmp_path, 0

    def _dest(self) -> Path:
        self._count += 1
        return self._tmp_path / f"svc{self._count - 1}"

    def __call__(self, **answers) -> Path:
        return self._renders.copy(self._dest(), **answers)

    def anew(self, **answers) -> Path:
        return self._renders.render_new(self._dest(), **answers)


@pytest.fixture
def generate(renders, tmp_path) -> Generate:
    """Render this template into a fresh folder with the given answers (tasks not run)."""
    return Generate(renders, tmp_path)


def pytest_xdist_auto_num_workers(config) -> int:
    """How many workers `-n auto` (pyproject's addopts) starts: one per core for the fast tier
    (`-m "not engine"`), whose time is all CPU; one more when engine tests run, since most of
    their time is waiting on the engine."""
    cores = os.cpu_count() or 1
    return cores if "not engine" in (config.getoption("markexpr") or "") else cores + 1


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items) -> None:
    """Every test that uses the engine (directly or through a fixture such as python_base) is
    an `engine` test, so `pytest -m "not engine"` never reaches for one. Tests that reach the
    engine only through a subprocess carry the mark themselves."""
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)
    # pytest-xdist (--dist loadfile --no-loadscope-reorder) hands modules to workers in
    # collection order: the longest start first, so no worker is left with one at the end; the
    # first corpus module builds and verifies the corpus while the other workers run modules
    # that do not need it. (Without --no-loadscope-reorder, xdist orders modules by their
    # number of tests, and the adoption and first-run modules, few tests but minutes each,
    # came last.)
    order = {module: rank for rank, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: order.get(item.nodeid.split("::", 1)[0], len(order)))


# The modules that take longest, longest first (measured with --durations=0: the whole suite,
# then the fast tier's own, which keeps this order among the modules it runs).
LONGEST_FIRST = ("tests/corpus/test_corpus_verdicts.py", "tests/test_adoption.py", "tests/test_service_files.py",
                 "tests/test_rendered_files.py", "tests/test_k8s_validators.py", "tests/test_compose_dev.py",
                 "tests/test_own_files.py", "tests/test_fleet.py", "tests/test_failure_paths.py", "tests/test_families.py",
                 "tests/test_first_run.py", "tests/corpus/test_podman.py", "tests/test_renovate.py",
                 "tests/test_stacks.py", "tests/test_hostile_answers.py", "tests/test_new_existing_repo.py",
                 "tests/test_adoption_answers.py", "tests/test_messages.py")

