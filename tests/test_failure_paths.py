"""The failures a new user meets, each with a message that says what happened and what to do
next: an engine that is stopped or not permitted, Ctrl-C during the build or the verification
(nothing left behind), and the task run twice (harmless). None deletes or rewrites a file."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from docker.errors import NotFound

from helpers import ROOT, run_copier, run_nonroot, skip_here_fail_in_ci

TASK = ROOT / "hooks" / "run_task.py"


def snapshot(directory: Path) -> dict[str, str]:
    """Every file below DIR and a hash of its content."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def run_task(directory: Path, env: dict[str, str] | None = None, prefix: list[str] | None = None):
    return subprocess.run([*(prefix or []), sys.executable, str(TASK), "--operation=copy", "--copier-cleanup=False"],
                          cwd=directory, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def dead_socket(tmp_path) -> str:
    """A socket file nobody listens on: what a stopped dockerd leaves behind."""
    path = tmp_path / "docker.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()
    return f"unix://{path}"


def test_a_stopped_engine_is_a_warning_and_the_files_stay(generate, dead_socket):
    dest = generate(service_name="nr-fail-stopped")
    before = snapshot(dest)
    result = run_task(dest, env={"DOCKER_HOST": dead_socket})
    assert result.returncode == 0, result.stderr
    assert f"WARNING: image not built or verified: no Docker engine at {dead_socket}" in result.stderr
    assert "start Docker (or set DOCKER_HOST to a running engine)" in result.stderr
    assert f"once an engine runs: nonroot check {dest}\n" in result.stderr   # the tests' shell is elsewhere
    assert snapshot(dest) == before


def test_check_against_a_stopped_engine_exits_2_in_one_line(generate, dead_socket):
    dest = generate(service_name="nr-fail-stopped")
    result = run_nonroot("check", str(dest), env={"DOCKER_HOST": dead_socket})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"nonroot: no Docker engine at {dead_socket}: start Docker (or set DOCKER_HOST to a running engine)"]


def test_permission_denied_on_the_socket_names_the_fix(generate, engine):
    # The root-owned socket (root:docker 0660), reached by an unprivileged user (nobody).
    if os.geteuid() != 0:
        skip_here_fail_in_ci("needs root to run the task as another user")
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    socket_path = Path(host.removeprefix("unix://"))
    if not host.startswith("unix://") or socket_path.stat().st_mode & 0o007:
        skip_here_fail_in_ci(f"{host} is not a unix socket closed to other users")
    public = Path(tempfile.mkdtemp(prefix="nr-fail-"))  # pytest's tmp_path is private to root
    try:
        os.chmod(public, 0o755)
        dest = shutil.copytree(generate(service_name="nr-fail-denied"), public / "svc")
        before = snapshot(dest)
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        result = run_task(dest, env={"DOCKER_HOST": host, "HOME": str(public)}, prefix=nobody)
        after = snapshot(dest)
    finally:
        shutil.rmtree(public)
    assert result.returncode == 0, result.stderr
    assert ("permission denied on the socket: add your user to the 'docker' group or run with sudo"
            in result.stderr), result.stderr
    assert after == before


def test_running_the_task_twice_is_harmless(generate, python_base, engine, built_tags):
    built_tags.append("nr-fail-twice:dev")
    dest = generate(service_name="nr-fail-twice", base_image=python_base)
    before = snapshot(dest)
    for attempt in (1, 2):
        result = run_task(dest, env={"NONROOT_QUIET": "1"})
        assert result.returncode == 0, f"attempt {attempt}: {result.stderr[-2000:]}"
        assert "no process runs as root" in result.stderr
        assert "Step " not in result.stderr  # NONROOT_QUIET (nonroot new -q): summaries only
    assert snapshot(dest) == before
    assert engine.containers.list(all=True, sparse=True,
                                  filters={"ancestor": "nr-fail-twice:dev", "label": "io.nonroot.verify"}) == []


class Lines:
    """Collect a process's stderr in a thread; wait for a line that matches."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def text(self) -> str:
        self._thread.join(timeout=10)
        return "\n".join(self.lines)


def _default_sigint() -> None:
    """In the child: Ctrl-C as a terminal delivers it, even if pytest runs as a background job
    (which starts with SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_check(dest: Path, tag: str, ready, timeout: float = 180,
                     env: dict[str, str] | None = None) -> tuple[int, str]:
    """Start `nonroot check` in its own process group, Ctrl-C the group once `ready()`, return status and stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "nonroot.cli", "check", str(dest), "--tag", tag, "--settle", "120"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True, preexec_fn=_default_sigint, env={**os.environ, **(env or {})})
    lines = Lines(proc)
    try:
        deadline = time.monotonic() + timeout
        while not ready(lines.lines):
            assert proc.poll() is None, lines.text()
            assert time.monotonic() < deadline, "never reached the point to interrupt:\n" + lines.text()
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
        proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, lines.text()


def _objects_with(engine, token: str) -> tuple[list[str], list[str]]:
    """Containers and images (intermediate ones too) whose command mentions `token`."""
    containers = [c.id for c in engine.containers.list(all=True, sparse=True) if token in c.attrs.get("Command", "")]
    images = []
    for image in engine.images.list(all=True):
        try:
            config = engine.api.inspect_image(image.id).get("ContainerConfig") or {}
        except NotFound:
            continue  # removed meanwhile (by another build or test)
        if token in " ".join(config.get("Cmd") or []):
            images.append(image.id)
    return containers, images


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_ctrl_c_during_the_build_leaves_no_container_and_no_partial_image(generate, python_base, engine, builder):
    token = f"nr-fail-{uuid.uuid4().hex[:8]}"
    tag = f"{token}:dev"
    dest = generate(service_name="nr-fail-ctrl-c", base_image=python_base)
    dockerfile = dest / "Dockerfile"
    # A fresh layer (never cached), then a step long enough to be interrupted.
    dockerfile.write_text(dockerfile.read_text().replace(
        "WORKDIR /app", f"RUN echo {token} > /marker\nRUN sleep 120 # {token}\nWORKDIR /app"))
    before = snapshot(dest)

    started: list[float] = []

    def building(lines: list[str]) -> bool:
        if not any(f"sleep 120 # {token}" in line for line in lines):
            return False
        if builder == "classic":  # the step's container runs
            return bool([c for c in engine.containers.list(sparse=True) if token in c.attrs.get("Command", "")])
        started.append(time.monotonic())  # BuildKit runs the step outside the engine's containers
        return started[-1] - started[0] > 2

    status, err = _interrupt_check(dest, tag, building, env={"NONROOT_BUILDER": builder})
    assert status == 130, err
    assert f"nonroot: interrupted while building {tag}: the build was stopped and no partial image was left; " \
        f"nothing is left running; to try again: nonroot check {dest} --tag {tag} --settle 120" in err, err
    assert err.count("interrupted") == 1 and "Traceback" not in err, err
    assert _objects_with(engine, token) == ([], [])
    assert not engine.images.list(name=token)
    assert snapshot(dest) == before


def test_ctrl_c_during_verification_leaves_no_container(generate, python_base, engine):
    tag = f"nr-fail-{uuid.uuid4().hex[:8]}:dev"
    dest = generate(service_name="nr-fail-ctrl-c", base_image=python_base)

    def verifying(_lines: list[str]) -> bool:
        return bool(engine.containers.list(sparse=True, filters={"ancestor": tag, "label": "io.nonroot.verify"}))

    try:
        status, err = _interrupt_check(dest, tag, verifying)
        assert status == 130, err
        assert f"nonroot: interrupted while verifying {tag}: the verification container was removed" in err, err
        assert err.count("interrupted") == 1, err
        assert engine.containers.list(all=True, sparse=True, filters={"label": "io.nonroot.verify", "ancestor": tag}) == []
    finally:
        engine.images.remove(tag, force=True)


def test_updating_twice_is_harmless(tmp_path, python_base, engine):
    from test_update import git

    template = tmp_path / "template"
    shutil.copytree(ROOT, template, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache",
                                                                  "*.egg-info", "tests"))
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "v1")
    git(template, "tag", "v1")
    dest = tmp_path / "svc"
    first = run_copier("copy", "--trust", "--defaults", "--vcs-ref=v1", "-d", f"base_image={python_base}",
                       "-d", "service_name=nr-fail-update-twice", str(template), str(dest))
    try:
        assert first.returncode == 0, first.stderr[-2000:]
        git(dest, "init", "-q")
        git(dest, "add", "-A")
        git(dest, "commit", "-q", "-m", "generated")
        for attempt in (1, 2):
            result = run_copier("update", "--skip-answered", "--defaults", "--trust", "--vcs-ref", "v1",
                                "--answers-file", ".copier-answers.nonroot.yml", cwd=dest,
                                env={"NONROOT_QUIET": "1"})
            assert result.returncode == 0, f"update {attempt}: {result.stderr[-2000:]}"
            assert result.stderr.count("nonroot: built nr-fail-update-twice:dev") == 1, result.stderr[-2000:]
            assert "no process runs as root" in result.stderr
            assert git(dest, "status", "--porcelain") == "", f"update {attempt} changed files"
    finally:
        engine.images.remove("nr-fail-update-twice:dev", force=True)


def test_ctrl_c_during_the_tasks_verification_in_copier_copy_leaves_no_container(tmp_path, python_base, engine):
    # Copier runs the task with subprocess.run: on Ctrl-C it gives the task 0.25 s, then kills it.
    service = f"nr-fail-{uuid.uuid4().hex[:8]}"
    tag = f"{service}:dev"
    dest = tmp_path / "svc"
    proc = subprocess.Popen([sys.executable, "-m", "copier", "copy", "--trust", "-C", "--defaults", "--vcs-ref=HEAD",
                             "-d", f"base_image={python_base}", "-d", f"service_name={service}", str(ROOT), str(dest)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)
    lines = Lines(proc)

    def ours(all_states: bool) -> list:
        return engine.containers.list(all=all_states, sparse=True, filters={"ancestor": tag, "label": "io.nonroot.verify"})

    try:
        deadline = time.monotonic() + 300
        while not ours(False):
            assert proc.poll() is None, lines.text()
            assert time.monotonic() < deadline, "the task never started verifying:\n" + lines.text()
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=90)
        deadline = time.monotonic() + 30  # the task's cleanup may outlive Copier by a moment
        while ours(True) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert ours(True) == [], lines.text()
        assert f"interrupted while verifying {tag}: the verification container was removed; the generated " \
            "files are in place; to build and verify them: nonroot check" in lines.text()
        assert (dest / "Dockerfile").is_file()
    finally:
        if proc.poll() is None:
            proc.kill()
        engine.images.remove(tag, force=True)


def test_a_service_that_does_not_answer_its_health_path_is_not_a_success_and_names_the_answer(
        generate, python_base, engine, built_tags):
    """The generated service is proven the same way as any image: its HEALTHCHECK must pass.
    The sample serves /healthz; answered /ready, the engine calls it unhealthy. (The test
    shortens the check's timing, so that unhealthy comes after 2 s rather than 35.)"""
    built_tags.append("nr-fail-health:dev")
    dest = generate(service_name="nr-fail-health", base_image=python_base, health_path="/ready")
    dockerfile = dest / "Dockerfile"
    timing = "HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3"
    assert timing in dockerfile.read_text()
    dockerfile.write_text(dockerfile.read_text().replace(timing, "HEALTHCHECK --interval=1s --timeout=5s --retries=2"))
    before = snapshot(dest)
    result = run_task(dest, env={"NONROOT_QUIET": "1"})
    assert result.returncode == 1, result.stderr[-3000:]
    assert "NOT PROVEN: THE SERVICE DOES NOT WORK" in result.stderr
    assert "the app does not answer its health path /ready (answer health_path)" in result.stderr
    assert "no process runs as root" not in result.stderr
    assert "the generated files are in place" in result.stderr
    assert snapshot(dest) == before
