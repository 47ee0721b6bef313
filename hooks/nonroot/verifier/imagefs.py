"""Read files and ownership from an image's or a container's filesystem through the
engine's archive API: no shell, no process started in the image."""
from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Callable

from .rootpaths import wants_content

EXPORT_CHUNK = 1 << 20  # bytes read from the engine at a time while streaming a filesystem
MAX_CONTENT = 1 << 20   # the largest file whose text the scan keeps (sudoers, passwd... are small)


@dataclass(frozen=True)
class FsEntry:
    """One file or directory of an image, as its tar header gives it."""

    path: str
    uid: int
    gid: int
    mode: int
    is_dir: bool = False
    file_caps: bool = False
    caps: tuple[str, ...] | None = None   # the file capabilities it grants (permitted set); None: not read

    def describe(self) -> str:
        """e.g. "/usr/bin/su 0:0 mode 4755 (setuid)"."""
        kinds = [k for k, bit in (("setuid", 0o4000), ("setgid", 0o2000)) if self.mode & bit and not self.is_dir]
        if self.file_caps:
            kinds.append("file capabilities")
        extra = f" ({', '.join(kinds)})" if kinds else ""
        return f"{self.path}{'/' if self.is_dir else ''} {self.uid}:{self.gid} mode {self.mode:04o}{extra}"

    def ownership(self) -> str:
        """e.g. "/data owned by 10001:10001 mode 755" (the writable-path check's words)."""
        return f"{self.path} owned by {self.uid}:{self.gid} mode {self.mode:o}"


def read_file(container, path: str) -> bytes | None:
    """Contents of a regular file in the container, or None if it is absent or not a file."""
    from docker.errors import NotFound

    try:
        stream, _stat = container.get_archive(path)
    except NotFound:
        return None
    with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
        member = tar.next()
        if member is None or not member.isfile():
            return None
        return tar.extractfile(member).read()  # type: ignore[union-attr]


class _ChunkReader(io.RawIOBase):
    """A read-only file over an iterable of byte chunks (the engine's export stream)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class Entry(tarfile.TarInfo):
    """A tar member that may carry its file's bytes (`content`), for the few files the checks read."""

    __slots__ = ("content",)

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self.content: bytes | None = None


def iter_entries(container, contents: Callable[[str], bool] = wants_content) -> Iterator[Entry]:
    """Every entry (path, mode, uid, gid, xattrs in pax headers) of a container's filesystem.

    Streams `docker export` through tarfile's stream mode: file contents are skipped,
    never held, so memory stays bounded whatever the image's size, except for the small
    regular files `contents` names (accounts, sudoers, doas.conf), whose bytes are kept on
    the entry. Names are made absolute.
    """
    reader = io.BufferedReader(_ChunkReader(container.export(chunk_size=EXPORT_CHUNK)), EXPORT_CHUNK)
    with tarfile.open(fileobj=reader, mode="r|", tarinfo=Entry) as tar:
        for member in tar:
            member.name = absolute(member.name)
            if member.isfile() and member.size <= MAX_CONTENT and contents(member.name):
                member.content = tar.extractfile(member).read()  # type: ignore[union-attr]
            yield member


def absolute(name: str) -> str:
    """A tar member name as an absolute path: `./usr/bin/` -> `/usr/bin`, `.` -> `/`."""
    if name.startswith("./"):
        name = name[2:]
    elif name == ".":
        name = ""
    return "/" + name.strip("/")


def owner(container, path: str) -> FsEntry | None:
    """Numeric owner and mode of `path` itself in the container or image, reading only the
    archive's first header (a directory's contents are not transferred); None when the path
    is absent."""
    from docker.errors import NotFound

    try:
        stream, _stat = container.get_archive(path, chunk_size=64 * 1024)
    except NotFound:
        return None
    try:
        with tarfile.open(fileobj=io.BufferedReader(_ChunkReader(stream)), mode="r|") as tar:
            member = tar.next()
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return None if member is None else FsEntry(path, member.uid, member.gid, member.mode & 0o7777, member.isdir())
