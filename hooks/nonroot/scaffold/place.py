"""Move a tree rendered aside into its destination, all or nothing.

`nonroot new` renders into a temporary folder first; this module puts the result in place.
Every file is first copied next to its target under a hidden name, and only when all copies
succeeded are they renamed over their targets (a rename within a folder does not fail for
want of space or permission once the copy beside it was written). So a read-only folder, a
full disk, a path under a file or a folder the user may not write stops it with the
destination as it was: the copies made so far and the folders it created are removed.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NonrootError


class CannotWrite(NonrootError):
    """The destination cannot take the files; nothing was changed there."""


@dataclass
class _Staging:
    dest: Path
    created: list[Path] = field(default_factory=list)  # folders made, parents first
    staged: list[tuple[Path, Path]] = field(default_factory=list)  # (hidden copy, target)
    set_aside: list[tuple[Path, Path]] = field(default_factory=list)  # (hidden name, removed file)

    def folder(self, path: Path) -> None:
        missing = []
        for folder in (path, *path.parents):
            if folder.is_dir():
                break
            if folder.exists() or folder.is_symlink():
                raise NotADirectoryError(20, "Not a directory", str(folder))
            missing.append(folder)
        for folder in reversed(missing):
            folder.mkdir()
            self.created.append(folder)

    def undo(self) -> None:
        for hidden, original in reversed(self.set_aside):
            os.replace(hidden, original)
        for hidden, _target in self.staged:
            hidden.unlink(missing_ok=True)
        for folder in reversed(self.created):
            try:
                folder.rmdir()
            except OSError:
                pass


def _hidden(target: Path) -> Path:
    return target.with_name(f".{target.name}.nonroot-{os.getpid()}")


def _same(source: Path, target: Path) -> bool:
    return (target.is_file() and not target.is_symlink() and target.read_bytes() == source.read_bytes()
            and (target.stat().st_mode & 0o111) == (source.stat().st_mode & 0o111))


def place(rendered: Path, dest: Path, remove: tuple[str, ...] = ()) -> None:
    """Copy every file under RENDERED to the same place under DEST, and delete REMOVE (paths
    relative to DEST), or change nothing and raise CannotWrite naming the cause."""
    staging = _Staging(dest)
    try:
        staging.folder(dest)
        for source in sorted(rendered.rglob("*")):
            target = dest / source.relative_to(rendered)
            if source.is_dir():
                staging.folder(target)
                continue
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(21, "Is a directory", str(target))
            if _same(source, target):
                continue
            staging.folder(target.parent)
            hidden = _hidden(target)
            staging.staged.append((hidden, target))
            shutil.copy2(source, hidden)
        for name in remove:
            original = dest / name
            if original.is_file():
                hidden = _hidden(original)
                os.replace(original, hidden)
                staging.set_aside.append((hidden, original))
        for hidden, target in staging.staged:
            os.replace(hidden, target)
    except KeyboardInterrupt:
        staging.undo()
        raise
    except OSError as error:
        staging.undo()
        where = f" ({error.filename})" if error.filename else ""
        raise CannotWrite(f"cannot write the files into {dest}: {error.strerror or error}{where}; "
                          "nothing was written") from error
    for hidden, _original in staging.set_aside:
        hidden.unlink(missing_ok=True)
