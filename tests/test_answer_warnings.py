"""UIDs and GIDs that validators accept but that often collide with an account the base image
ships: a warning from `nonroot new` and from the task, never a refusal."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import ROOT, run_nonroot
from nonroot.scaffold.answers import collision_warnings


@pytest.mark.parametrize(("uid", "phrase"), [
    (1, "system range 1-999"), (999, "system range 1-999"), (1000, "first regular user"),
    (65532, "distroless's and Chainguard's nonroot")])
def test_a_colliding_uid_gets_one_warning(uid, phrase):
    warnings = collision_warnings({"uid": uid, "gid": uid})
    assert len(warnings) == 1 and phrase in warnings[0] and f"uid {uid} " in warnings[0]


@pytest.mark.parametrize("uid", [1001, 10001, 65533, 2147483647])
def test_a_clear_uid_gets_no_warning(uid):
    assert collision_warnings({"uid": uid, "gid": uid}) == []


def test_a_colliding_gid_is_named_on_its_own():
    assert [w.split(" is ")[0] for w in collision_warnings({"uid": 10001, "gid": 100})] == ["nonroot: warning: gid 100"]


def test_nonroot_new_warns_and_still_generates(renders, tmp_path):
    dest = tmp_path / "svc"
    result = run_nonroot("new", str(dest), "--defaults", "--template", str(renders.template), "-d", "uid=1000", "-d", "verify=false")
    assert result.returncode == 0, result.stderr
    assert "nonroot: warning: uid 1000 is the first regular user" in result.stderr
    assert "USER 1000:1000" in (dest / "Dockerfile").read_text()


def test_the_task_warns_before_building(generate, tmp_path):
    dest = generate(uid=500)
    result = subprocess.run([sys.executable, str(ROOT / "hooks" / "run_task.py")], cwd=dest, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=120,
                            env={**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("nonroot: warning: uid 500 is in the system range 1-999")
