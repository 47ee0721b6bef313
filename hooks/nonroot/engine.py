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
