"""`nonroot verify IMAGE` as a team runs it in CI: a summary table or JSON, exit codes
0/1/2, run arguments for images that need them, and no container left behind, also
after Ctrl-C or SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from cases import BY_NAME
from helpers import run_nonroot

pytestmark = pytest.mark.engine


@pytest.mark.parametrize(("name", "code", "outcome"), [
    ("named-user", 0, "PROVEN NON-ROOT"),
    ("no-user", 1, "ROOT OR PRIVILEGE FOUND"),
    ("exits-at-once", 2, "COULD NOT TELL"),
])
def test_exit_code_and_outcome_line(run_verify, name, code, outcome):
    result = run_verify(name)
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith(f"  => {outcome}")


def test_text_output_is_a_table_with_a_row_per_check(run_verify):
    data = json.loads(run_verify("named-user", "--json").stdout)
    text = run_verify("named-user").stdout.splitlines()
    for check in data["checks"]:  # the same word for a verdict in the table and the JSON
        row = next(line for line in text if line.split()[:1] == [check["name"]])
        assert row.split()[1] == check["verdict"], row


def test_json_has_every_check_with_its_verdict_and_evidence(run_verify):
    data = json.loads(run_verify("named-user", "--json").stdout)
    assert data["exit_code"] == 0
    assert data["config_user"] == "app"
    names = [c["name"] for c in data["checks"]]
    for name in ("config-user", "kubernetes", "runtime", "capabilities", "setuid-files", "path-to-root",
                 "user-writable", "world-writable", "hardened-run"):
        assert name in names
    for check in data["checks"]:
        assert set(check) == {"name", "verdict", "summary", "evidence"}
    assert data["processes"][0]["uids"] == [10001] * 4


def test_environment_is_passed_to_the_container(run_verify):
    assert run_verify("needs-env").returncode == 2
    result = run_verify("needs-env", "-e", "TOKEN=s3cret")
    assert result.returncode == 0, result.stdout


def test_the_command_after_double_dash_replaces_cmd(run_verify):
    result = run_verify("exits-at-once", "--", "sleep", "infinity")
    assert result.returncode == 0, result.stdout
    assert "`sleep infinity` uid r/e/s/fs=10001/10001/10001/10001" in result.stdout


def test_entrypoint_option_replaces_the_images_entrypoint(run_verify):
    # Without its entrypoint, root-background's root helper never starts; `sleep` itself runs as root.
    result = run_verify("root-background", "--entrypoint", "", "--", "sleep", "infinity")
    assert result.returncode == 1
    assert "`sleep infinity` has UID 0" in result.stdout
    assert "tail -f /dev/null" not in result.stdout


def test_strict_option_fails_on_setuid_files(run_verify):
    result = run_verify("named-user", "--strict", "--no-hardened", "--json")
    assert result.returncode == 1
    setuid = next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "setuid-files")
    assert setuid["verdict"] == "fail"


def test_no_hardened_option_leaves_the_hardened_run_out(run_verify):
    result = run_verify("named-user", "--strict", "--no-hardened", "--json")
    assert "hardened-run" not in [c["name"] for c in json.loads(result.stdout)["checks"]]


def test_a_malformed_environment_item_is_a_one_line_error(run_verify):
    result = run_verify("named-user", "-e", "TOKEN")
    assert result.returncode == 2
    assert result.stderr.strip() == "nonroot: -e TOKEN: expected KEY=VALUE"


def test_an_image_not_in_the_engine_is_a_one_line_error_with_the_fix(engine):
    result = run_nonroot("verify", "nonroot-corpus/not-built:1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "nonroot: image nonroot-corpus/not-built:1 is not in the engine: build it first "
        "(nonroot check DIR) or docker pull it"]


def _containers_of(engine, tag: str) -> list:
    # sparse: no inspect per container (one removed meanwhile would raise NotFound)
    return engine.containers.list(all=True, sparse=True, filters={"ancestor": tag, "label": "io.nonroot.verify"})


def test_no_container_is_left_after_a_verification(run_verify, engine):
    # root-background's hardened run breaks: the inspection, the run, the hardened run and one
    # probe per restriction were started.
    result = run_verify("root-background")
    assert "breaks with: --cap-drop ALL" in result.stdout
    assert _containers_of(engine, BY_NAME["root-background"].tag) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_verification_removes_its_containers(engine, corpus, sig):
    tag = BY_NAME["gid-0-openshift"].tag
    proc = subprocess.Popen([sys.executable, "-m", "nonroot.cli", "verify", tag, "--settle", "120"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 60
        while not [c for c in _containers_of(engine, tag) if c.status == "running"]:
            assert proc.poll() is None and time.monotonic() < deadline, "the verification never started a container"
            time.sleep(0.2)
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert f"interrupted while verifying {tag}: the verification container was removed" in err
    assert _containers_of(engine, tag) == []
