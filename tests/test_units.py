"""Small units: parsing what the kernel and the engine report, and judging it."""
from __future__ import annotations

import pytest

from nonroot.scaffold.answers import check_types
from nonroot.scaffold.build import _failure
from nonroot.errors import NonrootError
from nonroot.verifier.procs import ProcessIds, cap_names, from_status, parse_status
from nonroot.verifier.verify import FAIL, PASS, UNKNOWN, WARN, Check, Report

STATUS = """Name:\tpython3
Uid:\t10001\t10001\t0\t10001
Gid:\t10001\t10001\t10001\t10001
Groups:\t10001 0
NoNewPrivs:\t1
CapPrm:\t0000000000000000
CapEff:\t00000000000000c0
"""


def test_status_gives_all_four_uids_as_numbers():
    proc = from_status(7, "python3 app.py", parse_status(STATUS))
    assert proc.uids == (10001, 10001, 0, 10001)
    assert proc.groups == (10001, 0)
    assert proc.no_new_privs is True


def test_a_saved_uid_of_0_counts_as_root():
    proc = from_status(7, "x", parse_status(STATUS))
    assert proc.root_uid_roles() == ["saved"]


def test_capability_mask_is_named():
    assert cap_names(0xC0) == ["CAP_SETGID", "CAP_SETUID"]
    assert from_status(1, "x", parse_status(STATUS)).escalating_caps() == ["CAP_SETGID", "CAP_SETUID"]


@pytest.mark.parametrize(("verdicts", "code"), [
    ([PASS, WARN], 0), ([PASS, FAIL, UNKNOWN], 1), ([PASS, UNKNOWN], 2), ([], 2)])
def test_exit_code_follows_the_worst_verdict(verdicts, code):
    report = Report("i", "sha256:x", "", [Check(str(i), v, "") for i, v in enumerate(verdicts)])
    assert report.exit_code == code


def test_failure_at_from_names_the_image_and_how_to_provide_it():
    error = _failure(step="FROM foo/bar:1 AS builder", error="pull access denied for foo/bar", tail=[])
    assert "base image foo/bar:1 could not be pulled" in str(error)
    assert "docker pull foo/bar:1" in str(error)


def test_failure_at_a_run_step_names_it():
    error = _failure(step="RUN false", error="The command '/bin/sh -c false' returned a non-zero code: 1", tail=["x"])
    assert str(error) == "step `RUN false` failed with exit code 1: x"
    assert error.log_tail == ["x"]


@pytest.mark.parametrize(("data", "message"), [
    ({"uid": "abc"}, "uid: must be a whole number"),
    ({"uid": "1.5"}, "uid: must be a whole number"),
    ({"verify": "maybe"}, "verify: must be true or false"),
    ({"usr": "x"}, "-d usr: no such question"),
])
def test_answer_types_are_checked_before_copier(data, message):
    with pytest.raises(NonrootError, match=message):
        check_types(data, {"uid": "int", "verify": "bool", "user": "str"})


def test_well_typed_answers_pass():
    check_types({"uid": "10001", "verify": "no", "user": "app"}, {"uid": "int", "verify": "bool", "user": "str"})


def test_describe_shows_every_id():
    proc = ProcessIds(1, "sh", (1, 2, 3, 4), (5, 6, 7, 8))
    assert proc.describe() == "pid 1 `sh` uid r/e/s/fs=1/2/3/4 gid r/e/s/fs=5/6/7/8"


def test_the_check_advice_says_dot_when_the_users_shell_is_in_the_service_folder(tmp_path, monkeypatch):
    from nonroot.scaffold.task import check_command

    monkeypatch.setenv("PWD", str(tmp_path))
    assert check_command(tmp_path) == "nonroot check ."


def test_the_check_advice_quotes_a_folder_name_a_shell_would_split(tmp_path):
    from nonroot.scaffold.task import check_command

    assert check_command(tmp_path, "my service") == "nonroot check 'my service'"


def test_the_commit_advice_for_the_current_folder_does_not_cd_into_it(tmp_path, monkeypatch):
    from pathlib import Path

    from nonroot.scaffold.generate import commit_command

    monkeypatch.chdir(tmp_path)
    assert commit_command(Path(".")) == "git init -q && git add -A && git commit -m 'nonroot: container files'"
    assert commit_command(tmp_path / "my service").startswith(f"cd '{tmp_path}/my service' && git init -q && ")
