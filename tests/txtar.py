"""Text archives in the txtar format (Go's golang.org/x/tools/txtar): several text files in one,
readable as they are and reviewable in a git diff. The test apps are stored so
(tests/apps/NAME.txtar): Copier clones this whole repository for every render, five times for an
update, and each file it checks out costs every user time (docs/benchmarks.md, figures 3 and 5).

The format, as Go's: an optional comment, then each file as a marker line `-- NAME --` followed
by its content:

    A Flask API in one main.py.
    -- main.py --
    from flask import Flask
    -- .gitignore --
    __pycache__/

A marker line is one that starts with `-- ` and ends with ` --` (NAME is what lies between,
without surrounding spaces). A file's content always ends with a newline in the archive (Go's
rule); an empty file is a marker line followed directly by the next one.

Two additions of ours, written as words after the name in the marker line, so that every file
is restored byte for byte and mode for mode (Go's own reader would take them as part of the name):

    -- NAME (no final newline) --     the content as stored, without its last newline
    -- NAME (executable) --           extracted with the executable bits (u+x, g+x, o+x)

(both: `-- NAME (executable) (no final newline) --`). No test app needs either today.

What the format cannot hold is refused with a ValueError rather than written wrong: a content
line (or comment line) that looks like a marker line, a name with surrounding spaces, a newline
or one of the words above at its end, a file that is not UTF-8 text, a symbolic link. Empty
folders are not stored.

Command line (to look at, try or change an app by hand):

    python tests/txtar.py extract tests/apps/flask-root.txtar /tmp/flask-root
    python tests/txtar.py pack /tmp/flask-root tests/apps/flask-root.txtar

`pack` keeps the archive's comment unless --comment gives another."""
from __future__ import annotations

import argparse
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

NO_FINAL_NEWLINE = " (no final newline)"
EXECUTABLE = " (executable)"
_MARKER_START, _MARKER_END = b"-- ", b" --"


@dataclass
class Archive:
    """A comment (text, "" for none) and the files, in order: (relative path, content)."""

    comment: str = ""
    files: list[tuple[str, bytes]] = field(default_factory=list)
    executable: set[str] = field(default_factory=set)  # the paths extracted with u+x

    def get(self, name: str) -> bytes | None:
        """The content of the file NAME, or None where the archive has none."""
        return next((data for path, data in self.files if path == name), None)


def _marker_name(line: bytes) -> str | None:
    """The name a marker line (without its newline) announces, or None if LINE is not one (as
    Go's txtar decides)."""
    if not (line.startswith(_MARKER_START) and line.endswith(_MARKER_END)
            and len(line) >= len(_MARKER_START) + len(_MARKER_END)):
        return None
    return line[len(_MARKER_START):-len(_MARKER_END)].decode().strip() or None


def _words(name: str) -> tuple[str, bool, bool]:
    """A marker's NAME without our words after it, and whether they said executable and no final
    newline."""
    executable = no_newline = False
    while name.endswith((EXECUTABLE, NO_FINAL_NEWLINE)):
        if name.endswith(EXECUTABLE):
            name, executable = name[:-len(EXECUTABLE)], True
        else:
            name, no_newline = name[:-len(NO_FINAL_NEWLINE)], True
    return name, executable, no_newline


def _joined(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def _require_text(what: str, data: bytes) -> None:
    try:
        data.decode()
    except UnicodeDecodeError as error:
        raise ValueError(f"{what} is not UTF-8 text (byte {error.start}): txtar holds text files only") from None


def loads(data: bytes, source: str = "archive") -> Archive:
    """The archive in DATA; SOURCE names it in errors."""
    _require_text(source, data)
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # what follows the last newline
    comment: list[bytes] = []
    entries: list[tuple[str, bool, bool, list[bytes]]] = []  # name, executable, no final newline, lines
    for line in lines:
        name = _marker_name(line)
        if name is None:
            (entries[-1][3] if entries else comment).append(line)
        else:
            entries.append((*_words(name), []))
    archive = Archive(_joined(comment).decode())
    for name, executable, no_newline, body in entries:
        content = _joined(body)
        archive.files.append((name, content[:-1] if no_newline else content))
        if executable:
            archive.executable.add(name)
    return archive


def read(path: Path | str) -> Archive:
    """The archive in the file PATH."""
    return loads(Path(path).read_bytes(), str(path))


def _check_text(what: str, data: bytes) -> None:
    _require_text(what, data)
    for number, line in enumerate(data.split(b"\n"), 1):
        if _marker_name(line) is not None:
            raise ValueError(f"{what}, line {number}, looks like a txtar file marker ({line.decode()!r}): "
                             "the archive cannot hold it")


def _check_name(source: str, name: str) -> None:
    if not name or name != name.strip() or "\n" in name or "\r" in name:
        raise ValueError(f"{source}: {name!r} cannot be a file name in a txtar archive "
                         "(empty, surrounding spaces or a line break)")
    for word in (NO_FINAL_NEWLINE, EXECUTABLE):
        if name.endswith(word):
            raise ValueError(f"{source}: {name!r} ends with {word.strip()!r}, which the archive uses as a mark")


def dumps(archive: Archive, source: str = "archive") -> bytes:
    """ARCHIVE's bytes; ValueError (naming SOURCE and the file) for what the format cannot hold."""
    _check_text(f"{source}: the comment", archive.comment.encode())
    out = [archive.comment.encode()]
    if out[0] and not out[0].endswith(b"\n"):
        out.append(b"\n")
    for name, data in archive.files:
        _check_name(source, name)
        _check_text(f"{source}: {name}", data)
        words = (EXECUTABLE if name in archive.executable else "") + \
                (NO_FINAL_NEWLINE if data and not data.endswith(b"\n") else "")
        out.append(f"-- {name}{words} --\n".encode())
        out.append(data if not data or data.endswith(b"\n") else data + b"\n")
    return b"".join(out)


def write(path: Path | str, archive: Archive) -> None:
    """ARCHIVE written to the file PATH (nothing is written where it cannot be)."""
    data = dumps(archive, str(path))
    Path(path).write_bytes(data)


def pack(folder: Path | str, comment: str = "") -> Archive:
    """Every file under FOLDER (hidden ones too), by relative path in sorted order, with COMMENT."""
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"{root}: not a folder")
    archive = Archive(comment)
    for path in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise ValueError(f"{root}: {name} is a symbolic link, which a txtar archive cannot hold")
        if path.is_file():
            archive.files.append((name, path.read_bytes()))
            if path.stat().st_mode & stat.S_IXUSR:
                archive.executable.add(name)
    dumps(archive, str(root))  # refuse here what write would
    return archive


def _target(dest: Path, source: str, name: str) -> Path:
    """Where NAME of the archive SOURCE goes under DEST: never outside it."""
    parts = PurePosixPath(name).parts
    if PurePosixPath(name).is_absolute() or name.startswith("\\") or ".." in parts or not parts:
        raise ValueError(f"{source}: refusing to extract {name!r}: an archive's paths stay inside the destination")
    target = dest.joinpath(*parts)
    if not target.resolve().is_relative_to(dest.resolve()):
        raise ValueError(f"{source}: refusing to extract {name!r}: it would land outside {dest} (a link)")
    return target


def extract(path: Path | str, dest_dir: Path | str) -> Path:
    """The files of the archive PATH written under DEST_DIR (made where missing), which is
    returned. Every path is checked before anything is written."""
    archive, dest = read(path), Path(dest_dir)
    targets = [(_target(dest, str(path), name), data, name in archive.executable) for name, data in archive.files]
    dest.mkdir(parents=True, exist_ok=True)
    for target, data, executable in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if executable:
            target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tests/txtar.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    unpack = commands.add_parser("extract", help="write the files of ARCHIVE under DEST")
    unpack.add_argument("archive", type=Path)
    unpack.add_argument("dest", type=Path)
    store = commands.add_parser("pack", help="store every file of FOLDER in ARCHIVE")
    store.add_argument("folder", type=Path)
    store.add_argument("archive", type=Path)
    store.add_argument("--comment", help="the archive's comment (default: the one ARCHIVE has, if it exists)")
    args = parser.parse_args(argv)
    try:
        if args.command == "extract":
            extract(args.archive, args.dest)
            print(f"{args.archive} -> {args.dest}")
        else:
            comment = args.comment if args.comment is not None else \
                (read(args.archive).comment if args.archive.is_file() else "")
            archive = pack(args.folder, comment)
            write(args.archive, archive)
            print(f"{args.folder} -> {args.archive} ({len(archive.files)} files)")
    except (OSError, ValueError) as error:
        print(f"txtar: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
