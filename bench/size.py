"""Figure 1: image size overhead of nonroot's output against the same app in a naive
root Dockerfile (same base, same files), and the CR6 seed's `COPY` + `RUN chown -R`
pattern beside it, for the sample app with a sizeable payload."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .building import Images, image_size, layers
from .workspace import add_payload, render, service_answers

SERVICE = "nr-bench-size"


def image_tag(variant: str) -> str:
    """The tag of one variant's image: naive, chown-r, single, multi."""
    return f"nr-bench-{variant}:size"

# The same app as a naive single-stage Dockerfile: same base, same venv, same
# requirements and files, and no account, no writable paths, no USER: it runs as root.
NAIVE = """FROM {base}
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    PATH=/opt/venv/bin:$PATH
ENV PIP_NO_CACHE_DIR=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt
WORKDIR /app
COPY app/ /app/
EXPOSE 8080
CMD ["python3", "/app/main.py"]
"""

# The CR6 code review's fix (shared/seeds), on the naive Dockerfile: its account line,
# the code COPYed, then `RUN chown -R` over it, then USER by name.
CHOWN_R = NAIVE.replace(
    "ENV PYTHONDONTWRITEBYTECODE",
    "RUN groupadd -r gmd && useradd -r -s /bin/false -g gmd scrapy_user\nENV PYTHONDONTWRITEBYTECODE",
).replace(
    "COPY app/ /app/\n",
    "COPY app/ /app/\nRUN chown -R scrapy_user:gmd /app\nUSER scrapy_user\n",
)


@dataclass
class SizeResult:
    payload_bytes: int
    naive_bytes: int
    single_bytes: int
    multi_bytes: int
    chown_r_bytes: int
    layers: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def overhead_multi(self) -> int:
        return self.multi_bytes - self.naive_bytes

    @property
    def overhead_single(self) -> int:
        return self.single_bytes - self.naive_bytes

    @property
    def chown_r_overhead(self) -> int:
        return self.chown_r_bytes - self.naive_bytes

    @property
    def chown_r_share_of_payload(self) -> float:
        return self.chown_r_overhead / self.payload_bytes


def measure_size(images: Images, template: Path, work: Path, base: str, payload_bytes: int) -> SizeResult:
    """Build the four variants of the same app with the same payload and compare their sizes."""
    contexts = {
        "single": render(template, work / "single", service_answers(base, "single", service_name=SERVICE)),
        "multi": render(template, work / "multi", service_answers(base, "multi", service_name=SERVICE)),
    }
    written = 0
    for context in contexts.values():
        written = add_payload(context / "app", payload_bytes)
    for name, dockerfile in (("naive", NAIVE), ("chown-r", CHOWN_R)):
        context = work / name
        shutil.copytree(contexts["single"], context, ignore=shutil.ignore_patterns("Dockerfile"))
        (context / "Dockerfile").write_text(dockerfile.format(base=base))
        contexts[name] = context
    sizes: dict[str, int] = {}
    history: dict[str, list[tuple[str, int]]] = {}
    for name, context in contexts.items():
        build = images.build(context, image_tag(name))
        sizes[name] = image_size(images.client, build.image_id)
        history[name] = [(layer.created_by, layer.size) for layer in layers(images.client, build.image_id)]
    return SizeResult(payload_bytes=written, naive_bytes=sizes["naive"], single_bytes=sizes["single"],
                      multi_bytes=sizes["multi"], chown_r_bytes=sizes["chown-r"], layers=history)
