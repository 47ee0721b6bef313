"""Shared fixtures: the real Docker engine, offline base images (built once per
session), and helpers that generate services from this template checkout."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import images  # noqa: E402  (tests/images.py)
from helpers import ROOT, skip_here_fail_in_ci  # noqa: E402


@pytest.fixture(scope="session")
def engine():
    """A client for the real engine. Locally, no engine skips; in CI it fails the test."""
    from nonroot.engine import connect
    from nonroot.errors import EngineUnavailable

    try:
        return connect()
    except EngineUnavailable as error:
        skip_here_fail_in_ci(f"needs a Docker engine (.ci/run starts one): {error}")


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


@pytest.fixture
def generate(tmp_path):
    """Render this template into a fresh folder with the given answers (tasks not run)."""
    from copier import run_copy

    counter = iter(range(1000))

    def _generate(**answers) -> Path:
        dest = tmp_path / f"svc{next(counter)}"
        data = {"verify": False, **answers}
        run_copy(str(ROOT), str(dest), data=data, defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
        return dest

    return _generate
