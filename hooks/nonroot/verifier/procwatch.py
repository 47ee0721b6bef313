"""Watch every process of some containers, however short-lived: a child process that
reports each exec, fork, UID/GID change and exit of the containers' processes as JSON
lines, with the credentials the kernel gives them (/proc/<pid>/status read at once).

Modes, best first:
  events  the kernel's process events connector (cnproc): nothing is missed; a process
          is the container's when its /proc/<pid>/cgroup names the container's ID, or
          when it was forked by one of the container's processes;
  cgroup  where the connector cannot be used: the containers' cgroup.procs read every
          POLL_SECONDS (a process that lives shorter than that can be missed).
It runs as its own process so the interpreter of the verification (streaming the
image's filesystem, talking to the engine) never delays reading /proc.

    python -m nonroot.verifier.procwatch [--mode events|cgroup] CONTAINER_ID...
    stdin:  "id INDEX CONTAINER_ID" (watch it), "pid INDEX HOSTPID" (its first process, once
            started), "stop"
    stdout: {"kind": "ready", "mode": ...} then one record per event
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cnproc import ConnectorUnavailable, ProcEvent, open_listener, parse_datagram
from .procs import from_status, parse_status

POLL_SECONDS = 0.025
EVENTS, CGROUP = "events", "cgroup"


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


def command_line(pid: int, proc: str = "/proc") -> str | None:
    """argv joined by spaces, as `ps -o args` shows it; [comm] when empty."""
    raw = _read(f"{proc}/{pid}/cmdline")
    if raw is None:
        return None
    args = raw.rstrip("\0").replace("\0", " ")
    if args:
        return args
    comm = _read(f"{proc}/{pid}/comm")
    return f"[{comm.strip()}]" if comm else None


def credentials(pid: int, proc: str = "/proc") -> dict | None:
    """The process's IDs, groups and capabilities from /proc/<pid>/status, or None once it is gone."""
    text = _read(f"{proc}/{pid}/status")
    if not text:
        return None
    ids = from_status(pid, "", parse_status(text))
    return {"uids": list(ids.uids), "gids": list(ids.gids), "groups": list(ids.groups), "cap_eff": ids.cap_eff,
            "cap_prm": ids.cap_prm, "no_new_privs": ids.no_new_privs, "source": "proc"}


def changed_ids(ids: list[int], real: int, effective: int, read: list[int] | None = None) -> list[int]:
    """Real, effective, saved and filesystem IDs after a UID/GID event (which gives real and
    effective): saved from a /proc read that shows the same real and effective, else the
    effective one when real and effective agree (setuid/setresuid to one ID), else unchanged."""
    if read is not None and read[:2] == [real, effective]:
        saved = read[2]
    else:
        saved = effective if real == effective else ids[2]
    return [real, effective, saved, effective]


RUNC_INIT = "runc:[2:INIT]"   # the name runc gives the process that becomes the container's (run and exec)


@dataclass
class Tracked:
    container: int
    launched: bool = False   # runc's INIT (or a descendant): what it execs is the container's own
    ran: bool = False        # has exec'd in the container (before: the runtime's own set-up code)
    uids: list[int] = field(default_factory=lambda: [-1] * 4)
    gids: list[int] = field(default_factory=lambda: [-1] * 4)
    extra: dict = field(default_factory=dict)   # groups, capabilities, no_new_privs (last /proc read)
    command: str = ""


class Tracker:
    """Turn process events into records about the containers' processes.

    Credentials follow the events (a fork inherits, a UID/GID event sets real and effective,
    an exec sets saved and filesystem to effective); /proc/<pid>/status, read as soon as the
    event is handled, adds the groups and capabilities, and an exec's setuid/setgid effect:
    a read that shows UID 0 where the events have none can only come from a setuid exec.
    Reads can lag behind the events (a loaded machine), so a read never takes root away.

    Because reads lag, the credentials a container's process starts with are not read when
    it becomes known (by then its entrypoint may have dropped root): every process of the
    machine is followed from its fork (`lineage`), so runc's INIT starts with the IDs the
    events gave it. Only a process that existed before the watch (the engine's own daemons,
    which do not change IDs) is read from /proc, once."""

    def __init__(self, ids: list[str], emit, proc: str = "/proc") -> None:
        self.ids = dict(enumerate(ids))   # container index -> container ID
        self.emit = emit
        self.proc = proc
        self.known: dict[int, Tracked] = {}
        self.names: dict[int, str] = {}    # runc's stage names, by pid
        self.namespaces: dict[str, int] = {}  # PID namespace (as /proc/<pid>/ns/pid reads) -> container
        self.lineage: dict[int, tuple[list[int], list[int]]] = {}  # every live process: (uids, gids) by the events
        self.parent: dict[int, int] = {}   # every process forked since the watch began: its parent

    def add_first(self, index: int, hostpid: int) -> None:
        """The container `index` runs with this first process: its PID namespace identifies the
        processes the engine execs into the container (health checks) before they join its cgroup."""
        try:
            self.namespaces[os.readlink(f"{self.proc}/{hostpid}/ns/pid")] = index
        except OSError:
            pass

    def _container_of(self, tgid: int) -> int | None:
        cgroup = _read(f"{self.proc}/{tgid}/cgroup")
        if cgroup:
            for index, cid in self.ids.items():
                if cid in cgroup:
                    return index
        if self.namespaces:
            try:
                return self.namespaces.get(os.readlink(f"{self.proc}/{tgid}/ns/pid"))
            except OSError:
                return None
        return None

    def _record(self, kind: str, at: int, tgid: int, proc: Tracked, **extra) -> None:
        self.emit({"kind": kind, "container": proc.container, "pid": tgid, "at": at, "command": proc.command,
                   "ran": proc.ran, "launched": proc.launched, "uids": list(proc.uids), "gids": list(proc.gids),
                   **proc.extra, **extra})

    def _ids_of(self, tgid: int) -> tuple[list[int], list[int]] | None:
        """The process's (uids, gids) as the events have them; read once for a process older than the watch."""
        ids = self.lineage.get(tgid)
        if ids is None:
            creds = credentials(tgid, self.proc)
            if creds is None:
                return None
            ids = self.lineage[tgid] = (list(creds["uids"]), list(creds["gids"]))
        return ids

    def _follow(self, event: ProcEvent) -> None:
        """Keep `lineage` and `parent` up to date with this event, for every process of the machine."""
        if event.kind == "fork" and not event.is_thread:
            self.parent[event.tgid] = event.parent_tgid
            parent = self._ids_of(event.parent_tgid)
            if parent is not None:
                self.lineage[event.tgid] = (list(parent[0]), list(parent[1]))
        elif event.kind in ("uid", "gid") and event.tgid in self.lineage:
            ids = self.lineage[event.tgid][event.kind == "gid"]
            ids[:] = changed_ids(ids, event.real, event.effective)
        elif event.kind == "exec" and event.tgid in self.lineage:
            for ids in self.lineage[event.tgid]:
                ids[2] = ids[3] = ids[1]
        elif event.kind == "exit" and not event.is_thread:
            self.lineage.pop(event.tgid, None)
            self.parent.pop(event.tgid, None)

    def _init_container(self, tgid: int) -> int | None:
        """The container of runc's INIT: by /proc while it can be read, else by the runtime it
        descends from: the container's shim (Docker) or conmon (Podman), long-lived, whose
        command line names the container. (A health check `docker exec`s a command that lives a
        few milliseconds: on a loaded machine it is gone before its events are handled.)"""
        container = self._container_of(tgid)
        ancestor = self.parent.get(tgid)
        while container is None and ancestor is not None:
            command = command_line(ancestor, self.proc) or ""
            container = next((index for index, cid in self.ids.items() if cid in command), None)
            ancestor = self.parent.get(ancestor)
        return container

    def _first(self, tgid: int, container: int) -> Tracked:
        """A process of the container, known from now on, with the IDs the events gave it (a /proc read
        now may already show a later state); the read adds groups and capabilities where it agrees."""
        proc = self.known[tgid] = Tracked(container)
        ids = self.lineage.get(tgid)
        creds = credentials(tgid, self.proc)
        if ids is None:
            self._apply_read(proc, creds, exec_=False)
            return proc
        proc.uids, proc.gids = list(ids[0]), list(ids[1])
        if creds is not None and creds["uids"] == proc.uids and creds["gids"] == proc.gids:
            self._apply_read(proc, creds, exec_=False)
        else:
            proc.extra = {"source": "event"}
        return proc

    def _apply_read(self, proc: Tracked, creds: dict | None, exec_: bool) -> str:
        if creds is None:
            if exec_ or -1 not in proc.uids:
                proc.extra = {"source": "event"}  # an exec or a UID change resets capabilities: unknown now
            return "event"
        proc.extra = {k: creds[k] for k in ("groups", "cap_eff", "cap_prm", "no_new_privs", "source")}
        for key in ("uids", "gids"):
            now, read = getattr(proc, key), creds[key]
            if -1 in now:
                setattr(proc, key, list(read))
            elif exec_ and 0 in read and 0 not in now:
                setattr(proc, key, list(read))  # a setuid/setgid-root exec
        return "proc"

    def handle_batch(self, events: list[ProcEvent]) -> None:
        last_exec = {e.tgid: i for i, e in enumerate(events) if e.kind == "exec"}
        for index, event in enumerate(events):
            self.handle(event, replaced=last_exec.get(event.tgid, -1) > index)

    def handle(self, event: ProcEvent, replaced: bool = False) -> None:
        """`replaced`: this process exec'd again later in the same batch (its command line is gone)."""
        self._follow(event)
        if event.kind == "comm" and not event.is_thread:
            if event.comm.startswith("runc:["):
                self.names[event.tgid] = event.comm
                proc = self.known.get(event.tgid)
                if proc is not None and not proc.launched:
                    # runc names its own stages: whatever this process exec'd so far (`runc init`,
                    # re-exec'd before its command line was read) was the runtime, not the container
                    self.emit({"kind": "runc", "container": proc.container, "pid": event.tgid,
                               "at": event.timestamp_ns, "comm": event.comm})
                if proc is None and event.comm == RUNC_INIT:
                    # known from here, long before it execs: the credentials read now are its first ones
                    container = self._init_container(event.tgid)
                    if container is not None:
                        proc = self._first(event.tgid, container)
                if proc is not None and event.comm == RUNC_INIT:
                    proc.launched = True
        elif event.kind == "fork":
            parent = self.known.get(event.parent_tgid)
            if parent is None or event.is_thread:
                return
            child = Tracked(parent.container, parent.launched, parent.ran, list(parent.uids), list(parent.gids),
                            dict(parent.extra), parent.command)
            self.known[event.tgid] = child
            if child.ran:
                self._record("fork", event.timestamp_ns, event.tgid, child, parent=event.parent_tgid)
        elif event.kind in ("exec", "uid", "gid"):
            proc = self.known.get(event.tgid)
            if proc is None:
                init = self.names.get(event.tgid) == RUNC_INIT
                container = self._init_container(event.tgid) if init else self._container_of(event.tgid)
                if container is None:
                    return
                proc = self._first(event.tgid, container)
                if self.names.get(event.tgid) == RUNC_INIT:
                    proc.launched = True
            if event.kind == "exec":
                command = None if replaced else command_line(event.tgid, self.proc)
                proc.command = command or ("(exec'd again before its command line could be read)" if replaced
                                           else "(ended before its command line could be read)")
                proc.ran = True
                proc.uids[2] = proc.uids[3] = proc.uids[1]
                proc.gids[2] = proc.gids[3] = proc.gids[1]
                read = self._apply_read(proc, None if replaced else credentials(event.tgid, self.proc), exec_=True)
                if proc.ran:
                    self._record("exec", event.timestamp_ns, event.tgid, proc, read=read)
                return
            key = "uids" if event.kind == "uid" else "gids"
            creds = credentials(event.tgid, self.proc)
            setattr(proc, key, changed_ids(getattr(proc, key), event.real, event.effective,
                                           None if creds is None else creds[key]))
            self._apply_read(proc, creds, exec_=False)
            if proc.ran:
                self._record(event.kind, event.timestamp_ns, event.tgid, proc, real=event.real,
                             effective=event.effective)
        elif event.kind == "exit" and not event.is_thread:
            self.names.pop(event.tgid, None)
            proc = self.known.pop(event.tgid, None)
            if proc is not None and proc.ran:
                self.emit({"kind": "exit", "container": proc.container, "pid": event.tgid,
                           "at": event.timestamp_ns, "code": event.exit_code, "launched": proc.launched})


def cgroup_procs(hostpid: int) -> Path | None:
    """The cgroup.procs file of the cgroup that holds `hostpid` (v2, or the first v1 hierarchy found)."""
    text = _read(f"/proc/{hostpid}/cgroup") or ""
    for line in text.splitlines():
        _, controllers, path = line.split(":", 2)
        names = [c.removeprefix("name=") for c in controllers.split(",") if c] or ["unified", ""]
        for name in names:
            candidate = Path("/sys/fs/cgroup", name, path.lstrip("/"), "cgroup.procs")
            if candidate.exists():
                return candidate
    return None


class Poller:
    """The fallback: read the containers' cgroups every POLL_SECONDS; report what changed."""

    def __init__(self, emit) -> None:
        self.emit = emit
        self.groups: dict[int, Path] = {}
        self.seen: dict[int, tuple[int, str, tuple]] = {}

    def add(self, container: int, hostpid: int) -> None:
        found = cgroup_procs(hostpid)
        if found is None:
            self.emit({"kind": "nocgroup", "container": container, "pid": hostpid})
        else:
            self.groups[container] = found

    def poll(self) -> None:
        now = time.monotonic_ns()
        alive: set[int] = set()
        for container, procs in self.groups.items():
            for line in (_read(str(procs)) or "").split():
                pid = int(line)
                alive.add(pid)
                creds = credentials(pid)
                command = command_line(pid)
                if creds is None or command is None or is_runc_init(command):
                    continue  # gone, or the runtime's own set-up process (docker exec's runc init)
                key = (container, command, tuple(creds["uids"]) + tuple(creds["gids"]))
                before = self.seen.get(pid)
                if before == key:
                    continue
                kind = "exec" if before is None or before[1] != command else "uid"
                self.seen[pid] = key
                self.emit({"kind": kind, "container": container, "pid": pid, "at": now, "command": command,
                           "ran": True, "read": True, **creds})
        for pid in [p for p in self.seen if p not in alive]:
            container = self.seen.pop(pid)[0]
            self.emit({"kind": "exit", "container": container, "pid": pid, "at": now})


class Watcher:
    """The parent's side: start the child (at once: it gets ready while the containers are
    created), name the containers to it, tell it their first processes, collect its records."""

    def __init__(self, mode: str = EVENTS) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[2]), *filter(None, [os.environ.get("PYTHONPATH")])])}
        self._child = subprocess.Popen([sys.executable, "-S", "-m", "nonroot.verifier.procwatch", "--mode", mode],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.records: list[dict] = []
        self._lines: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._read, name="nonroot-procwatch", daemon=True)
        self._thread.start()
        self._ready: dict | None = None
        self.first: dict[int, int] = {}              # container index -> its first process
        self.first_exited = threading.Event()        # set when one of those ends
        self.mode = ""
        self.reason = ""
        self.count = 0

    def ready(self, timeout: float = 10.0) -> None:
        """Wait until the child watches; raises ConnectorUnavailable if it does not start."""
        if self._ready is not None:
            return
        try:
            ready = self._lines.get(timeout=timeout)
        except queue.Empty:
            ready = None
        if not ready or ready.get("kind") != "ready":
            self.close()
            raise ConnectorUnavailable(f"the process watcher did not start ({ready or 'no answer'})")
        self._ready = ready
        self.mode = ready["mode"]
        self.reason = ready.get("reason", "")

    def watch(self, container_id: str) -> int:
        """Watch this container's processes from now on (before it starts); returns its index."""
        self.count += 1
        self._send(f"id {self.count - 1} {container_id}\n")
        return self.count - 1

    def _read(self) -> None:
        assert self._child.stdout is not None
        for line in self._child.stdout:
            record = json.loads(line)
            if record.get("kind") == "ready":
                self._lines.put(record)
            else:
                self.records.append(record)
                if record.get("kind") == "exit" and self.first.get(record.get("container", -1)) == record["pid"]:
                    self.first_exited.set()
        self._lines.put(None)

    def started(self, index: int, hostpid: int) -> None:
        """The container `index` runs with this first process (the cgroup mode needs it)."""
        self.first[index] = hostpid
        self._send(f"pid {index} {hostpid}\n")

    def _send(self, text: str) -> None:
        try:
            assert self._child.stdin is not None
            self._child.stdin.write(text)
            self._child.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def stop(self) -> list[dict]:
        """Every record up to now; the child ends."""
        self._send("stop\n")
        self.close()
        return self.records

    def close(self) -> None:
        try:
            if self._child.stdin:
                self._child.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
        try:
            self._child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()
        self._thread.join(timeout=5)


def containers_own(records: list[dict]) -> list[dict]:
    """The records of the container's own processes. Under runc, those are what runc's INIT
    (named runc:[2:INIT]) execs, and their descendants: runc's own set-up processes also run
    in the container's cgroup (`runc init`, re-exec'd from memory), as root. When INIT never
    exec'd (an entrypoint the kernel cannot execute), or under another runtime: every process
    exec'd in the cgroup except runc's, known by its `runc init` command line or, when that was
    gone before it was read, by the stage name runc gave the process (a "runc" record)."""
    notes = ("ready", "lost", "nocgroup", "stopped")
    if any(r.get("launched") for r in records):
        return [r for r in records if r.get("launched") or r["kind"] in notes]
    runtime = {r["pid"] for r in records if r["kind"] == "runc"}
    return [r for r in records if r["kind"] != "runc" and r.get("pid") not in runtime
            and not is_runc_init(str(r.get("command", "")))]


def is_runc_init(command: str) -> bool:
    """`runc init` or `/usr/bin/runc init`: the runtime's own process (Docker and Podman call runc differently)."""
    words = command.split()
    return len(words) >= 2 and os.path.basename(words[0]) == "runc" and words[1] == "init"


def to_sighting(record: dict, started_ns: int):
    """A child's record as a timeline Sighting (None for exits and notes)."""
    from .procs import ProcessIds
    from .timeline import Sighting

    if record["kind"] not in ("exec", "fork", "uid", "gid") or not record.get("ran") or "uids" not in record:
        return None
    ids = ProcessIds(pid=record["pid"], command=record.get("command", ""), uids=tuple(record["uids"]),
                     gids=tuple(record["gids"]), groups=tuple(record.get("groups") or ()),
                     cap_eff=list(record.get("cap_eff") or []), cap_prm=list(record.get("cap_prm") or []),
                     no_new_privs=record.get("no_new_privs"), source=record.get("source", "event"))
    return Sighting((record["at"] - started_ns) / 1e9, record["kind"], ids, parent=record.get("parent"))


def run(ids: list[str], mode: str, out=sys.stdout, control: int = 0) -> None:
    def emit(record: dict) -> None:
        out.write(json.dumps(record) + "\n")

    sock = None
    reason = ""
    if mode == EVENTS:
        try:
            sock = open_listener()
        except ConnectorUnavailable as error:
            reason = str(error)
    tracker, poller = Tracker(ids, emit), Poller(emit)
    emit({"kind": "ready", "mode": EVENTS if sock else CGROUP, "reason": reason, "at": time.monotonic_ns()})
    out.flush()
    watched = [control] + ([sock] if sock else [])
    pending = ""
    stopping = False
    while not stopping:
        ready, _, _ = select.select(watched, [], [], None if sock else POLL_SECONDS)
        if control in ready:
            chunk = os.read(control, 4096)
            pending += chunk.decode()
            lines = pending.split("\n")
            pending = lines.pop()
            stopping = not chunk or any(line.strip() == "stop" for line in lines)
            for line in lines:
                if line.startswith("id "):
                    _, index, cid = line.split()
                    tracker.ids[int(index)] = cid
                elif line.startswith("pid "):
                    _, index, hostpid = line.split()
                    if sock is None:
                        poller.add(int(index), int(hostpid))
                    else:
                        tracker.add_first(int(index), int(hostpid))
        if sock is not None:
            batch: list[ProcEvent] = []
            while True:
                try:
                    data = sock.recv(65536, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                except OSError as error:  # ENOBUFS: events were lost; say so
                    emit({"kind": "lost", "reason": str(error), "at": time.monotonic_ns()})
                    break
                batch += parse_datagram(data)
            tracker.handle_batch(batch)
            batch = []
        if sock is None:
            poller.poll()
        out.flush()
    emit({"kind": "stopped", "at": time.monotonic_ns()})
    out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nonroot.verifier.procwatch")
    parser.add_argument("--mode", choices=(EVENTS, CGROUP), default=EVENTS)
    parser.add_argument("ids", nargs="*", help="containers to watch (more can be named on stdin: id INDEX ID)")
    args = parser.parse_args(argv)
    # Ctrl-C reaches the whole process group: the parent cleans up, then closes our stdin
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # read /proc as close to each event as the machine allows (root may raise its priority)
        os.nice(-10)
    except OSError:
        pass
    run(args.ids, args.mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
