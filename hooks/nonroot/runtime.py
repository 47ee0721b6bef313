"""Watch started containers over a settle window and judge every process seen in the
main one: UIDs, GIDs and capabilities as the kernel reports them, never by name."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from . import imagefs
from .model import FAIL, PASS, UNKNOWN, WARN, Check
from .procs import ProcessIds, read_processes

RUNNING, EXITED, NOT_STARTED, STARTING = "running", "exited", "not started", "starting"


@dataclass
class Observation:
    """What one container did while it was watched."""

    role: str
    state: str = NOT_STARTED          # at the end of the window: running | exited | not started
    samples_running: int = 0          # samples at which it was running
    processes: list[ProcessIds] = field(default_factory=list)
    exit_code: int | None = None
    stop_summary: str = ""            # why it stopped, or would not start
    owners: list[imagefs.PathOwner | str] = field(default_factory=list)

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


class Watch:
    """Start one container and sample it; read its processes if asked to."""

    def __init__(self, container, role: str, read_procs: bool = True, owner_paths: list[str] | None = None) -> None:
        self.container = container
        self.read_procs = read_procs
        self.owner_paths = owner_paths or []
        self.obs = Observation(role=role)
        self._seen: dict[tuple[int, str], ProcessIds] = {}

    def start(self) -> None:
        from docker.errors import APIError

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
            time.sleep(0.1)
        self._note_status()

    def _note_status(self) -> None:
        status = self.container.status
        if status == "running":
            self.obs.state = RUNNING
        elif status == "created":
            self.obs.state = NOT_STARTED
            self.obs.stop_summary = "did not reach the running state before the start timeout"
        else:
            self.obs.state = EXITED
            self.obs.exit_code, self.obs.stop_summary = exit_summary(self.container)

    def sample(self) -> None:
        from docker.errors import APIError

        if self.obs.state != RUNNING:
            return
        self.container.reload()
        if self.container.status != "running":
            self._note_status()
            return
        if self.read_procs:
            try:
                procs = read_processes(self.container)
            except APIError:  # it stopped between the status and the process list
                self.container.reload()
                self._note_status()
                return
            for proc in procs:
                self._seen.setdefault((proc.pid, proc.command), proc)
            if self.obs.samples_running == 0:
                self.obs.owners = [imagefs.owner(self.container, p) or p for p in self.owner_paths]
        self.obs.samples_running += 1

    def result(self) -> Observation:
        self.obs.processes = list(self._seen.values())
        return self.obs


def observe(watches: list[Watch], settle: float, samples: int, start_timeout: float,
            spawn: Callable[[], list[Watch]] | None = None) -> list[Observation]:
    """Start every container, wait until each runs, then sample each over its own settle window.

    After every round of samples, `spawn` may return more watches (started at once and
    watched for a full window of their own): a follow-up run begins as soon as it is
    needed, while the first ones are still being watched. Returns the observations of
    `watches` (those of spawned ones are read from their Watch)."""
    count = max(samples, 1)
    taken: dict[Watch, int] = {}

    def begin(new: list[Watch]) -> None:
        for watch in new:
            watch.start()
        deadline = time.monotonic() + start_timeout
        for watch in new:
            watch.wait_running(deadline)
            taken[watch] = 0

    begin(watches)
    while any(w.obs.state == RUNNING and n < count for w, n in taken.items()):
        time.sleep(settle / count)
        for watch, n in list(taken.items()):
            if n < count:
                watch.sample()
                taken[watch] = n + 1
        if spawn is not None:
            begin(spawn())
    return [w.result() for w in watches]


def runtime_check(obs: Observation, started_as: str = "") -> Check:
    """Any UID 0 fails; otherwise the container must have been watched running.

    `started_as` (what the config says the engine starts it as) is quoted for a
    short-lived container, the one thing known about its credentials."""
    processes = obs.processes
    evidence = [p.describe() for p in processes]
    root = [p for p in processes if p.root_uid_roles()]
    if root:
        return Check("runtime", FAIL, "root process: " + "; ".join(
            f"pid {p.pid} `{p.command}` has UID 0 ({', '.join(p.root_uid_roles())})" for p in root), evidence)
    if obs.state == NOT_STARTED:
        return Check("runtime", UNKNOWN, f"container {obs.stop_summary or 'did not start'}", evidence)
    if obs.exited_at_once:
        hint = ("" if obs.exit_code == 0 else "; if it needs arguments or environment to run, pass them "
                "(-e KEY=VALUE, -- CMD ...)")
        started = f"the engine started it as {started_as}; " if started_as else ""
        return Check("runtime", UNKNOWN, "short-lived: the container exited at once, before any process could be "
                     f"read ({obs.stop_summary}); {started}not proven: the UIDs its processes ran with after "
                     "the start" + hint, [
                         f"proven: how the engine starts it ({started_as or 'see config-user'}), what its "
                         "filesystem allows (setuid-files), how it behaves hardened (hardened-run)",
                         "not proven: the credentials of its processes once started (an entrypoint or a setuid "
                         "file can change them)"])
    if obs.state == EXITED:
        return Check("runtime", UNKNOWN, f"could not watch the service run: it stopped during the settle window "
                     f"({obs.stop_summary}); what was seen before had no UID 0", evidence)
    if not processes:
        return Check("runtime", UNKNOWN, "could not watch the service run: no process was seen", evidence)
    return Check("runtime", PASS, f"{len(processes)} process(es), none with UID 0 "
                 "(real, effective, saved or filesystem)", evidence)


def capabilities_check(processes: list[ProcessIds]) -> Check | None:
    """A non-root process holding a capability that regains root fails (effective or permitted)."""
    non_root = [p for p in processes if not p.root_uid_roles()]
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


def writable_path_checks(owners: list[imagefs.PathOwner | str], expect_uid: int | None) -> list[Check]:
    checks = []
    for item in owners:
        if isinstance(item, str):
            checks.append(Check("writable-path", FAIL, f"{item} does not exist in the running container"))
        elif expect_uid is not None and item.uid != expect_uid:
            checks.append(Check("writable-path", FAIL, f"{item.describe()}, expected owner {expect_uid}"))
        else:
            checks.append(Check("writable-path", PASS, item.describe()))
    return checks
