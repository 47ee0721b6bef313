"""Renders of this checkout's template for the tests, each distinct set of answers rendered once
per session.

Copier clones a git template for every render (`vcs_ref="HEAD"`) and folds the working tree's
uncommitted changes into the clone. The tests instead render from one plain copy of the working
tree made at the start of the session (uncommitted changes included, no .git): the same
copier.yml, includes and hooks, without a clone per render. Rendering is deterministic (a
tested property: identical answers give identical files), so each distinct set of answers is
rendered once and every caller gets its own copy of that render to read or change."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import ROOT

# What a template checkout holds that Copier does not need to render it.
NOT_TEMPLATE = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", "*.egg-info", "bench",
                                      "tests", "*.pyc")


def snapshot_template(dest: Path) -> Path:
    """The working tree of this checkout (uncommitted changes included) as a plain folder at DEST."""
    shutil.copytree(ROOT, dest, ignore=NOT_TEMPLATE)
    return dest


class Renders:
    """Renders of a template snapshot, cached by answers (tasks not run, verify off unless given)."""

    def __init__(self, workdir: Path) -> None:
        self.template = snapshot_template(workdir / "template")
        self._cache_dir = workdir / "renders"
        self._cache_dir.mkdir()
        self._cache: dict[str, Path] = {}

    def render_new(self, dest: Path, **answers) -> Path:
        """Render into DEST now, bypassing the cache (for tests about rendering itself)."""
        from copier import run_copy

        run_copy(str(self.template), str(dest), data={"verify": False, **answers}, defaults=True, unsafe=True,
                 quiet=True, skip_tasks=True)
        return dest

    def shared(self, **answers) -> Path:
        """The session's one render for ANSWERS: read it, never change it."""
        key = json.dumps(answers, sort_keys=True, default=str)
        if key not in self._cache:
            dest = self._cache_dir / f"r{len(self._cache)}"
            try:
                self.render_new(dest, **answers)
            except BaseException:
                shutil.rmtree(dest, ignore_errors=True)
                raise  # refusals are not cached: each call renders and is refused again
            self._cache[key] = dest
        return self._cache[key]

    def copy(self, dest: Path, **answers) -> Path:
        """A copy of the render for ANSWERS at DEST, the caller's to change."""
        return Path(shutil.copytree(self.shared(**answers), dest, symlinks=True))
