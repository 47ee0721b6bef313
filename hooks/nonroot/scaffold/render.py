"""Rendering aside: the template rendered into a folder of its own, without tasks.

`nonroot new` renders here first (a refused answer stops before anything is written), and it
tells from here whether a folder it generated before is still its own: the answers recorded
in the folder, rendered again, give back every file byte for byte.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .project import ANSWERS_FILE


def render(source: str, folder: Path, data: dict[str, object], defaults: bool, vcs_ref: str | None,
           user_defaults: dict[str, object] | None = None) -> dict[str, object]:
    """Render SOURCE into FOLDER (asking what DATA and DEFAULTS leave open, USER_DEFAULTS
    as the prompts' defaults); return the complete answers (questions only)."""
    from copier import run_copy

    run_copy(source, str(folder), data=data, user_defaults=user_defaults or {}, defaults=defaults,
             unsafe=True, skip_tasks=True, quiet=True, vcs_ref=vcs_ref)
    return questions_only(recorded_answers(folder))


def recorded_answers(folder: Path) -> dict[str, object]:
    return yaml.safe_load((folder / ANSWERS_FILE).read_text()) or {}


def questions_only(answers: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in answers.items() if not key.startswith("_")}


def rendered_files(folder: Path) -> list[str]:
    """The files of a rendering, relative to it; the answers file (whose _src_path nonroot
    rewrites, see source.py) is not among them."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*")
                  if path.is_file() and path.name != ANSWERS_FILE)


@dataclass(frozen=True)
class Ownership:
    """What a folder's recorded answers render, and which of those files differ there now."""

    answers: dict[str, object]
    files: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def unchanged(self) -> bool:
        return not self.changed


def ownership(source: str, dest: Path, vcs_ref: str | None, scratch: Path) -> Ownership:
    """Render DEST's recorded answers at the template version they record (else at VCS_REF)
    into SCRATCH, and compare. A folder whose rendering cannot be repeated counts as changed."""
    from copier.errors import CopierError

    try:
        recorded = recorded_answers(dest)
        answers = questions_only(recorded)
    except (yaml.YAMLError, AttributeError):  # not a mapping of answers: not as nonroot wrote it
        return Ownership({}, (), (ANSWERS_FILE,))
    refs = [str(recorded["_commit"])] if recorded.get("_commit") else []
    first_changed: tuple[str, ...] | None = None
    for index, ref in enumerate([*refs, vcs_ref]):
        folder = scratch / f"as-recorded-{index}"
        try:
            render(source, folder, answers, True, ref)
        except (ValueError, CopierError, OSError):
            continue
        files = rendered_files(folder)
        changed = tuple(name for name in files if not (dest / name).is_file()
                        or (dest / name).read_bytes() != (folder / name).read_bytes())
        if not changed:
            return Ownership(answers, tuple(files), ())
        first_changed = changed if first_changed is None else first_changed
    return Ownership(answers, (), first_changed or (ANSWERS_FILE,))
