"""Base images for the tests, built offline: no registry is needed.

debootstrap makes a Debian root filesystem, `docker import` turns it into an
image. Each image is built once and kept in the engine (the name carries the
recipe's version, so a changed recipe builds a new image).

    python tests/images.py        # build the missing ones (what .ci/run does)
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MIRROR = "http://deb.debian.org/debian"


@dataclass(frozen=True)
class BaseImage:
    name: str
    suite: str
    include: tuple[str, ...]


PYTHON = BaseImage("nonroot-test/python:bookworm-1", "bookworm", ("python3", "python3-venv"))
ALL = (PYTHON,)


def image_exists(name: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", name], capture_output=True).returncode == 0


def build(base: BaseImage) -> None:
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is not installed (apt-get install -y debootstrap)")
    with tempfile.TemporaryDirectory(prefix="nonroot-rootfs-") as tmp:
        root = Path(tmp) / "rootfs"
        cmd = ["debootstrap", "--variant=minbase"]
        if base.include:
            cmd.append("--include=" + ",".join(base.include))
        subprocess.run(cmd + [base.suite, str(root), MIRROR], check=True, stdout=subprocess.DEVNULL)
        # Leave apt usable (sources.list stays) but drop what only the bootstrap needed.
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            shutil.rmtree(root / junk, ignore_errors=True)
            (root / junk).mkdir(parents=True, exist_ok=True)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "import", "-", base.name], stdin=tar.stdout, check=True,
                       stdout=subprocess.DEVNULL)
        if tar.wait() != 0:
            raise RuntimeError(f"tar of {root} failed")


def ensure(base: BaseImage) -> str:
    if not image_exists(base.name):
        build(base)
    return base.name


def main() -> int:
    for base in ALL:
        print(f"base image {ensure(base)} ready", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
