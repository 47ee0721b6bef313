"""`copier update` builds and verifies once, in the real destination only: not in the
temporary replays of the old and new template versions that Copier renders."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from helpers import ROOT, run_copier
from nonroot.task import conflicted_files, is_replay


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout


def test_replay_folders_are_recognised(tmp_path):
    assert is_replay(tmp_path / "copier._main.old_copy.abc123")
    assert is_replay(tmp_path / "copier._main.new_copy.x" / "sub")
    assert not is_replay(tmp_path / "my-service")


def test_conflict_markers_and_rej_files_are_found(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM x\n<<<<<<< before updating\nUSER 1\n=======\nUSER 2\n>>>>>>> after updating\n")
    (tmp_path / "app.py.rej").write_text("@@\n")
    (tmp_path / "clean.txt").write_text("nothing\n")
    assert conflicted_files(tmp_path) == ["Dockerfile", "app.py.rej"]


def test_update_builds_and_verifies_exactly_once(tmp_path, python_base, engine):
    template = tmp_path / "template"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(template)], check=True)
    # The working tree as it is now (tests may run before a commit).
    shutil.copytree(ROOT, template, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", "*.egg-info"))
    git(template, "add", "-A")
    git(template, "commit", "-q", "--allow-empty", "-m", "v1")
    git(template, "tag", "v1")
    dest = tmp_path / "svc"
    first = run_copier("copy", "--trust", "--defaults", "--vcs-ref=v1", "-d", f"base_image={python_base}",
                       "-d", "service_name=upd-once", str(template), str(dest))
    assert first.returncode == 0, first.stderr[-2000:]
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "generated")
    notes = template / "template" / "NOTES.md"
    notes.write_text("Added in v2.\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "v2")
    git(template, "tag", "v2")
    # Renovate's copier manager runs exactly this, from the answers file's folder.
    result = run_copier("update", "--skip-answered", "--defaults", "--trust",
                        "--answers-file", ".copier-answers.nonroot.yml", "--vcs-ref", "v2", cwd=dest)
    try:
        assert result.returncode == 0, result.stderr[-2000:]
        assert (dest / "NOTES.md").read_text() == "Added in v2.\n"
        assert result.stderr.count("nonroot: building the image") == 1, result.stderr[-3000:]
        assert "PROVEN NON-ROOT" in result.stderr
    finally:
        engine.images.remove("upd-once:dev", force=True)
