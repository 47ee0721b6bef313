"""The material every figure works on: a clean checkout of this template, services
rendered from it on the offline base image, the sample payload, git repositories."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSWERS_FILE = ".copier-answers.nonroot.yml"


# The tests' helpers, shared rather than copied: git with a fixed identity (the bench runs
# on a machine with no git config) and the offline base images.
sys.path.insert(0, str(ROOT / "tests"))
from gitrepos import commit_all, git  # noqa: E402,F401  (re-exported for the figures)


def base_image() -> str:
    """The offline Debian bookworm image with Python (tests/images.py builds it once)."""
    import images

    return images.ensure(images.PYTHON)


def template_checkout(dest: Path) -> Path:
    """This template's last commit, cloned to DEST: a dirty working tree does not
    distort what is measured (Copier renders a dirty local template differently).
    --no-local: packed, as a clone from a git server is. A local clone would hardlink the
    development repository's loose objects (thousands), and Copier clones the template
    again for every render: each loose object is one more file to link and delete."""
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(dest)], check=True)
    return dest


def service_answers(base: str, layout: str = "multi", **answers: object) -> dict[str, object]:
    """Answers for a service on BASE, with the build and verification task off."""
    data: dict[str, object] = {"base_image": base, "layout": layout, "verify": False, **answers}
    if layout == "multi":
        data.setdefault("builder_image", base)
    return data


def render(template: Path, dest: Path, data: dict[str, object], vcs_ref: str = "HEAD") -> Path:
    """`copier copy` of TEMPLATE at VCS_REF into DEST, render only (tasks off)."""
    from copier import run_copy

    run_copy(str(template), str(dest), data=data, defaults=True, unsafe=True, quiet=True,
             vcs_ref=vcs_ref, skip_tasks=True)
    return dest


def add_payload(app_dir: Path, total_bytes: int, files: int = 8, seed: int = 1) -> int:
    """Data files under APP_DIR/data, pseudo-random (incompressible) and the same bytes
    for every seed: the sizeable part of the sample app. Returns the bytes written."""
    data = app_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    each = total_bytes // files
    for index in range(files):
        (data / f"blob-{index:02d}.bin").write_bytes(rng.randbytes(each))
    return each * files


def one_file_template(dest: Path) -> Path:
    """The smallest Copier template: one question, one file, in a git repository."""
    dest.mkdir(parents=True)
    (dest / "copier.yml").write_text("name:\n  type: str\n  default: world\n")
    (dest / "hello.txt.jinja").write_text("Hello {{ name }}.\n")
    git(dest, "init", "-q")
    commit_all(dest, "one file")
    return dest


def python() -> str:
    """The interpreter running the bench: its venv has copier and nonroot."""
    return sys.executable
