"""`nonroot verify` and `nonroot check` against Podman's Docker-compatible API (Podman 4.3,
`podman system service`, as root): the same verdicts and evidence as on Docker for a subset
of the corpus, every process still watched through the kernel's process events."""
from __future__ import annotations

import subprocess

import pytest

from cases import BY_NAME, PODMAN_CASES
from helpers import run_nonroot

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("name", PODMAN_CASES)
def test_podman_gives_the_verdict_docker_gives(name, podman_reports):
    report = podman_reports[name]
    assert report.exit_code == BY_NAME[name].exit_code, [(c.name, c.verdict, c.summary) for c in report.failures()]


@pytest.mark.parametrize("name", PODMAN_CASES)
def test_podman_verdicts_have_the_same_key_evidence(name, podman_reports):
    report = podman_reports[name]
    missing = [e for e in BY_NAME[name].expect if not e.met_by(report.checks)]
    assert not missing, (missing, [(c.name, c.verdict, c.summary) for c in report.checks])


def test_podman_containers_are_watched_through_process_events(podman_reports):
    runtime = podman_reports["drop-gosu"].check("runtime")
    assert any("from the kernel's process events connector" in line for line in runtime.evidence)
    assert "root only in the start-up prelude" in runtime.summary


def test_nonroot_verify_command_line_against_podman(podman):
    result = run_nonroot("verify", BY_NAME["named-user"].tag, env={"DOCKER_HOST": podman.url})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PROVEN NON-ROOT" in result.stdout


def test_nonroot_check_builds_and_verifies_with_podman(podman):
    podman.load(["nonroot-test/python:bookworm-1"])
    try:
        result = run_nonroot("check", str(BY_NAME["named-user"].directory), "--tag", "nonroot-podman-check:1",
                             "-q", env={"DOCKER_HOST": podman.url})
    finally:
        subprocess.run(["podman", "rmi", "-f", "nonroot-podman-check:1"], env=podman.env, capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PROVEN NON-ROOT" in result.stdout + result.stderr


def test_no_podman_container_is_left_behind(podman, podman_reports):
    client = podman.client()
    assert client.containers.list(all=True, filters={"label": "io.nonroot.verify"}) == []


def test_a_generated_service_is_built_and_proven_under_podman(podman, tmp_path):
    """The copy task end to end against Podman's API: `nonroot new` renders the default
    service, builds it (Podman has no BuildKit endpoint: the classic builder) and proves it."""
    podman.load(["nonroot-test/python:bookworm-1"])
    dest = tmp_path / "nr-podman-new"
    try:
        result = run_nonroot("new", str(dest), "--defaults", "-d", "base_image=nonroot-test/python:bookworm-1",
                             "-d", "service_name=nr-podman-new", env={"DOCKER_HOST": podman.url})
    finally:
        subprocess.run(["podman", "rmi", "-f", "nr-podman-new:dev"], env=podman.env, capture_output=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "PROVEN NON-ROOT" in result.stdout + result.stderr
    assert (dest / "Dockerfile").is_file()
