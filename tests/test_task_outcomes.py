"""What the post-copy task does when it cannot prove the image: it says what happened and
what to do next, and never deletes a generated file."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers import ROOT, run_copier, run_nonroot

MISSING_BASE = "nonroot-test/does-not-exist:1"


def copy_args(dest, *data: str) -> list[str]:
    args = ["copy", "--trust", "--defaults", "--vcs-ref=HEAD"]
    for item in data:
        args += ["-d", item]
    return [*args, str(ROOT), str(dest)]


def test_no_engine_warns_keeps_files_and_exits_0(tmp_path):
    dest = tmp_path / "svc"
    result = run_copier(*copy_args(dest), env={"DOCKER_HOST": f"unix://{tmp_path}/no-such.sock"})
    assert result.returncode == 0, result.stderr
    assert "WARNING: image not built or verified" in result.stderr
    # copier ran from elsewhere (the tests' folder): the advice names the service folder whole
    assert f"once an engine runs: nonroot check {dest}\n" in result.stderr
    assert (dest / "Dockerfile").is_file()


def test_copy_run_from_the_folders_parent_names_the_folder_relative_to_the_users_shell(tmp_path):
    result = run_copier(*copy_args("svc"), cwd=tmp_path,
                        env={"DOCKER_HOST": f"unix://{tmp_path}/no-such.sock", "PWD": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "once an engine runs: nonroot check svc\n" in result.stderr


def test_missing_base_image_with_no_cleanup_fails_and_keeps_files(tmp_path, engine):
    dest = tmp_path / "svc"
    result = run_copier("copy", "-C", *copy_args(dest, f"base_image={MISSING_BASE}")[1:])
    assert result.returncode != 0
    assert f"base image {MISSING_BASE} could not be pulled" in result.stderr
    assert f"fix the cause, then run: nonroot check {dest}\n" in result.stderr
    assert (dest / "Dockerfile").is_file()


def test_plain_copy_keeps_files_when_the_build_fails(tmp_path, engine):
    # Plain `copier copy` deletes a new destination when a task fails: the task keeps
    # the files by leaving the status at 0, and says so loudly.
    dest = tmp_path / "svc"
    result = run_copier(*copy_args(dest, f"base_image={MISSING_BASE}"))
    assert (dest / "Dockerfile").is_file()
    assert "NOT VERIFIED" in result.stderr
    assert f"base image {MISSING_BASE} could not be pulled" in result.stderr


def test_nonroot_new_fails_and_keeps_files_when_the_build_fails(tmp_path, engine):
    dest = tmp_path / "svc"
    result = run_nonroot("new", str(dest), "--defaults", "--vcs-ref", "HEAD", "-d", f"base_image={MISSING_BASE}")
    assert result.returncode == 1
    assert f"the generated files are kept in {dest}" in result.stderr
    assert (dest / "Dockerfile").is_file()


@pytest.mark.parametrize("quiet", [False, True], ids=["", "quiet"])
def test_nonroot_new_passes_the_folder_as_given_and_quiet_to_its_task(tmp_path, engine, quiet):
    result = subprocess.run([sys.executable, "-m", "nonroot.cli", "new", "svc", "--defaults", "--vcs-ref", "HEAD",
                             "-d", f"base_image={MISSING_BASE}", *(["-q"] if quiet else [])],
                            cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    assert result.returncode == 1
    # the task inside Copier and `nonroot new` name the same folder: the one the user gave
    assert result.stderr.count("then run: nonroot check svc\n") == 2, result.stderr
    assert ("building the image" in result.stderr) != quiet, result.stderr


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_broken_build_names_the_failing_step_and_shows_its_output(generate, python_base, builder):
    dest = generate(base_image=python_base, service_name="broken-build")
    dockerfile = dest / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace(
        "WORKDIR /app", "RUN echo about-to-fail && false\nWORKDIR /app"))
    result = run_nonroot("check", "-q", str(dest), env={"NONROOT_BUILDER": builder})
    assert result.returncode == 2
    assert "step `RUN echo about-to-fail && false` failed" in result.stderr
    assert "about-to-fail" in result.stderr.split("failed", 1)[1]
    assert "\x1b" not in result.stderr
    assert dockerfile.is_file()


def test_a_service_that_exits_before_its_health_check_passes_does_not_work(generate, python_base, built_tags):
    """The generated image has a HEALTHCHECK: a service that exits at once never passed it, so
    it is not proven (exit 3), with its exit code and last output (it used to be could not tell)."""
    built_tags.append("exits-at-once:dev")
    dest = generate(base_image=python_base, service_name="exits-at-once")
    (dest / "app" / "main.py").write_text("raise SystemExit('config missing')\n")
    result = run_nonroot("check", "-q", str(dest))
    assert result.returncode == 3, result.stdout
    assert "NOT PROVEN: THE SERVICE DOES NOT WORK" in result.stdout
    assert "it stopped before its health check passed (it exited at once: exit code 1; last output: config missing)" \
        in result.stdout


@pytest.mark.engine
def test_verify_of_an_unknown_image_says_how_to_get_it():
    result = run_nonroot("verify", "nonroot-test/never-built:0")
    assert result.returncode == 2
    assert "is not in the engine" in result.stderr


@pytest.mark.parametrize("host", ["unix:///nonexistent/docker.sock", "tcp://127.0.0.1:1"])
def test_verify_without_engine_exits_2_with_the_fix(host):
    result = run_nonroot("verify", "anything:1", env={"DOCKER_HOST": host})
    assert result.returncode == 2
    assert result.stderr.startswith("nonroot: no Docker engine at ")
    assert "Traceback" not in result.stderr


def run_task(directory, operation: str, outcome_file, docker_host: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "hooks" / "run_task.py"), f"--operation={operation}",
                           "--copier-cleanup=False"], cwd=directory, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120,
                          env={**os.environ, "DOCKER_HOST": docker_host, "NONROOT_OUTCOME_FILE": str(outcome_file)})


def test_the_task_reports_no_engine_as_data_where_it_is_asked(generate, tmp_path):
    outcome_file = tmp_path / "outcome.json"
    result = run_task(generate(), "copy", outcome_file, f"unix://{tmp_path}/none.sock")
    assert result.returncode == 0, result.stderr
    reported = json.loads(outcome_file.read_text())
    assert reported["status"] == "not-verified"
    assert reported["reason"].startswith(f"no Docker engine at unix://{tmp_path}/none.sock")


def test_the_task_reports_update_conflicts_as_data_with_the_files(generate, tmp_path):
    dest = generate()
    dockerfile = dest / "Dockerfile"
    dockerfile.write_text("<<<<<<< before updating\nFROM a\n=======\nFROM b\n>>>>>>> after updating\n")
    outcome_file = tmp_path / "outcome.json"
    result = run_task(dest, "update", outcome_file, f"unix://{tmp_path}/none.sock")
    assert result.returncode == 1
    assert json.loads(outcome_file.read_text()) == {"status": "conflicts", "reason": "update conflicts in Dockerfile",
                                                    "tag": "", "files": ["Dockerfile"]}


def test_without_the_variable_the_task_writes_no_outcome_file(generate, tmp_path):
    dest = generate()
    env = {k: v for k, v in os.environ.items() if k != "NONROOT_OUTCOME_FILE"}
    result = subprocess.run([sys.executable, str(ROOT / "hooks" / "run_task.py")], cwd=dest, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=120,
                            env={**env, "DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [dest.name]
