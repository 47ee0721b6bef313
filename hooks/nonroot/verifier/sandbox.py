"""Containers that a verification starts, and the guarantee that they are removed.

Every container is labelled `io.nonroot.verify=<role>` and
`io.nonroot.session=<id>`. Leaving the `with` block removes each one (force, with
its anonymous volumes), also on Ctrl-C, SIGTERM (the CLI turns it into
KeyboardInterrupt) and timeouts; a final sweep by the session label catches a
container whose `create` call was interrupted before it returned a handle.
"""
from __future__ import annotations

import signal
import threading
import uuid
from types import TracebackType

from ..engine import is_podman, podman_tmpfs_options
from .model import LABEL

SESSION_LABEL = "io.nonroot.session"


class ContainerSession:
    """Create labelled containers; remove them all on exit."""

    def __init__(self, client) -> None:
        self.client = client
        self.id = uuid.uuid4().hex[:12]
        self._containers: list = []
        self._count = 0
        self._podman: bool | None = None

    def __enter__(self) -> ContainerSession:
        return self

    def create(self, image_id: str, role: str, **kwargs):
        """`client.containers.create` with this session's labels and a recognisable name."""
        self._count += 1
        labels = {**kwargs.pop("labels", {}), LABEL: role, SESSION_LABEL: self.id}
        if kwargs.get("tmpfs") and self._on_podman():
            kwargs["tmpfs"] = {path: podman_tmpfs_options(options) for path, options in kwargs["tmpfs"].items()}
        container = self.client.containers.create(
            image_id, labels=labels, name=f"nonroot-{role}-{self.id}-{self._count}", detach=True, **kwargs)
        self._containers.append(container)
        return container

    def _on_podman(self) -> bool:
        if self._podman is None:
            self._podman = is_podman(self.client)
        return self._podman

    def remove_all(self) -> None:
        """Remove every container of this session (those created and any found by label)."""
        from docker.errors import DockerException, NotFound
        from requests.exceptions import RequestException

        found: list = list(self._containers)
        try:
            found += self.client.containers.list(all=True, filters={"label": f"{SESSION_LABEL}={self.id}"})
        except (DockerException, RequestException):
            pass
        unique = list({container.id: container for container in found}.values())

        def remove(container) -> None:
            try:
                container.remove(force=True, v=True)
            except NotFound:
                pass
            except (DockerException, RequestException):
                pass  # the engine is gone: nothing more can be done from here

        # side by side: the engine stops and removes each in a fraction of a second, mostly waiting
        threads = [threading.Thread(target=remove, args=(container,), daemon=True) for container in unique]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self._containers.clear()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        previous = _block_interrupts()
        try:
            self.remove_all()
        finally:
            if previous is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _block_interrupts() -> set[signal.Signals] | None:
    """Hold back Ctrl-C and SIGTERM while removing (a second Ctrl-C must not leave containers).

    Returns the previous signal mask to restore, or None off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
