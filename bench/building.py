"""Builds with the engine's classic builder, read step by step from its stream, and
the images the bench made (so it removes only those)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
USING_CACHE = " ---> Using cache"


@dataclass
class Step:
    instruction: str
    cached: bool

    @property
    def is_from(self) -> bool:
        return self.instruction.upper().startswith("FROM ")


@dataclass
class Build:
    tag: str
    image_id: str
    seconds: float
    steps: list[Step]

    def rebuilt(self) -> list[Step]:
        """Steps the builder ran again (FROM only names the base: neither cached nor built)."""
        return [step for step in self.steps if not step.cached and not step.is_from]

    def cached(self) -> list[Step]:
        return [step for step in self.steps if step.cached]


@dataclass
class Images:
    """Images tagged by the bench, and the ones they replaced, removed by `remove_all`."""
    client: object
    ids: list[str] = field(default_factory=list)

    def build(self, context: Path, tag: str, nocache: bool = False) -> Build:
        build = build_image(self.client, context, tag, nocache)
        self.ids.append(build.image_id)
        return build

    def remove_all(self) -> None:
        from docker.errors import APIError, NotFound

        for image_id in reversed(self.ids):
            try:
                self.client.images.remove(image_id, force=True)
            except (NotFound, APIError):
                pass  # already gone with another tag of the same image


def build_image(client, context: Path, tag: str, nocache: bool = False) -> Build:
    """Build CONTEXT/Dockerfile as TAG; raise RuntimeError with the builder's error."""
    steps: list[Step] = []
    image_id = ""
    start = time.perf_counter()
    for chunk in client.api.build(path=str(context), tag=tag, rm=True, forcerm=True, nocache=nocache,
                                  decode=True):
        if "error" in chunk:
            raise RuntimeError(f"building {tag} from {context} failed: {chunk['error'].strip()}")
        for line in chunk.get("stream", "").splitlines():
            match = STEP.match(line)
            if match:
                steps.append(Step(match.group(3), cached=False))
            elif line.startswith(USING_CACHE) and steps:
                steps[-1].cached = True
        image_id = (chunk.get("aux") or {}).get("ID", image_id)
    seconds = time.perf_counter() - start
    return Build(tag=tag, image_id=image_id or client.images.get(tag).id, seconds=seconds, steps=steps)


def image_size(client, ref: str) -> int:
    """The engine's size of the image: every layer's bytes, uncompressed."""
    return int(client.images.get(ref).attrs["Size"])


@dataclass
class Layer:
    created_by: str
    size: int


def layers(client, ref: str) -> list[Layer]:
    """The image's layers, oldest first (`docker history`), with the instruction that made each."""
    history = client.api.history(ref)
    return [Layer(_instruction(entry.get("CreatedBy", "")), int(entry.get("Size", 0))) for entry in reversed(history)]


def _instruction(created_by: str) -> str:
    """`/bin/sh -c #(nop) COPY dir:... in /app/` -> `COPY dir:... in /app/`; RUN lines as `RUN ...`."""
    text = created_by.strip()
    if text.startswith("/bin/sh -c #(nop) "):
        return text[len("/bin/sh -c #(nop) "):].strip()
    if text.startswith("/bin/sh -c "):
        return "RUN " + text[len("/bin/sh -c "):]
    return text
