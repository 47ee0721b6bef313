"""What the detector (scaffold/detect.py) and each stack's detect.py share: a Finding (one
answer read off a repository, and where), and readers of the repository's files. Nothing
here runs, imports or writes the repository's code: it only reads text."""
from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SKIPPED_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "vendor", "dist", "build", ".tox"}
MAX_SOURCE_FILES = 400
TEST_DIRS = {"test", "tests", "__tests__", "spec", "specs", "e2e", "testdata", "fixtures"}
TEST_FILE = re.compile(r"^(test_.*\.py|.*_test\.(py|go)|conftest\.py|.*\.(test|spec)\.[cm]?[jt]sx?)$")
# In a detected command, where the port answer goes (exec form has no shell to expand $PORT).
PORT_PLACEHOLDER = "{port}"


@dataclass(frozen=True)
class Finding:
    """One answer read off the repository, and where it was read."""

    question: str
    value: object
    source: str


def adopted_repository(answers: Mapping[str, Any], destination: str) -> Path | None:
    """The repository an answer check reads (a stack row's `checks`), or None where there is
    none to read: the sample is rendered, or the folder is new or empty (Copier's update
    replays and nonroot new's dry run render into empty folders)."""
    folder = Path(destination)
    if answers.get("sample_app") or not folder.is_dir() or not any(folder.iterdir()):
        return None
    return folder


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def source_files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The source files (of these suffixes), shallow first, skipping dependencies and build output."""
    found: list[Path] = []
    for path in sorted(root.rglob("*"), key=lambda p: (len(p.relative_to(root).parts), str(p))):
        rel = path.relative_to(root).parts
        if any(part in SKIPPED_DIRS for part in rel) or not path.is_file() or path.suffix not in suffixes:
            continue
        if any(part in TEST_DIRS for part in rel[:-1]) or TEST_FILE.search(path.name):
            continue  # a test's routes and ports are not the service's
        found.append(path)
        if len(found) >= MAX_SOURCE_FILES:
            break
    return found


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(read_text(path)) if path.is_file() else {}
    except tomllib.TOMLDecodeError:
        return {}


def read_package_json(root: Path) -> dict:
    try:
        value = json.loads(read_text(root / "package.json") or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def server_file(root: Path, suffixes: tuple[str, ...], starts: re.Pattern[str], interpreter: str,
                also: re.Pattern[str] | None = None) -> tuple[list[str], str] | None:
    """The source file that starts a server (a line `starts` finds, and `also` where given),
    when nothing else tells."""
    for path in source_files(root, suffixes):
        if path.suffix in (".ts", ".tsx"):
            continue  # needs a build first: the build's output is what runs
        match = starts.search(read_text(path))
        if match and (also is None or also.search(read_text(path))):
            rel = str(path.relative_to(root))
            return [interpreter, rel], f"{rel}, which starts the server with {match.group(0)}…"
    return None
