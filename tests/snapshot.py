"""The reviewed snapshot of the support table's renders, in one text file,
tests/snapshots/support-table.txt: every file each row of the support table renders
(test_rendered_files.SUPPORT_TABLE, with the answers the lint test renders it with), as it was
when last reviewed. test_snapshot.py fails on any difference; an intended change is recorded with
one command, and the diff shows in git:

    python scripts/update_snapshot.py

One file rather than a folder per row: Copier clones the whole template repository for every
render (twice for an update), and each file it checks out and deletes again costs time
(bench figure 3). The format, for a reader of `git diff`:

    row <row id>
      <rendered path> = <content number>      one line per file the row renders
    ...
    content <number>: <rendered path> (<bytes> bytes)
    <the file's text, exactly that many bytes>

A content is stored once, numbered in the order rows first render it (most rows share their
compose.yaml, workflow, samples...; only the Dockerfiles all differ). Not in the snapshot:
.copier-answers.nonroot.yml, Copier's record of the answers (the row's id names them) with the
path of the template copy the session rendered from."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from helpers import ROOT

SNAPSHOT = ROOT / "tests" / "snapshots" / "support-table.txt"
NOT_SNAPSHOT = {".copier-answers.nonroot.yml"}
REGENERATE = "python scripts/update_snapshot.py"
HEADER = (b"# The reviewed snapshot of the support table's renders: written by `python scripts/update_snapshot.py`,\n"
          b"# read by tests/snapshot.py (which describes the format). Review changes with git diff.\n")
_CONTENT = re.compile(rb"content (\d+): (.+) \((\d+) bytes\)\n")
_FILE = re.compile(r"  (.+) = (\d+)")


@dataclass(frozen=True)
class Snapshot:
    """The rows, each as {rendered path: content}."""

    rows: dict[str, dict[str, bytes]]


def rendered_files(folder: Path) -> dict[str, bytes]:
    """A render's files by path relative to FOLDER."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name not in NOT_SNAPSHOT}


def dumps(rows: list[tuple[str, dict[str, bytes]]]) -> bytes:
    """The snapshot file's bytes for these (row id, files) pairs, in table order."""
    numbers: dict[tuple[str, bytes], int] = {}  # (path, content) -> its block's number
    index = []
    for row, files in rows:
        index.append(f"row {row}\n".encode())
        for path, content in files.items():
            number = numbers.setdefault((path, content), len(numbers) + 1)
            index.append(f"  {path} = {number}\n".encode())
    blocks = [f"content {number}: {path} ({len(content)} bytes)\n".encode() + content + b"\n"
              for (path, content), number in numbers.items()]
    return HEADER + b"".join(index) + b"\n" + b"".join(blocks)


def loads(data: bytes) -> Snapshot:
    """The snapshot in DATA (dumps' format); ValueError where it is not."""
    lines_end = data.find(b"\ncontent 1: ")
    index_text = data[:lines_end if lines_end >= 0 else len(data)].decode()
    contents: dict[int, bytes] = {}
    at = lines_end + 1 if lines_end >= 0 else len(data)
    while at < len(data):
        header = _CONTENT.match(data, at)
        if not header:
            raise ValueError(f"{SNAPSHOT.name}: no content header at byte {at}")
        start = header.end()
        end = start + int(header.group(3))
        if data[end:end + 1] != b"\n":
            raise ValueError(f"{SNAPSHOT.name}: content {header.group(1).decode()} does not end where its size says")
        contents[int(header.group(1))] = data[start:end]
        at = end + 1
    rows: dict[str, dict[str, bytes]] = {}
    current: dict[str, bytes] | None = None
    for line in index_text.splitlines():
        if line.startswith("row "):
            current = rows.setdefault(line[4:], {})
        elif (match := _FILE.fullmatch(line)) and current is not None:
            current[match.group(1)] = contents[int(match.group(2))]
        elif line and not line.startswith("#"):
            raise ValueError(f"{SNAPSHOT.name}: unexpected line {line!r}")
    return Snapshot(rows)


def load() -> Snapshot:
    return loads(SNAPSHOT.read_bytes()) if SNAPSHOT.is_file() else Snapshot({})


def differences(stored: Snapshot, row: str, render: Path) -> list[str]:
    """How RENDER differs from the snapshot of ROW: files missing or extra, and a unified diff
    per file that changed. Empty when they are the same."""
    if row not in stored.rows:
        return [f"no snapshot of row {row} (a new row? run {REGENERATE})"]
    want, got = stored.rows[row], rendered_files(render)
    found = [f"{path}: in the snapshot, not rendered" for path in sorted(want.keys() - got.keys())]
    found += [f"{path}: rendered, not in the snapshot" for path in sorted(got.keys() - want.keys())]
    for path in sorted(want.keys() & got.keys()):
        if want[path] != got[path]:
            diff = difflib.unified_diff(want[path].decode().splitlines(True), got[path].decode().splitlines(True),
                                        f"snapshot/{row}/{path}", f"render/{path}")
            found.append("".join(diff))
    return found


def write(renders: list[tuple[str, Path]]) -> None:
    """Replace the snapshot with these (row id, render folder) pairs, in table order."""
    ids = [row for row, _ in renders]
    duplicated = sorted({row for row in ids if ids.count(row) > 1})
    if duplicated:
        raise ValueError(f"support-table rows with the same id: {duplicated}")
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_bytes(dumps([(row, rendered_files(render)) for row, render in renders]))
