"""Podman as a second engine for the tests: its Docker-compatible API served by
`podman system service` on a socket of the test session's own, with a containers.conf of
the tests' own (CONTAINERS_CONF: the machine's configuration is left alone), and images
copied from the Docker engine (docker save | podman load).

What Podman 4.3 (Debian) needs to run containers as root here: runtime runc, the cgroupfs
cgroup manager (no systemd), no default ulimits, events to a file (no journald)."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SOCKET = Path("/run/nonroot-podman.sock")
CONTAINERS_CONF = """\
# nonroot's tests: Podman as root on a machine without systemd
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


class PodmanUnavailable(RuntimeError):
    """Podman is not installed, or its service would not answer."""


@dataclass
class PodmanService:
    socket: Path
    env: dict[str, str]
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def client(self):
        import docker

        return docker.DockerClient(base_url=self.url, timeout=120)

    def load(self, tags: list[str]) -> None:
        """Copy images from the Docker engine into Podman's storage (one archive: shared layers once)."""
        missing = [tag for tag in tags if subprocess.run(["podman", "image", "exists", tag],
                                                         env=self.env).returncode != 0]
        if not missing:
            return
        save = subprocess.Popen(["docker", "save", *missing], stdout=subprocess.PIPE)
        loaded = subprocess.run(["podman", "load"], stdin=save.stdout, env=self.env, capture_output=True, text=True)
        save.wait()
        if save.returncode or loaded.returncode:
            raise PodmanUnavailable(f"docker save | podman load of {missing} failed: {loaded.stderr.strip()[-300:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.socket.unlink(missing_ok=True)


def _answers(socket: Path) -> bool:
    done = subprocess.run(["curl", "-sf", "--max-time", "2", "--unix-socket", str(socket), "http://d/_ping"],
                          capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip() == "OK"


def start(workdir: Path) -> PodmanService:
    """Start Podman's API service for this test session; PodmanUnavailable says why not."""
    if not shutil.which("podman"):
        raise PodmanUnavailable("podman is not installed (scripts/test.sh installs Debian's podman)")
    if os.geteuid() != 0:
        raise PodmanUnavailable("the Podman tests run Podman as root (its rootless mode needs user namespaces)")
    conf = workdir / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    env = {**os.environ, "CONTAINERS_CONF": str(conf)}
    socket = SOCKET if not SOCKET.exists() else SOCKET.with_name(f"nonroot-podman-{os.getpid()}.sock")
    log = (workdir / "podman-service.log").open("w")
    process = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{socket}"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    service = PodmanService(socket, env, process)
    deadline = time.monotonic() + 30
    while not _answers(socket):
        if process.poll() is not None or time.monotonic() > deadline:
            service.stop()
            tail = (workdir / "podman-service.log").read_text()[-500:]
            raise PodmanUnavailable(f"podman system service did not answer on {socket}: {tail}")
        time.sleep(0.2)
    return service
