"""The reviewed snapshot of the support table's renders, in tests/snapshots/support-table/:
every file each row of the support table renders (test_rendered_files.SUPPORT_TABLE, with the
answers the lint test renders it with), as it was when last reviewed. test_snapshot.py fails on
any difference; an intended change is recorded with one command, and the diff shows in git:

    python scripts/update_snapshot.py

Layout: one folder per row, named by its id, holding the row's files at their rendered paths.
A content is stored once, as a file in the first row (in table order) that renders it; every
other row that renders the same content at the same path holds a relative symlink to that file
(most rows share their compose.yaml, workflow, samples...). Only the Dockerfiles all differ.

Not in the snapshot: .copier-answers.nonroot.yml, Copier's record of the answers (the row's
id names them) with the path of the template copy the session rendered from."""
from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from helpers import ROOT

SNAPSHOT = ROOT / "tests" / "snapshots" / "support-table"
NOT_SNAPSHOT = {".copier-answers.nonroot.yml"}
REGENERATE = "python scripts/update_snapshot.py"


def rendered_files(folder: Path) -> dict[str, bytes]:
    """A render's (or a snapshot row's) files by path relative to FOLDER, symlinks followed."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name not in NOT_SNAPSHOT}


def differences(row: str, render: Path) -> list[str]:
    """How RENDER differs from the snapshot of ROW: files missing or extra, and a unified diff
    per file that changed. Empty when they are the same."""
    stored = SNAPSHOT / row
    if not stored.is_dir():
        return [f"no snapshot of row {row} (a new row? run {REGENERATE})"]
    want, got = rendered_files(stored), rendered_files(render)
    found = [f"{path}: in the snapshot, not rendered" for path in sorted(want.keys() - got.keys())]
    found += [f"{path}: rendered, not in the snapshot" for path in sorted(got.keys() - want.keys())]
    for path in sorted(want.keys() & got.keys()):
        if want[path] != got[path]:
            diff = difflib.unified_diff(want[path].decode().splitlines(True), got[path].decode().splitlines(True),
                                        f"snapshot/{row}/{path}", f"render/{path}")
            found.append("".join(diff))
    return found


def rows() -> set[str]:
    """The rows the snapshot holds."""
    return {path.name for path in SNAPSHOT.iterdir() if path.is_dir()} if SNAPSHOT.is_dir() else set()


def write(renders: list[tuple[str, Path]]) -> None:
    """Replace the snapshot with these (row id, render folder) pairs, in table order."""
    ids = [row for row, _ in renders]
    duplicated = sorted({row for row in ids if ids.count(row) > 1})
    if duplicated:
        raise ValueError(f"support-table rows with the same id: {duplicated}")
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    first: dict[tuple[str, bytes], Path] = {}  # (path, content) -> the file that stores it
    for row, render in renders:
        for rel, content in rendered_files(render).items():
            dest = SNAPSHOT / row / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            stored = first.setdefault((rel, content), dest)
            if stored == dest:
                dest.write_bytes(content)
            else:
                dest.symlink_to(os.path.relpath(stored, dest.parent))
