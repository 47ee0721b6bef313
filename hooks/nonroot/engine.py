"""Connect to the Docker engine, or explain why not."""
from __future__ import annotations

import os

from .errors import EngineUnavailable


def connect(timeout: int = 120):  # -> docker.DockerClient (imported lazily: the SDK may be missing)
    """Return a client for the engine that DOCKER_HOST (or the default socket) names.

    Raises EngineUnavailable with the reason and the fix when none answers.
    """
    try:
        import docker
        from docker.errors import DockerException
    except ImportError as error:
        raise EngineUnavailable(
            f"the Python 'docker' package is not installed ({error}); "
            "install it where nonroot runs: pip install docker"
        ) from error
    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except (DockerException, OSError) as error:
        text = str(error)
        if "Permission denied" in text or "PermissionError" in text:
            hint = "permission denied on the socket: add your user to the 'docker' group or run with sudo"
        else:
            hint = "start Docker (or set DOCKER_HOST to a running engine)"
        raise EngineUnavailable(f"no Docker engine at {where}: {hint}") from error
    return client


def is_podman(client) -> bool:
    """Whether the engine behind `client` is Podman's Docker-compatible API (its version reply
    names a Podman component or platform)."""
    from docker.errors import DockerException

    try:
        return is_podman_version(client.version())
    except DockerException:
        return False


def is_podman_version(version: dict) -> bool:
    """Whether an engine's version reply is Podman's (it names a Podman component or platform)."""
    names = " ".join(component.get("Name", "") for component in version.get("Components") or [])
    return "podman" in names.lower() or "podman" in str(version.get("Platform", {})).lower()


def podman_tmpfs_options(options: str) -> str:
    """Podman refuses tmpfs `uid=`/`gid=` options; it has `U` (owned by the container's user).
    A root owner is the tmpfs default; any other owner becomes `U`: in the runs nonroot makes,
    the owner asked for is the container's own user (the image's, or the arbitrary UID)."""
    kept, owner = [], set()
    for option in filter(None, options.split(",")):
        key, _, value = option.partition("=")
        if key in ("uid", "gid"):
            owner.add(value)
        else:
            kept.append(option)
    if owner - {"0"}:
        kept.insert(0, "U")
    return ",".join(kept)
