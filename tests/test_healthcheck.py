"""Reading an image's HEALTHCHECK and judging who the engine runs it as (no engine: the
engine-side run is in tests/corpus/test_watch.py)."""
from __future__ import annotations

from nonroot.verifier.configuser import ConfigUser
from nonroot.verifier.healthcheck import read_healthcheck, healthcheck_check
from nonroot.verifier.runtime import ExecRun


def test_no_healthcheck_and_healthcheck_none_are_nothing_to_judge():
    assert read_healthcheck({}) is None
    assert read_healthcheck({"Healthcheck": {"Test": ["NONE"]}}) is None


def test_exec_form_runs_as_given_and_shell_form_under_bin_sh():
    exec_form = read_healthcheck({"Healthcheck": {"Test": ["CMD", "/app/server", "-healthcheck"]}})
    assert exec_form.command == ["/app/server", "-healthcheck"]
    shell_form = read_healthcheck({"Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
                                                   "Interval": 10_000_000_000}})
    assert shell_form.command == ["/bin/sh", "-c", "curl -f http://localhost/ || exit 1"]
    assert shell_form.interval_s == 10


def test_a_check_without_user_runs_as_root_and_fails():
    check = read_healthcheck({"Healthcheck": {"Test": ["CMD", "probe"]}})
    result = healthcheck_check(check, ConfigUser(raw=""), None)
    assert result.verdict == "fail"
    assert result.summary.startswith("the health check runs as root: no USER")


def test_a_check_under_a_root_user_fails():
    check = read_healthcheck({"Healthcheck": {"Test": ["CMD", "probe"]}})
    result = healthcheck_check(check, ConfigUser(raw="root", uid=0, gid=0), None)
    assert result.verdict == "fail" and "USER root is UID 0" in result.summary


def test_a_check_under_a_non_root_user_passes_with_what_running_it_showed():
    check = read_healthcheck({"Healthcheck": {"Test": ["CMD", "probe"]}})
    run = ExecRun(["probe"], at=1.2, exit_code=0)
    result = healthcheck_check(check, ConfigUser(raw="10001", uid=10001, gid=10001), run)
    assert result.verdict == "pass"
    assert "run once at 1.20 s as the engine runs it: exit code 0" in result.evidence
