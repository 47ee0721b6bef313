"""Read files and ownership from an image's or a container's filesystem through the
engine's archive API: no shell, no process started in the image."""
from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass


@dataclass(frozen=True)
class PathOwner:
    path: str
    uid: int
    gid: int
    mode: int

    def describe(self) -> str:
        return f"{self.path} owned by {self.uid}:{self.gid} mode {self.mode:o}"


def _archive_member(container, path: str) -> tuple[tarfile.TarInfo, bytes | None] | None:
    """The first tar member for `path` and, for a regular file, its bytes."""
    from docker.errors import NotFound

    try:
        stream, _stat = container.get_archive(path)
    except NotFound:
        return None
    buf = io.BytesIO(b"".join(stream))
    with tarfile.open(fileobj=buf) as tar:
        member = tar.next()
        if member is None:
            return None
        data = tar.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
    return member, data


def read_file(container, path: str) -> bytes | None:
    """Contents of a regular file in the container, or None if it is absent."""
    found = _archive_member(container, path)
    return None if found is None else found[1]


def owner(container, path: str) -> PathOwner | None:
    """Numeric owner and mode of a path in the container, or None if it is absent."""
    found = _archive_member(container, path)
    if found is None:
        return None
    member = found[0]
    return PathOwner(path=path, uid=member.uid, gid=member.gid, mode=member.mode)


def parse_passwd(text: str) -> dict[str, int]:
    """{name: uid} from /etc/passwd (or {name: gid} from /etc/group) text."""
    table: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            table.setdefault(parts[0], int(parts[2]))
    return table
