"""What a generated service expects of its image, read from its Copier answers file."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..plan import build_plan

ANSWERS_FILE = ".copier-answers.nonroot.yml"


@dataclass(frozen=True)
class Expectations:
    """The answers that verification holds the image to; all optional for a foreign Dockerfile."""

    tag: str
    user: str = ""
    uid: int | None = None
    gid: int | None = None
    writable_paths: list[str] = field(default_factory=list)
    health_path: str = ""   # the path the image's HEALTHCHECK probes ("" none): the answer to change if it fails

    def user_label(self) -> str:
        if self.uid is None:
            return ""
        return f"{self.user or '?'} ({self.uid}:{self.gid if self.gid is not None else self.uid})"


def _default_tag(directory: Path) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", directory.resolve().name.lower()).strip("-._") or "service"
    return f"{name}:dev"


def load_expectations(directory: Path) -> Expectations:
    """Expectations from DIR/.copier-answers.nonroot.yml, or just a tag from the folder name."""
    answers_path = directory / ANSWERS_FILE
    if not answers_path.is_file():
        return Expectations(tag=_default_tag(directory))
    answers = yaml.safe_load(answers_path.read_text()) or {}
    service = answers.get("service_name")
    if "uid" not in answers:
        return Expectations(tag=f"{service}:dev" if service else _default_tag(directory))
    plan = build_plan(answers)  # the same plan the template rendered
    return Expectations(tag=f"{plan.service_name}:dev", user=plan.user, uid=plan.run_uid, gid=plan.run_gid,
                        writable_paths=list(plan.owned_paths),
                        health_path=plan.health.path if plan.health and plan.health.test else "")
