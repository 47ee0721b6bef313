"""After a failure, every printed advice works as printed: these tests type it.

The realistic first failure: the default base image cannot be pulled (no registry here).
`nonroot new` keeps the files and names two ways on: `nonroot new DEST --defaults -d NAME=VALUE`
(regenerates DEST, which is nonroot's own and unchanged since) and `nonroot check DEST` after
fixing the cause otherwise. A folder changed since gets the exact `copier update` command."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gitrepos import template_repo
from helpers import run_nonroot

ANSWERS = ".copier-answers.nonroot.yml"
NO_BUILD = ("--defaults", "-d", "verify=false", "--vcs-ref", "HEAD")
GIT_ID = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
          "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def advice(stderr: str, after: str) -> str:
    """The command printed after AFTER on nonroot's last line, up to the next ; or ("""
    last = stderr.strip().splitlines()[-1]
    assert after in last, stderr
    return re.split(r"[;(]| \(your", last.split(after, 1)[1])[0].strip()


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """Type COMMAND in a shell, with the venv's commands (nonroot, copier) on PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(["sh", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=900,
                          env={**os.environ, **GIT_ID, "PATH": path}, stdin=subprocess.DEVNULL)


def answers(dest: Path) -> dict:
    return yaml.safe_load((dest / ANSWERS).read_text())


def test_an_unchanged_folder_is_regenerated_with_the_new_answer_and_the_old_ones_kept(tmp_path):
    dest = tmp_path / "svc"
    assert run_nonroot("new", str(dest), *NO_BUILD, "-d", "service_name=billing").returncode == 0
    result = run_nonroot("new", str(dest), *NO_BUILD, "-d", "uid=20001", "-d", "gid=20001")
    assert result.returncode == 0, result.stderr
    assert f"nonroot: regenerated {dest}" in result.stderr
    assert (answers(dest)["service_name"], answers(dest)["uid"]) == ("billing", 20001)
    assert "USER 20001:20001" in (dest / "Dockerfile").read_text()


def test_a_file_the_new_answers_no_longer_render_is_removed(tmp_path):
    dest = tmp_path / "svc"
    assert run_nonroot("new", str(dest), *NO_BUILD, "-d", "kubernetes=true").returncode == 0
    assert (dest / "k8s" / "deployment.yaml").is_file()
    assert run_nonroot("new", str(dest), *NO_BUILD, "-d", "kubernetes=false").returncode == 0
    assert not (dest / "k8s" / "deployment.yaml").exists()


def test_a_changed_folder_is_left_alone_and_its_copier_update_advice_works(tmp_path):
    # copier update renders the recorded version again: a released (committed, tagged) template
    template = template_repo(tmp_path / "nonroot", "v1.0.0")
    from_release = ("--template", str(template), "--defaults", "-d", "verify=false")
    dest = tmp_path / "svc"
    assert run_nonroot("new", str(dest), *from_release).returncode == 0
    with (dest / "Dockerfile").open("a") as dockerfile:
        dockerfile.write("# our own line\n")
    before = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    result = run_nonroot("new", str(dest), *from_release, "-d", "uid=20001")
    assert result.returncode == 2
    assert "has changed since (Dockerfile)" in result.stderr
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == before
    # the advice: commit first (it is not a repository yet), then copier update with the answers file
    commit = advice(result.stderr, "with nothing uncommitted): ")
    assert shell(commit, tmp_path).returncode == 0
    update = advice(result.stderr, "then run: ").replace("NAME=VALUE", "uid=20001")
    assert f"--answers-file {ANSWERS}" in update
    done = shell(update + " -d verify=false", tmp_path)
    assert done.returncode == 0, done.stderr
    assert answers(dest)["uid"] == 20001
    dockerfile = (dest / "Dockerfile").read_text()
    assert "USER 20001:" in dockerfile and "# our own line" in dockerfile


@pytest.mark.engine
def test_after_a_base_image_that_cannot_be_pulled_the_printed_new_command_ends_verified(
        tmp_path, python_base, built_tags):
    dest = tmp_path / "svc"
    built_tags.append("nr-recover:dev")
    first = run_nonroot("new", str(dest), "--defaults", "--vcs-ref", "HEAD", "-d", "service_name=nr-recover")
    assert first.returncode == 1
    assert "could not be pulled" in first.stderr
    command = advice(first.stderr, "to change an answer, run: ")
    assert command == f"nonroot new {shlex.quote(str(dest))} --defaults -d NAME=VALUE"
    command = command.replace("NAME=VALUE", f"base_image={python_base} -d builder_image={python_base}")
    second = shell(command + " --vcs-ref HEAD", tmp_path)
    assert second.returncode == 0, second.stderr
    assert "no process runs as root" in second.stderr
    assert f"nonroot: regenerated {dest}" in second.stderr
    assert answers(dest)["service_name"] == "nr-recover"


@pytest.mark.engine
def test_after_a_base_image_that_cannot_be_pulled_fixing_the_dockerfile_and_the_printed_check_verify(
        tmp_path, python_base, built_tags):
    dest = tmp_path / "svc"
    built_tags.append("nr-recover-check:dev")
    first = run_nonroot("new", str(dest), "--defaults", "--vcs-ref", "HEAD", "-d", "service_name=nr-recover-check")
    assert first.returncode == 1
    default_image = answers(dest)["base_image"]
    dockerfile = dest / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace(f"FROM {default_image}", f"FROM {python_base}"))
    check = shell(advice(first.stderr, "fix the cause otherwise, then run: "), tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "PROVEN NON-ROOT" in check.stdout


def test_a_damaged_answers_file_counts_as_changed_in_one_line(tmp_path):
    dest = tmp_path / "svc"
    assert run_nonroot("new", str(dest), *NO_BUILD).returncode == 0
    (dest / ANSWERS).write_text("uid: [unclosed\n")
    result = run_nonroot("new", str(dest), *NO_BUILD)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(f"nonroot: {dest} was generated by nonroot and has "
                                                             f"changed since ({ANSWERS})")
    assert "Traceback" not in result.stderr
