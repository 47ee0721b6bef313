"""The watch window sees every process the container runs, however short-lived, and says how
it watched: the kernel's process events where the engine is on this machine (as here), else
the container's cgroup read every 25 ms. Root only before the first process drops."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.engine

COVERAGE = re.compile(r"watched \d+\.\d s \(process events\): \d+ execs?, \d+ UID changes?, (none|\d+) to 0")


def test_the_runtime_verdict_says_what_the_watch_covered(corpus_reports):
    for name in ("named-user", "drop-gosu", "root-blip"):
        runtime = corpus_reports[name].check("runtime")
        assert COVERAGE.search(runtime.summary + " ".join(runtime.evidence)), (name, runtime.summary)
        assert any("from the kernel's process events connector" in line for line in runtime.evidence)


def test_a_root_job_that_starts_after_6_seconds_is_seen_in_a_10_second_window(corpus_reports):
    runtime = corpus_reports["sudo-job-late"].check("runtime")
    assert runtime.verdict == "fail"
    assert re.search(r"rotate-logs` has UID 0 \(real, effective, saved, filesystem\) at [6-9]\.\d\d s", runtime.summary)


def test_a_root_helper_living_50_ms_is_seen_every_time_it_runs(corpus_reports):
    report = corpus_reports["root-blip"]
    runtime = report.check("runtime")
    blips = set(re.findall(r"pid (\d+) `/usr/local/bin/blip 0.05` has UID 0", runtime.summary))
    # about one a second: at least two in a 3 s window, each a process of its own
    assert len(blips) >= 2, runtime.summary
    assert "to 0" in runtime.evidence[0] and "none to 0" not in runtime.evidence[0]


def test_a_drop_after_the_prelude_passes_with_the_prelude_named(corpus_reports):
    runtime = corpus_reports["drop-gosu"].check("runtime")
    assert "root only in the start-up prelude (until the first process gave up root at" in runtime.summary
    assert any(line.startswith("prelude (root allowed): ") for line in runtime.evidence)


def test_a_root_process_started_in_the_prelude_and_still_running_after_the_drop_fails(corpus_reports):
    runtime = corpus_reports["root-background"].check("runtime")
    assert "`tail -f /dev/null` has UID 0" in runtime.summary
    assert "left over from the start-up prelude" in runtime.summary


def test_a_health_check_without_user_runs_as_root_and_is_watched_as_such(corpus_reports):
    report = corpus_reports["healthcheck-root"]
    assert report.check("health-check").verdict == "fail"
    # the check's processes ran as root after the drop (their command lines may be gone by the time
    # /proc is read on a loaded machine: the credentials come from the events)
    assert "has UID 0 (real, effective, saved, filesystem) at" in report.check("runtime").summary
    assert "after the first process gave up root" in report.check("runtime").summary


def test_a_health_check_with_a_user_runs_as_that_user_and_its_processes_are_watched(corpus_reports):
    report = corpus_reports["healthcheck-user"]
    run_at = float(re.search(r"run once at (\d+\.\d+) s", " ".join(report.check("health-check").evidence)).group(1))
    runtime = report.check("runtime")
    later = [line for line in runtime.evidence
             if re.match(r"\d+\.\d+s exec: ", line) and float(line.split("s ", 1)[0]) >= run_at - 0.5]
    assert later and all("uid r/e/s/fs=10001/10001/10001/10001" in line for line in later), runtime.evidence


def test_the_cgroup_fallback_says_so_and_still_sees_a_two_second_root_job(verify):
    report = verify("sudo-job-late", process_events=False, hardened=False, scan_filesystem=False)
    runtime = report.check("runtime")
    assert runtime.verdict == "fail", runtime.summary
    assert "rotate-logs` has UID 0" in runtime.summary
    assert re.search(r"watched \d+\.\d s \(cgroup read every 25 ms\)", runtime.evidence[0]), runtime.evidence[0]


def test_the_cgroup_fallback_passes_a_gosu_drop(verify):
    report = verify("postgres-shape", process_events=False, hardened=False, scan_filesystem=False)
    runtime = report.check("runtime")
    assert runtime.verdict == "pass", (runtime.summary, runtime.evidence)
    assert any("cgroup read every 25 ms" in line for line in runtime.evidence)


def test_watch_sets_the_window_and_settle_is_its_old_name(run_verify):
    for flag in ("--watch", "--settle"):
        result = run_verify("named-user", flag, "1.5", "--no-hardened")
        assert result.returncode == 0, result.stdout + result.stderr
        assert re.search(r"watched [12]\.\d s \(process events\)", result.stdout), result.stdout


# The prelude keeps a root subshell that never execs (it waits on a FIFO), then drops with gosu.
KEEPS_A_ROOT_SUBSHELL = "mkfifo /tmp/hold; (read -r _ < /tmp/hold) & exec gosu 10001 sleep infinity"


def test_events_read_long_after_the_drop_still_show_the_prelude_and_its_root_subshell(engine, corpus):
    """A loaded machine handles the events late: by then /proc shows the entrypoint dropped.
    The events are read here 1.5 s after the start, and the subshell that stayed root
    (a fork, no exec, no UID change) is still root found."""
    import time

    from nonroot.verifier.cnproc import open_listener
    from nonroot.verifier.procwatch import containers_own, to_sighting
    from nonroot.verifier.timeline import EVENTS, Timeline, judge

    sock = open_listener()
    container = engine.containers.create(corpus["drop-gosu"], entrypoint=["sh", "-c", KEEPS_A_ROOT_SUBSHELL])
    try:
        started = time.monotonic_ns()
        container.start()
        time.sleep(1.5)
        container.reload()
        records = _read_late(sock, container.id)
        first = container.attrs["State"]["Pid"]
    finally:
        container.remove(force=True)
        sock.close()
    mine = containers_own(records)
    timeline = Timeline(EVENTS, seconds=1.5, first_pid=first,
                        sightings=[s for s in (to_sighting(r, started) for r in mine) if s],
                        exits={r["pid"]: (r["at"] - started) / 1e9 for r in mine if r["kind"] == "exit"})
    judgement = judge(timeline)
    assert judgement.started_as_root and judgement.drop_at is not None
    # the subshell: a fork of the first process (whose command line was gone by then), root throughout
    assert [(r.sighting.kind, r.sighting.ids.uids) for r in judgement.root] == [("fork", (0, 0, 0, 0))]
    assert "left over from the start-up prelude" in judgement.root[0].why


def _read_late(sock, container_id: str) -> list[dict]:
    """Every event queued on SOCK, handled now (late), as the watcher's records for the container."""
    from nonroot.verifier.cnproc import parse_datagram
    from nonroot.verifier.procwatch import Tracker

    events = []
    sock.setblocking(False)
    try:
        while True:
            events += parse_datagram(sock.recv(65536))
    except BlockingIOError:
        pass
    records: list[dict] = []
    Tracker([container_id], records.append).handle_batch(events)
    return records


def test_a_command_the_engine_execs_is_watched_even_when_it_ended_before_the_events_were_read(engine, corpus):
    """A health check's command lives a few milliseconds; on a loaded machine its /proc entry
    is gone before its events are handled. It is still the container's (it descends from the
    container's shim) and still seen with its user's IDs."""
    import time

    from nonroot.verifier.cnproc import open_listener

    sock = open_listener()
    container = engine.containers.create(corpus["named-user"], command=["sleep", "30"])
    try:
        container.start()
        code, _ = container.exec_run(["sh", "-c", "test -r /etc/hostname && kill -0 1"])
        assert code == 0
        time.sleep(0.5)   # the command is long gone
        records = _read_late(sock, container.id)
    finally:
        container.remove(force=True)
        sock.close()
    execs = [r for r in records if r["kind"] == "exec" and r["launched"]]
    assert len(execs) == 2, records          # sleep, then the exec'd sh
    assert execs[1]["uids"] == execs[0]["uids"] and 0 not in execs[1]["uids"]
