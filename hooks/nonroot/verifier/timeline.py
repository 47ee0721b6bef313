"""What one container's processes did during the watch window, in order, and the judgement
of it: which root was allowed (the start-up prelude of an image that starts as root and
drops) and which was root found.

The rule: root is allowed only from the container's start until its first process gives
up root (the drop: a UID change of that process to non-zero IDs). From then on every
process with UID 0 is root found, including one left over from the prelude. A first
process that never drops makes every root process root found. An image whose first
process never was root has no prelude at all.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from .procs import ProcessIds
from .rootpaths import is_accepted

ROOT_RUNNERS = ("sudo", "doas")   # what runs an accepted root command (a reviewed sudo/doas rule)

EVENTS, CGROUP, ENGINE = "events", "cgroup", "engine"
MODE_SHORT = {EVENTS: "process events", CGROUP: "cgroup read every 25 ms", ENGINE: "engine's process list sampled"}
MODE_WORDS = {
    EVENTS: "every process, from the kernel's process events connector",
    CGROUP: "the container's cgroup read every 25 ms (the process events connector was not available)",
    ENGINE: "the engine's process list sampled (the engine is not on this machine)",
}


@dataclass(frozen=True)
class Sighting:
    """A process's credentials at a moment of the window (seconds since the container started)."""

    at: float
    kind: str          # exec | fork | uid | gid | sample
    ids: ProcessIds
    changed: bool = False  # a uid/gid event that changed the IDs
    parent: int | None = None  # a fork's parent process

    def describe(self) -> str:
        return f"{self.at:.2f}s {self.kind}: {self.ids.describe()}"


@dataclass
class Timeline:
    mode: str
    seconds: float = 0.0
    first_pid: int | None = None
    sightings: list[Sighting] = field(default_factory=list)
    exits: dict[int, float] = field(default_factory=dict)   # pid -> seconds, for processes that ended
    note: str = ""     # why a lesser mode ran, or events lost
    accepted: tuple[str, ...] = ()   # root commands a reviewer accepted (--accept-root-command), by path or name


@dataclass(frozen=True)
class RootSeen:
    sighting: Sighting
    why: str


@dataclass
class Judgement:
    root: list[RootSeen] = field(default_factory=list)
    prelude: list[Sighting] = field(default_factory=list)   # root sightings allowed before the drop
    accepted: list[Sighting] = field(default_factory=list)  # root in an accepted root command run by sudo/doas
    started_as_root: bool = False
    drop_at: float | None = None
    processes: list[ProcessIds] = field(default_factory=list)  # the service's own, after any prelude
    execs: int = 0
    unread: int = 0      # execs whose credentials neither the events nor /proc gave (a hole: said so)
    uid_changes: int = 0
    gid_changes: int = 0
    to_root: int = 0

    def coverage(self, timeline: Timeline) -> str:
        """e.g. "watched 5.0 s (process events): 37 execs, 4 UID changes, none to 0"."""
        to_root = "none" if not self.to_root else str(self.to_root)
        if timeline.mode == ENGINE:
            return f"watched {timeline.seconds:.1f} s ({MODE_SHORT[ENGINE]}): {self.execs} process(es) seen"
        unread = f" ({self.unread} with credentials not read)" if self.unread else ""
        return (f"watched {timeline.seconds:.1f} s ({MODE_SHORT[timeline.mode]}): {self.execs} "
                f"exec{'s' * (self.execs != 1)}{unread}, {self.uid_changes} UID change"
                f"{'s' * (self.uid_changes != 1)}, {to_root} to 0")


def _changed(before: ProcessIds | None, after: ProcessIds, key: str) -> bool:
    return before is None or getattr(before, key) != getattr(after, key)


def judge(timeline: Timeline) -> Judgement:
    """Apply the prelude rule to the timeline (see the module's docstring)."""
    result = Judgement()
    ordered = sorted(timeline.sightings, key=lambda s: s.at)
    latest: dict[int, ProcessIds] = {}
    for sighting in ordered:
        before = latest.get(sighting.ids.pid)
        if sighting.kind in ("exec", "sample") and (before is None or before.command != sighting.ids.command):
            result.execs += 1
            result.unread += -1 in sighting.ids.uids
        if sighting.kind == "uid" and _changed(before, sighting.ids, "uids"):
            result.uid_changes += 1
            if sighting.ids.root_uid_roles() and (before is None or not before.root_uid_roles()):
                result.to_root += 1
        if sighting.kind == "gid" and _changed(before, sighting.ids, "gids"):
            result.gid_changes += 1
        latest[sighting.ids.pid] = sighting.ids
    accepted = _accepted_pids(ordered, timeline.accepted)
    first = [s for s in ordered if s.ids.pid == timeline.first_pid]
    result.started_as_root = bool(first) and bool(first[0].ids.root_uid_roles())
    if result.started_as_root:
        result.drop_at = next((s.at for s in first if not s.ids.root_uid_roles()), None)
    drop = result.drop_at
    for sighting in ordered:
        if not sighting.ids.root_uid_roles():
            continue
        if sighting.ids.pid in accepted:
            result.accepted.append(sighting)
        elif not result.started_as_root:
            result.root.append(RootSeen(sighting, ""))
        elif drop is None:
            result.root.append(RootSeen(sighting, "the first process never gave up root"))
        elif sighting.at > drop:
            result.root.append(RootSeen(sighting, f"after the first process gave up root at {drop:.2f} s"))
        else:
            result.prelude.append(sighting)
    if drop is not None:
        # A child forked in the prelude that execs only after the drop (a loaded machine) is
        # left over from the prelude, and also root after the drop under the command it runs:
        # it is said once, under that command (before its exec it carries its parent's
        # command line), as left over.
        for left in _left_over(ordered, timeline.exits, drop, timeline.first_pid):
            if left.sighting.ids.pid in accepted:
                continue
            later = next((i for i, r in enumerate(result.root) if r.sighting.ids.pid == left.sighting.ids.pid), None)
            if later is None:
                result.root.append(left)
            else:
                result.root[later] = RootSeen(result.root[later].sighting, left.why)
        result.root.sort(key=lambda r: r.sighting.at)
    # A UID/GID change followed by an exec of the same process is a moment inside a drop tool
    # (setpriv changes UIDs with PR_SET_KEEPCAPS, then GIDs, then its capabilities): the state it
    # runs with is the exec's. A change that is not followed by an exec is the state it keeps.
    last_exec = {s.ids.pid: s.at for s in ordered if s.kind == "exec"}
    service = [s for s in ordered
               if (drop is None or s.at >= drop or any(r.sighting is s for r in result.root))
               and not (s.kind in ("uid", "gid") and last_exec.get(s.ids.pid, -1.0) >= s.at)]
    seen: dict[tuple, ProcessIds] = {}
    for sighting in service:
        ids = sighting.ids
        seen.setdefault((ids.pid, ids.command, ids.uids, ids.gids), ids)
    result.processes = list(seen.values())
    return result


def runs_accepted(command: str, accepted: tuple[str, ...]) -> bool:
    """Is this command line sudo or doas running an accepted command (its path or name)?"""
    words = command.split()
    if not words or posixpath.basename(words[0]) not in ROOT_RUNNERS:
        return False
    return is_accepted(next((w for w in words[1:] if not w.startswith("-")), ""), accepted)


def _accepted_pids(ordered: list[Sighting], accepted: tuple[str, ...]) -> set[int]:
    """The processes inside an accepted root command: each that execs sudo/doas running it
    (from its first sighting: a setuid exec shows as a UID change under the old command line
    first), and every process forked from one of them."""
    if not accepted:
        return set()
    inside = {s.ids.pid for s in ordered if s.kind in ("exec", "sample") and runs_accepted(s.ids.command, accepted)}
    for sighting in ordered:
        if sighting.kind == "fork" and sighting.parent in inside:
            inside.add(sighting.ids.pid)
    return inside


def _left_over(ordered: list[Sighting], exits: dict[int, float], drop: float, first_pid: int | None) -> list[RootSeen]:
    """Processes still root and alive when the first process dropped."""
    state: dict[int, Sighting] = {}
    for sighting in ordered:
        if sighting.at <= drop:
            state[sighting.ids.pid] = sighting
    return [RootSeen(s, f"left over from the start-up prelude (still running as root when the first process "
                        f"gave up root at {drop:.2f} s)")
            for pid, s in state.items()
            if pid != first_pid and s.ids.root_uid_roles() and exits.get(pid, float("inf")) > drop]
