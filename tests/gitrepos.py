"""Real git repositories for update tests: the template as a tagged repository, services
committed as their owners would."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from helpers import ROOT

IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", "*.egg-info", "bench", "tests")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    if tag:
        git(repo, "tag", tag)


def template_repo(path: Path, tag: str) -> Path:
    """This template's working tree (as it is now, uncommitted changes included) as the
    first commit of a new repository at PATH, tagged TAG."""
    shutil.copytree(ROOT, path, ignore=IGNORE)
    git(path, "init", "-q")
    commit_all(path, tag, tag)
    return path


def as_repository(service: Path) -> Path:
    """Commit a freshly generated service, as its owner does before the first update."""
    git(service, "init", "-q")
    commit_all(service, "generated")
    return service


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def make_service(template: Path, dest: Path, ref: str, **answers) -> Path:
    """Render TEMPLATE at REF into DEST (the task not run) and commit it."""
    from copier import run_copy

    run_copy(str(template), str(dest), data={"verify": False, **answers}, defaults=True, unsafe=True,
             quiet=True, vcs_ref=ref, skip_tasks=True)
    return as_repository(dest)


def release(template: Path, tag: str, old: str, new: str) -> None:
    """A new template version: OLD becomes NEW in the Dockerfile, and a NOTES.md appears."""
    edit(template / "template" / "Dockerfile.jinja", old, new)
    (template / "template" / "NOTES.md").write_text(f"Added in {tag}.\n")
    commit_all(template, tag, tag)
