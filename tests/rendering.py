"""Renders of this checkout's template for the tests, each distinct set of answers rendered once
per session.

Copier clones a git template for every render (`vcs_ref="HEAD"`) and folds the working tree's
uncommitted changes into the clone. The tests instead render from one plain copy of the working
tree made at the start of the session (uncommitted changes included, no .git): the same
copier.yml, includes and hooks, without a clone per render. Rendering is deterministic (a
tested property: identical answers give identical files), so each distinct set of answers is
rendered once and every caller gets its own copy of that render to read or change.

Under pytest-xdist the snapshot and the renders live in a folder all workers share (the
session's base temp): a render one worker made is read by the others instead of being made
again. Each is written under a private name and renamed into place, so a reader never sees
half a render and two workers racing for the same answers both end with one complete copy."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from helpers import ROOT

# What a template checkout holds that Copier does not need to render it. Compiled modules are
# kept (each one records its source's size and time, which the copy keeps): every render loads
# the plan's modules from the snapshot.
NOT_TEMPLATE = shutil.ignore_patterns(".git", ".venv", ".pytest_cache", "*.egg-info", "bench", "tests")


def snapshot_template(dest: Path) -> Path:
    """The working tree of this checkout (uncommitted changes included) as a plain folder at DEST."""
    shutil.copytree(ROOT, dest, ignore=NOT_TEMPLATE)
    return dest


def _publish(build, final: Path) -> Path:
    """FINAL made by BUILD(a private folder next to it), unless it is there already."""
    if final.exists():
        return final
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        build(work / "out")
        os.rename(work / "out", final)
    except OSError:
        if not final.exists():  # not a lost race: a real failure
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final


class Renders:
    """Renders of a template snapshot, cached by answers (tasks not run, verify off unless given)
    in SHARED, a folder every test process of the session may use at once."""

    def __init__(self, shared: Path) -> None:
        shared.mkdir(parents=True, exist_ok=True)
        self.template = _publish(snapshot_template, shared / "template")
        self._cache_dir = shared / "renders"
        self._cache_dir.mkdir(exist_ok=True)

    def render_new(self, dest: Path, **answers) -> Path:
        """Render into DEST now, bypassing the cache (for tests about rendering itself)."""
        from copier import run_copy

        run_copy(str(self.template), str(dest), data={"verify": False, **answers}, defaults=True, unsafe=True,
                 quiet=True, skip_tasks=True)
        return dest

    def shared(self, **answers) -> Path:
        """The session's one render for ANSWERS: read it, never change it. Refusals are not
        cached: each call renders and is refused again."""
        key = hashlib.sha256(json.dumps(answers, sort_keys=True, default=str).encode()).hexdigest()[:24]
        return _publish(lambda dest: self.render_new(dest, **answers), self._cache_dir / key)

    def copy(self, dest: Path, **answers) -> Path:
        """A copy of the render for ANSWERS at DEST, the caller's to change."""
        return Path(shutil.copytree(self.shared(**answers), dest, symlinks=True))
