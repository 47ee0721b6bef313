"""What `copier update` leaves for a person: inline conflict markers, `.rej` files, and
paths git records as unmerged. `copier update` exits 0 even then, so they are read from
the files and from git."""
from __future__ import annotations

import subprocess
from pathlib import Path

# The labels Copier 9 gives `git merge-file`; a line starting with the bare markers counts too.
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")


def _git_lines(directory: Path, command: str, *args: str) -> list[str] | None:
    """`git COMMAND -z ARGS` run in DIRECTORY, split; None outside a git work tree."""
    result = subprocess.run(["git", command, "-z", *args], cwd=directory, capture_output=True, text=True, check=False)
    return [line for line in result.stdout.split("\0") if line] if result.returncode == 0 else None


def _candidates(directory: Path) -> list[Path]:
    """The files an update can have left markers or .rej files in. In a git work tree: the
    tracked files changed since the last commit, the untracked ones git does not ignore, and
    .rej files even where ignored (Copier refuses to update a dirty repository, so nothing else
    was written by the update; a service's node_modules or .venv is never read). Elsewhere,
    every file outside .git."""
    changed = _git_lines(directory, "ls-files", "--modified", "--others", "--exclude-standard")
    if changed is None:
        return [path for path in directory.rglob("*")
                if ".git" not in path.relative_to(directory).parts and path.is_file()]
    rejected = _git_lines(directory, "ls-files", "--others", "--ignored", "--exclude-standard", "--", "*.rej") or []
    return [directory / name for name in {*changed, *rejected} if (directory / name).is_file()]


def marked_files(directory: Path) -> list[str]:
    """Files with inline conflict markers, and .rej files, relative to DIR (sorted)."""
    found: list[str] = []
    for path in sorted(_candidates(directory)):
        if path.suffix == ".rej":
            found.append(str(path.relative_to(directory)))
            continue
        try:
            lines = path.read_text(errors="ignore").splitlines()
        except OSError:
            continue
        if any(line.startswith(CONFLICT_MARKERS) for line in lines):
            found.append(str(path.relative_to(directory)))
    return found


def unmerged_files(directory: Path) -> list[str]:
    """Paths git records as unmerged (Copier writes the merge stages into the index)."""
    result = subprocess.run(["git", "ls-files", "--unmerged", "--full-name", "--", "."], cwd=directory,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return []  # not a git repository: the files alone tell
    top = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=directory, capture_output=True,
                         text=True, check=False).stdout.strip()
    paths = {line.split("\t", 1)[1] for line in result.stdout.splitlines() if "\t" in line}
    return sorted(path[len(top):] if top and path.startswith(top) else path for path in paths)


def conflicted_files(directory: Path) -> list[str]:
    """Every file an update left in conflict: markers, .rej files, unmerged paths."""
    return sorted(set(marked_files(directory)) | set(unmerged_files(directory)))
