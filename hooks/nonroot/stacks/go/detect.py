"""What a repository tells of a Go service: go.mod (or Go files at the root, without one),
whose `go` line picks the builder's Go release (the go row's builder image, at that release)."""
from __future__ import annotations

import re
from pathlib import Path

from ...detection import Finding, read_text
from . import BUILDER, STACK, VERSION

MARKERS = ("go.mod",)
PRIORITY = 10
SOURCE_SUFFIXES = (".go",)
# Where its build puts the program it makes (an old image's binary path becomes it).
BUILT_PROGRAM = STACK.command({})[0]
DESCRIBED = {"builder_image": ("builder ", str)}


def marker(root: Path) -> str | None:
    if (root / "go.mod").is_file():
        return "go.mod"
    go_files = sorted(p.name for p in root.glob("*.go"))
    return ", ".join(go_files[:2]) + (" …" if len(go_files) > 2 else "") if go_files else None


def detect_go_builder(root: Path, warnings: list[str]) -> Finding | None:
    if not (root / "go.mod").is_file():
        warnings.append("no go.mod: nonroot builds a Go module; run `go mod init <module path>` (then "
                        "`go mod tidy` for its imports) and commit go.mod and go.sum before generating")
        return None
    match = re.search(r"^go\s+([0-9]+)\.([0-9]+)", read_text(root / "go.mod"), re.MULTILINE)
    if not match:
        return None
    version = f"{match.group(1)}.{match.group(2)}"
    return Finding("builder_image", BUILDER.replace(VERSION, version, 1), f"go.mod's go {version}")


def answers(root: Path, warnings: list[str]) -> list[Finding | None]:
    """The stack's own answers."""
    return [detect_go_builder(root, warnings)]


def command(root: Path) -> tuple[list[str], str] | None:
    return None  # the build makes the program: the row's command
