"""`nonroot new` into a destination the filesystem refuses: one `nonroot:` line, never a
traceback, and nothing half-written (it renders aside, then moves the files into place).

The tests run as root (as CI does, .ci/run), so mode bits would not refuse anything: they use
what refuses root too: a read-only or tiny tmpfs, the immutable attribute (chattr +i), a file
where a folder should be."""
from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from helpers import run_nonroot, skip_here_fail_in_ci

NO_BUILD = ("--defaults", "-d", "verify=false", "--vcs-ref", "HEAD")


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ROOT."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


def needs_root() -> None:
    if os.geteuid() != 0:
        skip_here_fail_in_ci("mounting a tmpfs and chattr +i need root")


@contextlib.contextmanager
def tmpfs(where: Path, options: str):
    needs_root()
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


@contextlib.contextmanager
def immutable(path: Path):
    needs_root()
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def refused(result: subprocess.CompletedProcess, reason: str) -> str:
    """The one error line, checked: exit 2, no traceback, the reason and "nothing was written"."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    # one line: the error (an existing repository also gets what was detected in it, printed first)
    lines = [line for line in result.stderr.splitlines() if not line.startswith(("nonroot: detected", "nonroot: warning"))]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nonroot: cannot write the files into ") and reason in lines[0], lines[0]
    assert lines[0].endswith("; nothing was written"), lines[0]
    return lines[0]


def test_a_read_only_destination_is_one_line_and_nothing_is_written(tmp_path):
    with tmpfs(tmp_path / "ro", "ro,size=1m") as mount:
        result = run_nonroot("new", str(mount / "svc"), *NO_BUILD)
        refused(result, "Read-only file system")
        assert tree(mount) == {}


def test_a_destination_under_a_file_is_one_line_and_nothing_is_written(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder\n")
    result = run_nonroot("new", str(tmp_path / "notes.txt" / "svc"), *NO_BUILD)
    refused(result, "Not a directory")
    assert tree(tmp_path) == {"notes.txt": b"a file, not a folder\n"}


def test_a_full_disk_is_one_line_and_nothing_is_written(tmp_path):
    # the service's files need 11 pages or more; 6 pages hold some of them, never all
    with tmpfs(tmp_path / "small", "size=24k") as mount:
        result = run_nonroot("new", str(mount / "svc"), *NO_BUILD)
        refused(result, "No space left on device")
        assert tree(mount) == {}


def test_a_folder_root_may_not_write_is_one_line_and_nothing_is_written(tmp_path):
    dest = tmp_path / "svc"
    dest.mkdir()
    with immutable(dest):
        result = run_nonroot("new", str(dest), *NO_BUILD)
        refused(result, "Operation not permitted")
    assert tree(dest) == {}


def test_a_read_only_subfolder_of_a_repository_leaves_no_file_half_written(tmp_path):
    dest = tmp_path / "svc"
    (dest / ".github").mkdir(parents=True)
    (dest / "README.md").write_text("# svc\n")
    before = tree(dest)
    with immutable(dest / ".github"):
        result = run_nonroot("new", str(dest), *NO_BUILD)
        refused(result, f"{dest / '.github'}")
    assert tree(dest) == before


def test_a_writable_destination_takes_every_file_and_no_hidden_copy(tmp_path):
    """The counterpart: the same command into a writable folder writes the service, so the
    refusals above are the filesystem's."""
    dest = tmp_path / "svc"
    result = run_nonroot("new", str(dest), *NO_BUILD)
    assert result.returncode == 0, result.stderr
    assert (dest / "Dockerfile").is_file() and (dest / ".github" / "workflows" / "container.yml").is_file()
    assert not [p for p in dest.rglob("*") if ".nonroot-" in p.name]
