"""Builds with the engine's classic builder (nonroot.scaffold.build's, read by its one log parser), and
the images the bench made (so it removes only those). The classic builder, not BuildKit: the
bench finds everything a run built through the classic builder's intermediate images."""
from __future__ import annotations

import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


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
    """Images built by the bench, all removed by `remove_all`: the ones it tagged, and every
    image (intermediate ones included) built on the run's private base."""
    client: object
    ids: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)

    def build(self, context: Path, tag: str, nocache: bool = False) -> Build:
        build = build_image(self.client, context, tag, nocache)
        self.ids.append(build.image_id)
        return build

    def private_base(self, base: str, work: Path) -> str:
        """BASE under an image ID of this run's own (a label, no bytes). Builds on it find
        only this run's cache (on a shared engine, another build's cached layers may be
        removed while this run reads them), and everything built on it is this run's."""
        nonce = uuid.uuid4().hex
        context = work / "private-base"
        context.mkdir(parents=True)
        (context / "Dockerfile").write_text(f"FROM {base}\nLABEL io.nonroot.bench.run={nonce}\n")
        build = self.build(context, f"nr-bench-base:{nonce[:12]}", nocache=True)
        self.roots.append(build.image_id)
        return build.tag

    def remove_all(self) -> None:
        from docker.errors import APIError, NotFound

        for image_id in [*self._descendants(), *reversed(self.ids)]:
            try:
                self.client.images.remove(image_id, force=True)
            except (NotFound, APIError):
                pass  # already gone with a child or another tag of the same image

    def _descendants(self) -> list[str]:
        """The images built on the private bases and the bases, children before parents."""
        children: dict[str, list[str]] = defaultdict(list)
        for image in self.client.api.images(all=True):
            children[image.get("ParentId", "")].append(image["Id"])
        order: list[str] = []
        pending = [(root, False) for root in self.roots]
        while pending:
            image_id, expanded = pending.pop()
            if expanded:
                order.append(image_id)
            else:
                pending.append((image_id, True))
                pending.extend((child, False) for child in children[image_id])
        return order


def build_image(client, context: Path, tag: str, nocache: bool = False) -> Build:
    """Build CONTEXT/Dockerfile as TAG; raise RuntimeError with the builder's error."""
    from nonroot.scaffold.build import CLASSIC
    from nonroot.scaffold.build import build_image as nonroot_build
    from nonroot.errors import BuildFailed

    start = time.perf_counter()
    try:
        built = nonroot_build(client, context, tag, nocache=nocache, builder=CLASSIC, label=False)
    except BuildFailed as error:
        raise RuntimeError(f"building {tag} from {context} failed: {error}") from error
    seconds = time.perf_counter() - start
    steps = [Step(step.instruction, step.cached) for step in built.step_list]
    return Build(tag=tag, image_id=built.image_id, seconds=seconds, steps=steps)


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
