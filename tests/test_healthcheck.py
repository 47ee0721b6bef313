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


# --- whether the service works: the engine's health status (issue 21) ---------------------------

from nonroot.verifier.healthcheck import HealthWatch  # noqa: E402

APP = ConfigUser(raw="app", uid=10001, gid=10001)
CHECK = read_healthcheck({"Healthcheck": {"Test": ["CMD", "probe"], "Interval": 10_000_000_000,
                                          "StartPeriod": 5_000_000_000, "Retries": 3}})


def watched(status: str, *outputs: tuple[int, str], at: float = 2.0) -> HealthWatch:
    health = HealthWatch(waited_s=300)
    health.note({"Health": {"Status": status, "Log": [{"ExitCode": c, "Output": o} for c, o in outputs]}}, at)
    return health


def test_the_watched_container_is_probed_every_second_but_unhealthy_no_sooner_than_the_image_says():
    override = CHECK.probe_every_second()
    assert override["interval"] == 1_000_000_000
    assert override["retries"] == 30 and override["start_period"] == 5_000_000_000
    assert CHECK.budget_s == 5 + (1 + 30) * 30   # every probe taking its timeout


def test_healthy_passes_saying_when_and_as_whom():
    result = healthcheck_check(CHECK, APP, None, watched("healthy", (0, "ok"), at=1.4))
    assert result.verdict == "pass"
    assert result.summary == "the check passed: healthy at 1.40 s; runs as USER app (UID 10001)"


def test_unhealthy_is_a_service_that_does_not_work_with_the_checks_last_output_and_logs():
    result = healthcheck_check(CHECK, APP, None, watched("unhealthy", (1, "HTTP Error 404: Not Found")),
                               logs=["GET /healthz 404"])
    assert result.verdict == "broken"
    assert result.summary.startswith("not proven: the service does not work: its health check failed")
    assert "exit code 1, output: HTTP Error 404: Not Found" in result.summary
    assert "its last log lines: GET /healthz 404" in result.summary


def test_a_container_that_stopped_before_it_was_healthy_does_not_work():
    result = healthcheck_check(CHECK, APP, None, watched("starting"), stopped="it exited at once: exit code 2")
    assert result.verdict == "broken" and "it stopped before its health check passed" in result.summary


def test_still_starting_when_the_wait_ends_is_could_not_tell_and_names_the_option():
    health = watched("starting")
    health.gave_up = True
    result = healthcheck_check(CHECK, APP, None, health)
    assert result.verdict == "unknown" and "--health-timeout" in result.summary


def test_a_root_health_check_fails_whether_or_not_it_passed():
    result = healthcheck_check(CHECK, ConfigUser(raw=""), None, watched("unhealthy", (1, "")))
    assert result.verdict == "fail"
