"""Build a Dockerfile with the engine's classic builder, streaming its steps.

An interrupted build (Ctrl-C, SIGTERM) leaves nothing behind: the request is closed so the
engine cancels the build, the build's intermediate containers are waited for and
removed, and the layers this build committed (not those it took from the cache) are
removed, so no partial image is left dangling. The finished image carries the label
`io.nonroot.build=<tag>`.
"""
from __future__ import annotations

import re
import signal
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import BuildFailed, EngineUnavailable

STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
RUNNING_IN = re.compile(r"^\s*---> Running in ([0-9a-f]{12,64})$")
LAYER = re.compile(r"^\s*---> ([0-9a-f]{12,64})$")
USING_CACHE = re.compile(r"^\s*---> Using cache$")
BUILD_LABEL = "io.nonroot.build"
PULL_ERRORS = ("pull access denied", "manifest unknown", "not found: manifest", "no such host",
               "dial tcp", "i/o timeout", "repository does not exist", "unauthorized", "TLS handshake")


@dataclass
class BuildResult:
    image_id: str
    tag: str
    steps: int
    log: list[str]


def build_image(client, context: Path, tag: str, on_line: Callable[[str], None] | None = None) -> BuildResult:
    """Build `context`/Dockerfile as `tag`. Raises BuildFailed with the failing step and log tail."""
    from docker.errors import APIError, DockerException

    dockerfile = context / "Dockerfile"
    if not dockerfile.is_file():
        raise BuildFailed(f"no Dockerfile in {context}")
    log: list[str] = []
    tail: deque[str] = deque(maxlen=15)
    step, steps, image_id = "", 0, ""
    trace = _Trace()
    try:
        stream = trace.open(client, context, tag)
        for chunk in stream:
            if "error" in chunk:
                message = chunk["error"].strip()
                log.append(message)
                raise _failure(message, step, list(tail))
            text = chunk.get("stream", "")
            for line in text.splitlines():
                if not line.strip():
                    continue
                log.append(line)
                tail.append(line)
                trace.note(line)
                match = STEP.match(line)
                if match:
                    step, steps = match.group(3), int(match.group(2))
                if on_line:
                    on_line(line)
            aux = chunk.get("aux") or {}
            image_id = aux.get("ID", image_id)
    except KeyboardInterrupt:
        trace.cancel(client)
        raise
    except APIError as error:
        raise _failure(str(error.explanation or error), step, list(tail)) from error
    except DockerException as error:
        raise EngineUnavailable(f"lost the Docker engine while building {tag}: {error}") from error
    if not image_id:
        image_id = client.images.get(tag).id
    return BuildResult(image_id=image_id, tag=tag, steps=steps, log=log)


class _Trace:
    """What one build created, so that an interrupted build can be undone."""

    def __init__(self) -> None:
        self.response = None
        self.containers: list[str] = []
        self.layers: list[str] = []
        self._cached = False

    def open(self, client, context: Path, tag: str):
        """Start the build; keep its HTTP response so that an interrupt can close it."""
        stream = client.api.build(path=str(context), tag=tag, rm=True, forcerm=True, decode=True,
                                  labels={BUILD_LABEL: tag})
        # The SDK returns a generator over the streaming response and no other handle on it;
        # the generator's arguments are bound before its first step.
        frame = getattr(stream, "gi_frame", None)
        self.response = frame.f_locals.get("response") if frame is not None else None
        return stream

    def note(self, line: str) -> None:
        if USING_CACHE.match(line):
            self._cached = True
        elif match := RUNNING_IN.match(line):
            self.containers.append(match.group(1))
        elif match := LAYER.match(line):
            if not self._cached:
                self.layers.append(match.group(1))
            self._cached = False

    def cancel(self, client, wait: float = 20.0) -> None:
        """Cancel the build on the engine and remove what it left (called on interrupt)."""
        from docker.errors import DockerException
        from requests.exceptions import RequestException

        from .sandbox import _block_interrupts

        previous = _block_interrupts()
        try:
            if self.response is not None:
                self.response.close()  # the engine cancels a build whose client went away
            deadline = time.monotonic() + wait
            for container_id in self.containers:
                _remove_container(client, container_id, deadline)
            for layer in reversed(self.layers):
                try:
                    client.images.remove(layer, noprune=False)
                except (DockerException, RequestException):
                    pass  # tagged, or a parent of another build's image: not ours to remove
        finally:
            if previous is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _remove_container(client, container_id: str, deadline: float) -> None:
    """Wait for the engine to remove a cancelled build's container (forcerm); force it at the deadline."""
    from docker.errors import DockerException, NotFound
    from requests.exceptions import RequestException

    while True:
        try:
            container = client.containers.get(container_id)
        except NotFound:
            return
        except (DockerException, RequestException):
            return  # the engine is gone: nothing more can be done from here
        if time.monotonic() > deadline:
            try:
                container.remove(force=True, v=True)
            except (DockerException, RequestException):
                pass
            return
        time.sleep(0.2)


def _failure(message: str, step: str, tail: list[str]) -> BuildFailed:
    """A BuildFailed whose one-line message names the failing instruction and what to do."""
    first_line = message.splitlines()[0] if message else "unknown error"
    if step.upper().startswith("FROM") or (not step and any(e in message for e in PULL_ERRORS)):
        image = step.split()[1] if step.upper().startswith("FROM") and len(step.split()) > 1 else "the base image"
        return BuildFailed(
            f"base image {image} could not be pulled ({first_line}); make it available to the engine "
            f"(docker pull {image}, docker load -i FILE, or log in to its registry) or answer base_image "
            "with an image the engine has", step, tail)
    where = f"step `{step}` failed" if step else "build failed"
    # The generated Dockerfile explains its own refusals (e.g. a UID the base image has)
    # on a line starting with "nonroot:": that line is the reason.
    explained = [line for line in tail if line.startswith("nonroot: ")]
    if explained:
        return BuildFailed(f"{where}: {explained[-1][len('nonroot: '):]}", step, tail)
    return BuildFailed(f"{where}: {first_line}", step, tail)
