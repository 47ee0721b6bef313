"""Parsing the kernel's process events (recorded on this machine from a real container run:
`sh -c 'setpriv --reuid=10001 --regid=10001 --clear-groups sh -c "sleep 0.2; exit 3"'`),
following credentials through them (procwatch.Tracker), and the start-up prelude rule
(timeline.judge). No engine: these are the pure parts of the watch."""
from __future__ import annotations

import pytest

from nonroot.verifier.cnproc import parse_datagram, subscribe_message
from nonroot.verifier.procs import ProcessIds
from nonroot.verifier.procwatch import RUNC_INIT, Tracker
from nonroot.verifier.timeline import CGROUP, EVENTS, Sighting, Timeline, judge

# One netlink datagram each, as recv() returned them (x86_64, little-endian).
RECORDED = {
    "ack": "4c00000003000000d4510000000000000100000001000000d451000001000000280000000000000000000000"
           "bfcc506145000000000000000000000000000000000000000000000000000000",
    "fork": "4c00000003000000763a0000000000000100000001000000763a00000000000028000000010000000100000"
            "03a594feb42000000052c0000052c0000282c0000282c00000000000000000000",
    "thread": "4c000000030000003b3a00000000000001000000010000003b3a000000000000280000000100000001000000"
              "e38555e342000000f92b0000f62b0000062c0000052c00000000000000000000",
    "comm": "4c00000003000000373a0000000000000100000001000000373a000000000000280000000002000001000000"
            "a95748e342000000052c0000052c000072756e633a5b323a494e49545d000000",
    "exec": "4c00000003000000dd450000000000000100000001000000dd450000000000002800000002000000000000005"
            "f785beb42000000282c0000282c000000000000000000000000000000000000",
    "uid": "4c00000003000000de450000000000000100000001000000de450000000000002800000004000000000000000d"
           "3577eb42000000282c0000282c000011270000112700000000000000000000",
    "gid": "4c00000003000000df450000000000000100000001000000df45000000000000280000004000000000000000ac"
           "8e77eb42000000282c0000282c000011270000112700000000000000000000",
    "exit": "4c000000030000000e4600000000000001000000010000000e460000000000002800000000000080000000006"
            "64acef742000000282c0000282c00000003000011000000052c0000052c0000",
}


def event(name: str):
    (parsed,) = parse_datagram(bytes.fromhex(RECORDED[name]))
    return parsed


def test_the_subscription_answer_carries_no_error():
    ack = event("ack")
    assert (ack.kind, ack.error) == ("none", 0)


def test_a_fork_names_the_parent_process_and_the_child():
    fork = event("fork")
    assert (fork.kind, fork.parent_tgid, fork.tgid, fork.pid) == ("fork", 11269, 11304, 11304)
    assert not fork.is_thread


def test_a_new_thread_is_a_fork_event_of_a_thread_not_a_process():
    thread = event("thread")
    assert thread.kind == "fork" and thread.is_thread
    assert (thread.pid, thread.tgid) == (11270, 11269)


def test_runcs_init_stage_is_named_in_a_comm_event():
    comm = event("comm")
    assert (comm.kind, comm.tgid, comm.comm) == ("comm", 11269, RUNC_INIT)


def test_an_exec_names_the_process():
    exec_ = event("exec")
    assert (exec_.kind, exec_.pid, exec_.tgid) == ("exec", 11304, 11304)
    assert exec_.timestamp_ns == 287416481887


def test_a_uid_change_carries_the_new_real_and_effective_uid():
    uid = event("uid")
    assert (uid.kind, uid.tgid, uid.real, uid.effective) == ("uid", 11304, 10001, 10001)


def test_a_gid_change_carries_the_new_real_and_effective_gid():
    gid = event("gid")
    assert (gid.kind, gid.tgid, gid.real, gid.effective) == ("gid", 11304, 10001, 10001)


def test_an_exit_carries_the_wait_status_and_the_parent():
    exit_ = event("exit")
    assert (exit_.kind, exit_.tgid, exit_.exit_code >> 8, exit_.parent_tgid) == ("exit", 11304, 3, 11269)


def test_several_messages_in_one_datagram_are_all_parsed():
    data = bytes.fromhex(RECORDED["exec"] + RECORDED["uid"] + RECORDED["exit"])
    assert [e.kind for e in parse_datagram(data)] == ["exec", "uid", "exit"]


def test_a_truncated_message_is_refused():
    with pytest.raises(ValueError, match="truncated"):
        parse_datagram(bytes.fromhex(RECORDED["exec"])[:60])


def test_the_subscription_message_asks_for_listen_on_the_proc_connector():
    message = subscribe_message()
    assert len(message) == 40
    assert message[16:24] == bytes.fromhex("0100000001000000")   # CN_IDX_PROC, CN_VAL_PROC
    assert message[-4:] == bytes.fromhex("01000000")              # PROC_CN_MCAST_LISTEN


# --- following credentials through events (no /proc: the processes are long gone) -----------

@pytest.fixture
def tracked_records(tmp_path):
    """Feed recorded events to a Tracker whose /proc is empty (as when every process has ended)."""
    return lambda names: _tracked(names, str(tmp_path))


def _tracked(names: list[str], proc: str) -> list[dict]:
    records: list[dict] = []
    tracker = Tracker(["container-id"], records.append, proc=proc)
    from nonroot.verifier.procwatch import Tracked

    tracker.known[11269] = Tracked(0, launched=True, ran=True, uids=[0] * 4, gids=[0] * 4, command="sh -c ...")
    tracker.handle_batch([event(name) for name in names])
    return records


def test_a_forked_child_inherits_its_parents_credentials(tracked_records):
    (fork,) = tracked_records(["fork"])
    assert (fork["pid"], fork["uids"], fork["parent"]) == (11304, [0, 0, 0, 0], 11269)


def test_a_uid_event_sets_real_and_effective_and_saved_when_they_agree(tracked_records):
    records = tracked_records(["fork", "exec", "uid", "gid"])
    assert records[-2]["kind"] == "uid" and records[-2]["uids"] == [10001, 10001, 10001, 10001]
    assert records[-1]["gids"] == [10001, 10001, 10001, 10001]


def test_an_exec_that_cannot_be_read_any_more_keeps_the_credentials_from_the_events(tracked_records):
    records = tracked_records(["fork", "exec"])
    assert records[-1]["kind"] == "exec" and records[-1]["uids"] == [0, 0, 0, 0]
    assert records[-1]["command"] == "(ended before its command line could be read)"


def test_an_exit_of_a_followed_process_is_reported(tracked_records):
    records = tracked_records(["fork", "exit"])
    assert records[-1] == {"kind": "exit", "container": 0, "pid": 11304, "at": 287625333350, "code": 768,
                           "launched": True}


def test_only_what_runcs_init_execs_is_the_containers_own():
    from nonroot.verifier.procwatch import containers_own

    runc_setup = {"kind": "exec", "pid": 5, "command": "runc init", "launched": False}
    service = {"kind": "exec", "pid": 6, "command": "serve", "launched": True}
    assert containers_own([runc_setup, service]) == [service]
    # another runtime (no runc:[2:INIT] seen): everything exec'd in the cgroup but a `runc init`
    other = {"kind": "exec", "pid": 7, "command": "serve", "launched": False}
    assert containers_own([runc_setup, other]) == [other]
    podmans_runc = {"kind": "exec", "pid": 8, "command": "/usr/bin/runc init", "launched": False}
    assert containers_own([podmans_runc, other]) == [other]


def test_processes_outside_the_containers_are_ignored(tmp_path):
    records: list[dict] = []
    tracker = Tracker(["container-id"], records.append, proc=str(tmp_path))
    tracker.handle_batch([event("fork"), event("uid"), event("exit")])
    assert records == []


def _proc_entry(proc, pid: int, uid: int, cgroup: str = "0::/system.slice/init.scope", cmdline: str = "") -> None:
    folder = proc / str(pid)
    folder.mkdir()
    folder.joinpath("status").write_text(f"Uid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{uid}\t{uid}\t{uid}\t{uid}\n"
                                         "Groups:\t\nCapEff:\t0000000000000000\nCapPrm:\t0000000000000000\n")
    folder.joinpath("cgroup").write_text(cgroup + "\n")
    folder.joinpath("cmdline").write_text(cmdline.replace(" ", "\0") + "\0")


def test_a_container_read_late_starts_with_the_ids_its_fork_gave_it_not_the_ones_it_dropped_to(tmp_path):
    """A loaded machine: the events are handled after the entrypoint already dropped to 10001.
    /proc shows the dropped state, but runc's INIT was forked by a root runtime process and
    the events say root until the UID change: the prelude is seen as root."""
    from nonroot.verifier.cnproc import ProcEvent

    _proc_entry(tmp_path, 100, 0, cmdline="runc init")                   # the runtime, older than the watch
    _proc_entry(tmp_path, 200, 10001, cgroup="0::/docker/container-id", cmdline="app serve")
    records: list[dict] = []
    tracker = Tracker(["container-id"], records.append, proc=str(tmp_path))
    tracker.handle_batch([
        ProcEvent("fork", 1, pid=200, tgid=200, parent_pid=100, parent_tgid=100),
        ProcEvent("comm", 2, pid=200, tgid=200, comm=RUNC_INIT),
        ProcEvent("exec", 3, pid=200, tgid=200),
        ProcEvent("uid", 4, pid=200, tgid=200, real=10001, effective=10001),
        ProcEvent("exec", 5, pid=200, tgid=200),
    ])
    assert [(r["kind"], r["uids"][:2]) for r in records] == [("exec", [0, 0]), ("uid", [10001, 10001]),
                                                             ("exec", [10001, 10001])]
    assert records[0]["source"] == "event"   # the late read's capabilities are not the prelude's


def test_a_command_the_engine_execs_is_the_containers_even_when_gone_before_proc_is_read(tmp_path):
    """A health check `docker exec`s a command that lives a few milliseconds; on a loaded machine
    its /proc entry is gone when the events are handled. It descends from the container's shim,
    whose command line names the container: that is enough."""
    from nonroot.verifier.cnproc import ProcEvent

    _proc_entry(tmp_path, 100, 0, cmdline="containerd-shim-runc-v2 -namespace moby -id container-id")
    records: list[dict] = []
    tracker = Tracker(["container-id"], records.append, proc=str(tmp_path))
    tracker.handle_batch([
        ProcEvent("fork", 1, pid=200, tgid=200, parent_pid=100, parent_tgid=100),   # runc exec
        ProcEvent("fork", 2, pid=300, tgid=300, parent_pid=200, parent_tgid=200),
        ProcEvent("comm", 3, pid=300, tgid=300, comm=RUNC_INIT),
        ProcEvent("uid", 4, pid=300, tgid=300, real=10001, effective=10001),
        ProcEvent("exec", 5, pid=300, tgid=300),
        ProcEvent("exit", 6, pid=300, tgid=300),
    ])
    assert [(r["kind"], r["container"], r["launched"]) for r in records] == [("exec", 0, True), ("exit", 0, True)]
    assert records[0]["uids"] == [10001] * 4


def test_a_process_of_another_containers_runtime_is_not_taken(tmp_path):
    from nonroot.verifier.cnproc import ProcEvent

    _proc_entry(tmp_path, 100, 0, cmdline="containerd-shim-runc-v2 -namespace moby -id another-id")
    records: list[dict] = []
    tracker = Tracker(["container-id"], records.append, proc=str(tmp_path))
    tracker.handle_batch([ProcEvent("fork", 1, pid=300, tgid=300, parent_pid=100, parent_tgid=100),
                          ProcEvent("comm", 2, pid=300, tgid=300, comm=RUNC_INIT),
                          ProcEvent("exec", 3, pid=300, tgid=300)])
    assert records == []


# --- the start-up prelude rule ---------------------------------------------------------------

ROOT, APP = (0, 0, 0, 0), (10001, 10001, 10001, 10001)


def seen(at: float, kind: str, pid: int, command: str, uids=ROOT) -> Sighting:
    return Sighting(at, kind, ProcessIds(pid, command, uids, uids))


def timeline(*sightings: Sighting, exits: dict[int, float] | None = None, mode: str = EVENTS) -> Timeline:
    return Timeline(mode, seconds=5.0, first_pid=1, sightings=list(sightings), exits=exits or {})


def test_root_before_the_first_process_drops_is_the_allowed_prelude():
    result = judge(timeline(seen(0.1, "exec", 1, "entrypoint.sh"), seen(0.2, "exec", 2, "chown app /data"),
                            seen(0.3, "uid", 1, "gosu app serve", APP), seen(0.4, "exec", 1, "serve", APP),
                            exits={2: 0.25}))
    assert result.root == []
    assert result.drop_at == 0.3
    assert [s.ids.command for s in result.prelude] == ["entrypoint.sh", "chown app /data"]
    assert [p.command for p in result.processes] == ["serve"]


def test_a_root_process_left_over_from_the_prelude_is_root_found():
    result = judge(timeline(seen(0.1, "exec", 1, "entrypoint.sh"), seen(0.2, "exec", 2, "tail -f /dev/null"),
                            seen(0.3, "uid", 1, "setpriv ...", APP)))
    assert [(r.sighting.ids.command, r.why.split(" (")[0]) for r in result.root] == [
        ("tail -f /dev/null", "left over from the start-up prelude")]


def test_a_prelude_child_that_execs_after_the_drop_is_left_over_once_under_its_own_command():
    # The fork carries the entrypoint's command line; on a loaded machine its exec comes after
    # the entrypoint's drop.
    result = judge(timeline(seen(0.1, "exec", 1, "entrypoint.sh sleep infinity"),
                            seen(0.2, "fork", 2, "entrypoint.sh sleep infinity"),
                            seen(0.3, "uid", 1, "setpriv ...", APP), seen(0.35, "exec", 1, "sleep infinity", APP),
                            seen(0.4, "exec", 2, "tail -f /dev/null")))
    assert [(r.sighting.ids.command, r.why.split(" (")[0]) for r in result.root] == [
        ("tail -f /dev/null", "left over from the start-up prelude")]


def test_root_after_the_drop_is_root_found_however_short():
    result = judge(timeline(seen(0.1, "exec", 1, "entrypoint.sh"), seen(0.3, "uid", 1, "gosu", APP),
                            seen(6.0, "exec", 7, "healthcheck"), exits={7: 6.05}))
    assert [r.sighting.ids.command for r in result.root] == ["healthcheck"]
    assert "after the first process gave up root at 0.30 s" in result.root[0].why


def test_a_first_process_that_never_drops_makes_every_root_process_root_found():
    result = judge(timeline(seen(0.1, "exec", 1, "master"), seen(0.2, "exec", 2, "worker", APP)))
    assert [r.sighting.ids.command for r in result.root] == ["master"]
    assert result.root[0].why == "the first process never gave up root"


def test_an_image_that_starts_non_root_has_no_prelude():
    result = judge(timeline(seen(0.1, "exec", 1, "serve", APP), seen(0.2, "uid", 3, "blip", (10001, 0, 0, 0))))
    assert not result.started_as_root
    assert [r.sighting.ids.command for r in result.root] == ["blip"]
    assert (result.uid_changes, result.to_root) == (1, 1)


def test_the_coverage_counts_execs_and_uid_changes():
    result = judge(timeline(seen(0.1, "exec", 1, "entrypoint.sh"), seen(0.3, "uid", 1, "gosu", APP),
                            seen(0.4, "exec", 1, "serve", APP), seen(0.5, "exec", 2, "date", APP)))
    assert result.coverage(timeline()) == "watched 5.0 s (process events): 3 execs, 1 UID change, none to 0"


def test_the_cgroup_mode_judges_by_the_same_rule():
    result = judge(timeline(seen(0.1, "exec", 1, "entrypoint.sh"), seen(0.3, "uid", 1, "serve", APP),
                            seen(2.0, "exec", 5, "cron-job"), mode=CGROUP))
    assert [r.sighting.ids.command for r in result.root] == ["cron-job"]


def test_a_uid_change_inside_a_drop_tool_is_not_a_state_the_service_runs_with():
    keeps_caps = ProcessIds(1, "setpriv ...", APP, APP, cap_eff=["CAP_SETUID"], cap_prm=["CAP_SETUID"])
    result = judge(timeline(seen(0.1, "exec", 1, "entrypoint.sh"), Sighting(0.3, "uid", keeps_caps),
                            seen(0.4, "exec", 1, "serve", APP)))
    assert [p.command for p in result.processes] == ["serve"]


def test_a_uid_change_a_process_keeps_is_a_state_the_service_runs_with():
    result = judge(timeline(seen(0.1, "exec", 1, "master"), seen(0.2, "fork", 2, "master"),
                            seen(0.3, "uid", 2, "master", APP)))
    assert [(p.pid, p.uids) for p in result.processes if p.pid == 2] == [(2, ROOT), (2, APP)]


def test_an_exec_whose_credentials_are_unknown_is_counted_as_such():
    result = judge(timeline(seen(0.1, "exec", 1, "serve", APP), seen(0.5, "exec", 4, "gone", (-1, -1, -1, -1))))
    assert result.coverage(timeline()) == ("watched 5.0 s (process events): 2 execs (1 with credentials not read), "
                                           "0 UID changes, none to 0")


def test_runcs_own_processes_are_not_the_containers_even_when_their_command_line_was_never_read(tmp_path):
    """An entrypoint the kernel cannot execute (CRLF): runc's INIT never execs, so nothing is
    "launched". On a loaded machine `runc init` re-exec'd itself before its command line was
    read; the stage names runc then gives its processes say whose they are: none is the
    container's, and no root is found."""
    from nonroot.verifier.cnproc import ProcEvent
    from nonroot.verifier.procwatch import containers_own

    _proc_entry(tmp_path, 100, 0, cmdline="runc --root /var/run/docker/runtime-runc/moby start container-id")
    _proc_entry(tmp_path, 200, 0, cgroup="0::/docker/container-id")
    records: list[dict] = []
    tracker = Tracker(["container-id"], records.append, proc=str(tmp_path))
    tracker.handle_batch([
        ProcEvent("fork", 1, pid=200, tgid=200, parent_pid=100, parent_tgid=100),
        ProcEvent("exec", 2, pid=200, tgid=200),                       # runc init
        ProcEvent("exec", 3, pid=200, tgid=200),                       # re-exec'd from a memfd copy
        ProcEvent("comm", 4, pid=200, tgid=200, comm="runc:[0:PARENT]"),
        ProcEvent("fork", 5, pid=201, tgid=201, parent_pid=200, parent_tgid=200),
        ProcEvent("comm", 6, pid=201, tgid=201, comm="runc:[1:CHILD]"),
        ProcEvent("exit", 7, pid=201, tgid=201),
    ])
    assert any(r["kind"] == "exec" and r["uids"] == [0] * 4 for r in records)   # root, in the container's cgroup
    assert containers_own(records) == []


def test_root_inside_an_accepted_root_command_run_by_sudo_is_accepted_not_found():
    sudo = Sighting(6.0, "exec", ProcessIds(7, "sudo -n /usr/local/bin/rotate-logs", ROOT, ROOT))
    child = Sighting(6.1, "fork", ProcessIds(8, "sudo -n /usr/local/bin/rotate-logs", ROOT, ROOT), parent=7)
    job = Sighting(6.1, "exec", ProcessIds(8, "/bin/sh /usr/local/bin/rotate-logs", ROOT, ROOT))
    service = seen(0.1, "exec", 1, "service", APP)
    other = seen(7.0, "exec", 9, "sudo -n /usr/bin/other", ROOT)
    found = judge(Timeline(EVENTS, 10.0, 1, [service, sudo, child, job, other], {},
                           accepted=("/usr/local/bin/rotate-logs",)))
    assert [s.ids.pid for s in found.accepted] == [7, 8, 8]
    assert [r.sighting.ids.pid for r in found.root] == [9]
    assert not judge(Timeline(EVENTS, 10.0, 1, [service, sudo, child, job], {})).accepted
