"""What a repository tells of a toy service: its toy.toml."""
from __future__ import annotations

from pathlib import Path

from ...detection import Finding

MARKERS = ("toy.toml",)
PRIORITY = 40
SOURCE_SUFFIXES = (".sh",)
DESCRIBED: dict = {}


def marker(root: Path) -> str | None:
    return next((name for name in MARKERS if (root / name).is_file()), None)


def answers(root: Path, warnings: list[str]) -> list[Finding | None]:
    return []


def command(root: Path) -> tuple[list[str], str] | None:
    return (["/app/serve"], "toy.toml") if (root / "toy.toml").is_file() else None
