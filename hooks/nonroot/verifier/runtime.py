"""Watch started containers over a window and judge every process seen in the main one:
UIDs, GIDs and capabilities as the kernel reports them, never by name. Every process is
seen where the engine is on this machine (procwatch: the kernel's process events, else
the cgroup read every 25 ms); elsewhere the engine's process list is sampled."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import imagefs
from .cnproc import ConnectorUnavailable
from .model import FAIL, PASS, UNKNOWN, WARN, Check
from .procs import ProcessIds, read_processes
from .procwatch import CGROUP, EVENTS, Watcher, containers_own, to_sighting
from .timeline import ENGINE, MODE_WORDS, Judgement, Sighting, Timeline, judge

RUNNING, EXITED, NOT_STARTED, STARTING = "running", "exited", "not started", "starting"
HEALTH_POLL_S = 0.25   # how often the health status is read once the window is over and it is still starting


@dataclass
class ExecRun:
    """A command run once in the container during the window (the health check), as the engine does."""

    command: list[str]
    at: float = 0.0                   # seconds after the container started
    exit_code: int | None = None
    output: str = ""
    error: str = ""


@dataclass
class Observation:
    """What one container did while it was watched."""

    role: str
    state: str = NOT_STARTED          # at the end of the window: running | exited | not started
    samples_running: int = 0          # samples at which it was running
    processes: list[ProcessIds] = field(default_factory=list)   # the service's own (after any prelude)
    exit_code: int | None = None
    stop_summary: str = ""            # why it stopped, or would not start
    owners: list[imagefs.FsEntry | str] = field(default_factory=list)
    timeline: Timeline | None = None  # every process seen, in order (containers whose processes are read)
    judgement: Judgement | None = None
    exec_run: ExecRun | None = None
    health: object | None = None      # healthcheck.HealthWatch: the engine's health status, as read
    ran_s: float = 0.0                # seconds from running to the last look (its stop, if it stopped)

    @property
    def exited_at_once(self) -> bool:
        return self.state == EXITED and self.samples_running == 0

    @property
    def stayed_up(self) -> bool:
        return self.state == RUNNING


def exit_summary(container) -> tuple[int | None, str]:
    """Exit code and a one-line account of a stopped container (engine error, last output)."""
    state = container.attrs.get("State", {})
    code = state.get("ExitCode")
    error = state.get("Error") or ""
    logs = container.logs(tail=15).decode("utf-8", "replace").strip()
    tail = "; last output: " + " | ".join(logs.splitlines()[-5:]) if logs else ""
    return code, f"exit code {code}{': ' + error if error else ''}{tail}"


def _is_local(container_id: str, pid: int, proc: Path = Path("/proc")) -> bool:
    """Is the engine on this machine, so that host PID `pid` is the container's first process?"""
    try:
        return pid > 0 and container_id in (proc / str(pid) / "cgroup").read_text()
    except OSError:
        return False


class Watch:
    """Start one container and watch it; read its processes if asked to."""

    def __init__(self, container, role: str, read_procs: bool = True, owner_paths: list[str] | None = None,
                 exec_once: list[str] | None = None, health=None, accepted: tuple[str, ...] = ()) -> None:
        """`health`: a healthcheck.HealthWatch to keep up to date; while the engine says the container
        is starting, it is watched past its window, up to `health.waited_s` from running."""
        self.container = container
        self.read_procs = read_procs
        self.owner_paths = owner_paths or []
        self.exec_once = exec_once
        self.accepted = accepted      # root commands a reviewer accepted, run through sudo/doas
        self.obs = Observation(role=role, health=health)
        self.mode = ENGINE            # how its processes are read: events | cgroup | engine (docker top)
        self.note = ""
        self.first_pid: int | None = None
        self._started_ns = 0
        self._sightings: list[Sighting] = []
        self._exec_thread: threading.Thread | None = None
        self.running_at: float | None = None      # monotonic time it was seen running
        self.stopped_after: float | None = None   # seconds from running to the sample that saw it stopped

    def start(self) -> None:
        from docker.errors import APIError

        self._started_ns = time.monotonic_ns()
        try:
            self.container.start()
        except APIError as error:
            self.obs.stop_summary = f"would not start: {error.explanation or error}"
            return
        self.obs.state = STARTING

    def wait_running(self, deadline: float) -> None:
        if self.obs.state == NOT_STARTED:
            return
        while True:
            self.container.reload()
            if self.container.status != "created" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.first_pid = (self.container.attrs.get("State") or {}).get("Pid") or None
        self._note_status()

    def attach(self, watcher: Watcher | None, index: int) -> None:
        """Read its processes through `watcher` when the engine is on this machine, else by sampling."""
        if watcher is None or not self.read_procs:
            return
        if self.first_pid is not None and self.obs.state == RUNNING and not _is_local(self.container.id,
                                                                                      self.first_pid):
            self.note = "its first process is not on this machine (a remote or virtualised engine)"
            return
        self.mode = watcher.mode
        self.note = watcher.reason
        if self.first_pid is not None:
            watcher.started(index, self.first_pid)

    def waiting_for_health(self) -> bool:
        """Still starting by the engine's health status, within the wait (past it: gave up). An
        engine that has logged no probe by `health.first_probe_s` does not run health checks
        (Podman without its systemd timers): its status is not waited for."""
        health = self.obs.health
        if health is None or self.obs.state != RUNNING or health.status != "starting" or self.running_at is None:
            return False
        elapsed = time.monotonic() - self.running_at
        if not health.probes and elapsed > health.first_probe_s:
            health.status = ""
            return False
        if elapsed < health.waited_s:
            return True
        health.gave_up = True
        return False

    def _note_status(self) -> None:
        if self.obs.health is not None:
            self.obs.health.note(self.container.attrs.get("State") or {}, self._seconds())
        if self.running_at is not None:
            self.obs.ran_s = time.monotonic() - self.running_at
        status = self.container.status
        if status == "running":
            self.obs.state = RUNNING
        elif status == "created":
            self.obs.state = NOT_STARTED
            self.obs.stop_summary = "did not reach the running state before the start timeout"
        else:
            self.obs.state = EXITED
            self.obs.exit_code, self.obs.stop_summary = exit_summary(self.container)

    def _seconds(self, ns: int | None = None) -> float:
        return ((time.monotonic_ns() if ns is None else ns) - self._started_ns) / 1e9

    def sample(self) -> None:
        from docker.errors import APIError

        if self.obs.state != RUNNING or self._stopped():
            return
        if self.read_procs:
            if self.mode == ENGINE and not self.note.startswith("the engine's process list"):
                from requests.exceptions import JSONDecodeError

                try:
                    procs = read_processes(self.container)
                except APIError:  # it stopped between the status and the process list
                    self.container.reload()
                    self._note_status()
                    return
                except JSONDecodeError:  # Podman's API answers `top` with ps options with an empty body
                    self.note = ("the engine's process list could not be read (it does not answer `top` with "
                                 "ps options: Podman); run nonroot on the engine's machine to watch its processes")
                    procs = []
                at = self._seconds()
                self._sightings += [Sighting(at, "sample", proc) for proc in procs]
            if self.obs.samples_running == 0:
                self.obs.owners = [imagefs.owner(self.container, p) or p for p in self.owner_paths]
        self.obs.samples_running += 1

    def check_stopped(self) -> None:
        """Note that it stopped, if it did (not a sample: it does not count as a read while running)."""
        if self.obs.state == RUNNING:
            self._stopped()

    def _stopped(self) -> bool:
        """Whether the running container has stopped since the last look; if so, note how and when."""
        self.container.reload()
        if self.container.status == "running":
            self._note_status()
            return False
        self._note_status()
        if self.running_at is not None:
            self.stopped_after = time.monotonic() - self.running_at
        return True

    def run_exec_once(self) -> None:
        """Run `exec_once` in the container in the background, as the engine runs a health check
        (the container's own user), so that its processes are watched."""
        if not self.exec_once or self._exec_thread is not None or self.obs.state != RUNNING:
            return
        run = self.obs.exec_run = ExecRun(list(self.exec_once), at=self._seconds())

        def work() -> None:
            from docker.errors import DockerException
            from requests.exceptions import RequestException

            try:
                code, output = self.container.exec_run(run.command)
                run.exit_code = code
                run.output = (output or b"").decode("utf-8", "replace").strip()[-300:]
            except (DockerException, RequestException) as error:
                run.error = str(error)

        self._exec_thread = threading.Thread(target=work, name="nonroot-exec-once", daemon=True)
        self._exec_thread.start()

    def wait_exec_once(self, timeout: float) -> None:
        if self._exec_thread is not None:
            self._exec_thread.join(timeout)

    def finish(self, records: list[dict], index: int, stopped_ns: int) -> None:
        """Build its timeline from the watcher's records (or its own samples) and judge it."""
        if not self.read_procs:
            return
        timeline = Timeline(self.mode, seconds=max(self._seconds(stopped_ns), 0.0), note=self.note,
                            accepted=self.accepted)
        if self.mode != ENGINE:
            mine = containers_own([r for r in records if r.get("container") == index])
            for record in mine:
                if record["kind"] == "exit":
                    timeline.exits[record["pid"]] = (record["at"] - self._started_ns) / 1e9
                else:
                    sighting = to_sighting(record, self._started_ns)
                    if sighting is not None:
                        self._sightings.append(sighting)
            lost = [r for r in records if r["kind"] == "lost"]
            if lost:
                timeline.note = f"process events were lost ({lost[0].get('reason')})"
            if self.first_pid is None:
                self.first_pid = next((s.ids.pid for s in self._sightings if s.kind == "exec"), None)
        timeline.first_pid = self.first_pid
        timeline.sightings = list(self._sightings)
        self.obs.timeline = timeline
        self.obs.judgement = judge(timeline)
        self.obs.processes = self.obs.judgement.processes

    def result(self) -> Observation:
        return self.obs


def start_watcher(process_events: bool = True) -> Watcher | None:
    """Start the process watcher (it gets ready while the containers are created); None if it cannot run."""
    try:
        return Watcher(EVENTS if process_events else CGROUP)
    except OSError:
        return None


def _ready(watcher: Watcher | None, watches: list[Watch]) -> Watcher | None:
    """The watcher, once ready; None: the processes are sampled through the engine."""
    if watcher is None:
        return None
    try:
        watcher.ready()
    except ConnectorUnavailable:
        return None
    return watcher


def observe(watches: list[Watch], settle: float, samples: int, start_timeout: float,
            spawn: Callable[[], list[Watch]] | None = None, process_events: bool = True,
            watcher: Watcher | None = None) -> list[Observation]:
    """Start every container, wait until each runs, then watch each over its own window of `settle` s.

    The processes of the containers that read them are watched from before the start to the
    end of the window (see procwatch); `samples` status reads are spread over the window.
    After every round of samples, `spawn` may return more watches (started at once and
    watched for a full window of their own): a follow-up run begins as soon as it is
    needed, while the first ones are still being watched. Returns the observations of
    `watches` (those of spawned ones are read from their Watch)."""
    count = max(samples, 1)
    due: dict[Watch, list[float]] = {}   # each watch's sample times (monotonic), over its own window
    wanted = any(w.read_procs for w in watches)
    if watcher is None and wanted:
        watcher = start_watcher(process_events)
    elif watcher is not None and not wanted:
        watcher.close()
        watcher = None
    watcher = _ready(watcher, watches)
    indexed = [w for w in watches if w.read_procs]
    index = {w: watcher.watch(w.container.id) for w in indexed} if watcher is not None else {}

    def begin(new: list[Watch], window: float, until: float = 0.0) -> None:
        """Start `new` and watch each for `window` s once running, and at least until `until`."""
        _in_threads([watch.start for watch in new])  # the engine starts them side by side
        deadline = time.monotonic() + start_timeout
        for watch in new:
            watch.wait_running(deadline)
            if watch in index:
                watch.attach(watcher, index[watch])
            running_at = watch.running_at = time.monotonic()
            span = max(window, until - running_at)
            due[watch] = [running_at + span * (k + 1) / count for k in range(count)]

    try:
        begin(watches, settle)
        while True:
            pending = [(times[0], w) for w, times in due.items() if times and w.obs.state == RUNNING]
            if not pending:
                break
            pause = max(0.0, min(t for t, _ in pending) - time.monotonic())
            if watcher is not None and watcher.first_exited.wait(pause):
                # a first process ended: see which container stopped now, so that a follow-up
                # run (the hardened run's probes) starts at once
                watcher.first_exited.clear()
                for watch in list(due):
                    watch.check_stopped()
            now = time.monotonic()
            for watch, times in due.items():
                if times and times[0] <= now:
                    first = len(times) == count
                    times.pop(0)
                    watch.sample()
                    if first:
                        watch.run_exec_once()
                    if not times and watch.waiting_for_health():
                        times.append(now + HEALTH_POLL_S)   # the watch goes on until healthy or unhealthy
            if spawn is not None:
                spawned = spawn()
                if spawned:
                    # a follow-up run needs to stay up as long as what it is compared with took to
                    # break (twice that, at least 1 s), and is watched until the main window ends
                    broke_after = max((w.stopped_after or 0.0) for w in due)
                    main_end = max((times[-1] for times in due.values() if times), default=0.0)
                    begin(spawned, max(1.0, 2 * broke_after), until=main_end)
    finally:
        for watch in due:  # a command run once in the window is watched to its end (a loaded engine is slow)
            watch.wait_exec_once(start_timeout)
        stopped = time.monotonic_ns()
        records = watcher.stop() if watcher is not None else []
    for watch in indexed:
        watch.finish(records, index.get(watch, -1), stopped)
    return [w.result() for w in watches]


def _in_threads(calls: list[Callable[[], None]]) -> None:
    """Run the calls side by side; the first error is raised once all have ended."""
    if len(calls) <= 1:
        for call in calls:
            call()
        return
    errors: list[BaseException] = []

    def run(call: Callable[[], None]) -> None:
        try:
            call()
        except BaseException as error:  # noqa: BLE001 - re-raised below, in the caller's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,), daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _root_summary(judgement: Judgement, exits: dict[int, float]) -> str:
    """The root processes, those still running at the end first (latest first), then the others in order."""
    shown: dict[tuple[int, str], str] = {}
    # a setuid exec is reported as a UID change (under the old command line) just before the exec:
    # name the exec'd command where the same process was seen root after an exec
    execd = {r.sighting.ids.pid for r in judgement.root if r.sighting.kind == "exec"}
    running = sorted((r for r in judgement.root if r.sighting.ids.pid not in exits), key=lambda r: -r.sighting.at)
    ended = [r for r in judgement.root if r.sighting.ids.pid in exits]
    for seen in running + ended:
        ids = seen.sighting.ids
        key = (ids.pid, ids.command)
        if ids.pid in execd and seen.sighting.kind == "uid":
            continue
        if key not in shown:
            why = f" ({seen.why})" if seen.why else ""
            shown[key] = (f"pid {ids.pid} `{ids.command}` has UID 0 ({', '.join(ids.root_uid_roles())}) "
                          f"at {seen.sighting.at:.2f} s{why}")
    lines = list(shown.values())
    more = f"; and {len(lines) - 5} more" if len(lines) > 5 else ""
    return "root process: " + "; ".join(lines[:5]) + more


def _evidence(obs: Observation) -> list[str]:
    timeline, judgement = obs.timeline, obs.judgement
    if timeline is None or judgement is None:
        return [p.describe() for p in obs.processes]
    lines = [f"{judgement.coverage(timeline)}; {MODE_WORDS[timeline.mode]}" + (f" ({timeline.note})"
                                                                                 if timeline.note else "")]
    if judgement.started_as_root:
        lines.append("start-up prelude: the first process started as root and " + (
            f"gave up root at {judgement.drop_at:.2f} s" if judgement.drop_at is not None else "never gave up root"))
    lines += [f"prelude (root allowed): {s.describe()}" for s in judgement.prelude[:20]]
    prelude = {id(s) for s in judgement.prelude}
    rest = [s.describe() for s in sorted(timeline.sightings, key=lambda s: s.at)
            if s.kind != "fork" and id(s) not in prelude]
    return lines + rest[:60] + ([f"... and {len(rest) - 60} more"] if len(rest) > 60 else [])


def runtime_check(obs: Observation, started_as: str = "") -> Check:
    """Root outside the start-up prelude fails; otherwise the container must have been watched running.

    `started_as` (what the config says the engine starts it as) is quoted for a
    short-lived container, the one thing known about its credentials."""
    processes = obs.processes
    evidence = _evidence(obs)
    judgement, timeline = obs.judgement, obs.timeline
    if judgement is not None and judgement.root:
        return Check("runtime", FAIL, _root_summary(judgement, timeline.exits if timeline else {}), evidence)
    if obs.state == NOT_STARTED:
        return Check("runtime", UNKNOWN, f"container {obs.stop_summary or 'did not start'}", evidence)
    if obs.exited_at_once:
        hint = ("" if obs.exit_code == 0 else "; if it needs arguments or environment to run, pass them "
                "(-e KEY=VALUE, -- CMD ...)")
        started = f"the engine started it as {started_as}; " if started_as else ""
        if timeline is not None and timeline.mode != ENGINE and processes:
            return Check("runtime", UNKNOWN, f"short-lived: the container exited at once ({obs.stop_summary}); "
                         f"{started}its {len(processes)} process(es) had no UID 0, but a service that does not "
                         "stay up was not watched serving" + hint, [
                             f"proven: the credentials of every process it ran ({judgement.coverage(timeline)}), "
                             "what its filesystem allows (setuid-files), how it behaves hardened (hardened-run)",
                             "not proven: how it behaves once it runs as a service (it exited at once)", *evidence])
        return Check("runtime", UNKNOWN, "short-lived: the container exited at once, before any process could be "
                     f"read ({obs.stop_summary}); {started}not proven: the UIDs its processes ran with after "
                     "the start" + hint, [
                         f"proven: how the engine starts it ({started_as or 'see config-user'}), what its "
                         "filesystem allows (setuid-files), how it behaves hardened (hardened-run)",
                         "not proven: the credentials of its processes once started (an entrypoint or a setuid "
                         "file can change them)", *evidence])
    if obs.state == EXITED:
        return Check("runtime", UNKNOWN, f"could not watch the service run: it stopped during the settle window "
                     f"({obs.stop_summary}); what was seen before had no UID 0", evidence)
    if not processes:
        why = f" ({timeline.note})" if timeline is not None and timeline.note else ""
        return Check("runtime", UNKNOWN, f"could not watch the service run: no process was seen{why}", evidence)
    if timeline is not None and timeline.note.startswith("process events were lost"):
        return Check("runtime", UNKNOWN, f"{timeline.note}: a process may have been missed", evidence)
    coverage = judgement.coverage(timeline) if judgement and timeline else ""
    prelude = (f"; root only in the start-up prelude (until the first process gave up root at "
               f"{judgement.drop_at:.2f} s)" if judgement and judgement.drop_at is not None else "")
    accepted = ""
    if judgement and judgement.accepted:
        commands = list(dict.fromkeys(f"`{s.ids.command}`" for s in judgement.accepted if s.kind != "uid"))
        accepted = (f"; root in the accepted root commands (--accept-root-command): {len(commands)} command "
                    f"line(s): {', '.join(commands[:5])}")
        evidence += [f"accepted root command: {s.describe()}" for s in judgement.accepted[:20]]
    none = "none with UID 0" + (" outside the accepted root commands" if accepted else "")
    return Check("runtime", PASS, f"{coverage + '; ' if coverage else ''}{len(processes)} process(es), {none} "
                 f"(real, effective, saved or filesystem){prelude}{accepted}", evidence)


def capabilities_check(processes: list[ProcessIds]) -> Check | None:
    """A non-root process holding a capability that regains root fails (effective or permitted)."""
    # processes that ended before /proc could be read (source "event") have no capability sets to judge
    non_root = [p for p in processes if not p.root_uid_roles() and p.source != "event"]
    if not non_root:
        return None
    escalating = [p for p in non_root if p.escalating_caps()]
    if escalating:
        return Check("capabilities", FAIL, "; ".join(
            f"pid {p.pid} `{p.command}` holds {', '.join(p.escalating_caps())}" for p in escalating),
            [p.describe() for p in escalating])
    unread = [p for p in non_root if p.source != "proc"]
    if unread:
        return Check("capabilities", WARN, "capability sets not read: the engine is not on this machine "
                     "(/proc/<pid>/status is not readable here); UIDs and GIDs come from ps")
    return Check("capabilities", PASS, f"no capability that regains root (CAP_SETUID, CAP_SYS_ADMIN, ...) "
                 f"in {len(non_root)} non-root process(es), effective or permitted")


def root_group_check(processes: list[ProcessIds]) -> Check | None:
    """GID 0 is not root, but worth a word: it can write what group 0 may write."""
    grouped = [p for p in processes if not p.root_uid_roles() and p.root_group()]
    if not grouped:
        return None
    return Check("root-group", WARN, f"{len(grouped)} non-root process(es) run with GID 0 (the root group): not "
                 "root, and the OpenShift convention for arbitrary UIDs, but they can write whatever is "
                 "group-writable by group 0", [p.describe() for p in grouped])


def expected_user_check(processes: list[ProcessIds], uid: int, gid: int | None) -> Check:
    wrong = [p for p in processes if p.uids[1] != uid or (gid is not None and p.gids[1] != gid)]
    want = f"{uid}:{gid}" if gid is not None else str(uid)
    if wrong:
        return Check("expected-user", FAIL, f"expected every process to run as {want}; "
                     + "; ".join(p.describe() for p in wrong))
    return Check("expected-user", PASS, f"every process runs as {want}")


def writable_path_checks(owners: list[imagefs.FsEntry | str], expect_uid: int | None) -> list[Check]:
    checks = []
    for item in owners:
        if isinstance(item, str):
            checks.append(Check("writable-path", FAIL, f"{item} does not exist in the running container"))
        elif expect_uid is not None and item.uid != expect_uid:
            checks.append(Check("writable-path", FAIL, f"{item.ownership()}, expected owner {expect_uid}"))
        else:
            checks.append(Check("writable-path", PASS, item.ownership()))
    return checks
