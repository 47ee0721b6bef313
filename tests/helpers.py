"""Helpers for the tests: run the command lines as a user does."""
from __future__ import annotations

import fcntl
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]


def run_copier(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The copier command line, as a user runs it (with this interpreter's copier)."""
    return subprocess.run([sys.executable, "-m", "copier", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, stdin=subprocess.DEVNULL, timeout=900)


def run_nonroot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nonroot.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL, timeout=900)


def remove_images(engine, *tags: str) -> None:
    """Remove these tags where they exist: a finalizer's work, run whether or not the test got as
    far as building them."""
    from docker.errors import NotFound

    for tag in tags:
        try:
            engine.images.remove(tag, force=True)
        except NotFound:
            pass


def skip_here_fail_in_ci(reason: str) -> None:
    """What an engine test cannot have on this machine: a skip on a developer's machine,
    a failure in CI (CI set), where .ci/run provides everything as root."""
    import pytest  # here: bench/ imports these helpers without pytest

    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def session_folder(tmp_path_factory) -> Path:
    """The session's temporary folder every process of it shares: under pytest-xdist the
    parent of the workers' own base folders, else the base folder itself."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_session(tmp_path_factory, name: str, make: Callable[[], T]) -> T:
    """MAKE() once per test session, also under pytest-xdist, whose workers each have their own
    session fixtures: the first worker to get here makes it while the others wait on a lock in
    the folder they share, then they read its pickled result. Nothing is kept on failure."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make()
    shared = session_folder(tmp_path_factory)
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = shared / f"{name}.pickle"
        if result.exists():
            return pickle.loads(result.read_bytes())
        value = make()
        result.write_bytes(pickle.dumps(value))
        return value
