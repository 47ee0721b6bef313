"""Build a Dockerfile with the engine's classic builder, streaming its steps."""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import BuildFailed, EngineUnavailable

STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
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
    try:
        stream = client.api.build(path=str(context), tag=tag, rm=True, forcerm=True, decode=True)
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
                match = STEP.match(line)
                if match:
                    step, steps = match.group(3), int(match.group(2))
                if on_line:
                    on_line(line)
            aux = chunk.get("aux") or {}
            image_id = aux.get("ID", image_id)
    except APIError as error:
        raise _failure(str(error.explanation or error), step, list(tail)) from error
    except DockerException as error:
        raise EngineUnavailable(f"lost the Docker engine while building {tag}: {error}") from error
    if not image_id:
        image_id = client.images.get(tag).id
    return BuildResult(image_id=image_id, tag=tag, steps=steps, log=log)


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
