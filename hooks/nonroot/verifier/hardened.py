"""The hardened run: does the image still work with the restrictions a careful platform
applies (read-only root filesystem, no capabilities, no-new-privileges, and
optionally an arbitrary UID with GID 0 as OpenShift assigns)? When it does not, each
restriction is tried alone to name what breaks it."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Callable

from .imagefs import FsEntry
from .model import PASS, WARN, Check
from .runtime import NOT_STARTED, RUNNING, Observation, Watch

ARBITRARY_UID_LOW, ARBITRARY_UID_SPAN = 1_000_000_000, 1_000_000_000  # OpenShift-like range


def random_uid() -> int:
    """A UID nobody put in the image's /etc/passwd, as OpenShift's restricted SCC would pick."""
    return ARBITRARY_UID_LOW + secrets.randbelow(ARBITRARY_UID_SPAN)


@dataclass(frozen=True)
class Restriction:
    flag: str                                    # as written on a `docker run` command line
    kwargs: dict = field(default_factory=dict)   # as given to the SDK's containers.create


def restrictions(writable: list[str], arbitrary_uid: int | None,
                 owner: tuple[int, int] | None = None,
                 in_image: dict[str, FsEntry | None] | None = None) -> list[Restriction]:
    """The hardened options, one by one.

    Under --read-only, /tmp and each `writable` path get a tmpfs, as a platform would give
    a volume. A tmpfs is root-owned with mode 1777 unless told otherwise, so each one gets
    what a volume mounted there would have: the owner and mode of the image's directory
    (`in_image`, as a fresh Docker volume copies them). A path the image does not have goes
    to `owner` (the runtime user, when known). With an arbitrary UID (OpenShift), the
    writable paths belong to that UID and GID 0, as its restricted SCC arranges.
    """
    in_image = in_image or {}
    paths = sorted(set(writable) - {"/tmp"})
    tmpfs: dict[str, str] = {"/tmp": ""}
    shown_owners = []
    for path in paths:
        found = in_image.get(path)
        if arbitrary_uid is not None:
            tmpfs[path], whose = f"uid={arbitrary_uid},gid=0", f"owned by {arbitrary_uid}:0"
        elif found is not None:
            tmpfs[path] = f"uid={found.uid},gid={found.gid},mode={found.mode & 0o7777:04o}"
            whose = f"owned by {found.uid}:{found.gid} mode {found.mode & 0o7777:04o}, as in the image"
        elif owner:
            tmpfs[path], whose = f"uid={owner[0]},gid={owner[1]}", f"owned by {owner[0]}:{owner[1]}"
        else:
            tmpfs[path], whose = "", "owned by 0:0 mode 1777"
        shown_owners.append(f"{path} {whose}")
    shown = ", ".join(["/tmp", *paths]) + (f" ({'; '.join(shown_owners)})" if paths else "")
    found = [
        Restriction(f"--read-only (tmpfs: {shown})", {"read_only": True, "tmpfs": tmpfs}),
        Restriction("--cap-drop ALL", {"cap_drop": ["ALL"]}),
        Restriction("--security-opt no-new-privileges", {"security_opt": ["no-new-privileges"]}),
    ]
    if arbitrary_uid is not None:
        found.append(Restriction(f"--user {arbitrary_uid}:0", {"user": f"{arbitrary_uid}:0"}))
    return found


def combine(base: dict, chosen: list[Restriction]) -> dict:
    """SDK create arguments for `base` (command, environment, tmpfs...) under the chosen restrictions."""
    merged = dict(base)
    for restriction in chosen:
        for key, value in restriction.kwargs.items():
            if key == "tmpfs":
                merged["tmpfs"] = {**(merged.get("tmpfs") or {}), **value}
            else:
                merged[key] = value
    return merged


def broke(normal: Observation, hardened: Observation) -> bool:
    """Did the restricted run behave worse than the normal one?"""
    if normal.stayed_up:
        return not hardened.stayed_up
    return hardened.state != normal.state or hardened.exit_code != normal.exit_code


class Bisection:
    """Each restriction alone, started as soon as the hardened run is seen broken (while the
    normal run is still being watched), to name what breaks it."""

    def __init__(self, probe: Callable[[Restriction], Watch], chosen: list[Restriction],
                 normal: Watch, hardened: Watch) -> None:
        self._probe = probe
        self._chosen = chosen
        self._normal = normal
        self._hardened = hardened
        self._probes: list[Watch] = []

    def spawn(self) -> list[Watch]:
        """The probes to start now: once, and only when the hardened run stopped and that is worse."""
        normal, hardened = self._normal.obs, self._hardened.obs
        if self._probes or normal.state == NOT_STARTED or hardened.state == RUNNING or not broke(normal, hardened):
            return []
        self._probes = [self._probe(restriction) for restriction in self._chosen]
        return self._probes

    def results(self) -> list[tuple[Restriction, Observation]]:
        return list(zip(self._chosen, [p.result() for p in self._probes]))


def hardened_check(normal: Observation, hardened: Observation, chosen: list[Restriction],
                   alone: list[tuple[Restriction, Observation]]) -> Check | None:
    """Judge the hardened run against the normal one; None when the normal run did not start."""
    if normal.state == "not started":
        return None
    flags = ", ".join(r.flag for r in chosen)
    evidence = [f"hardened: {p.describe()}" for p in hardened.processes]
    if not broke(normal, hardened):
        if normal.stayed_up:
            return Check("hardened-run", PASS, f"stays up with {flags}", evidence)
        return Check("hardened-run", PASS, f"exits with code {hardened.exit_code}, as in the normal run, "
                     f"with {flags}", evidence)
    what = (f"stops ({hardened.stop_summary})" if hardened.state != "not started"
            else f"does not start ({hardened.stop_summary})")
    culprits = [(r, o) for r, o in alone if broke(normal, o)]
    for restriction, obs in alone:
        evidence.append(f"alone: {restriction.flag}: "
                        + ("breaks it: " + (obs.stop_summary or obs.state) if broke(normal, obs) else "works"))
    if culprits:
        cause = "breaks with: " + "; ".join(r.flag for r, _ in culprits)
    elif alone:
        cause = "no restriction breaks it alone; only their combination does"
    else:
        cause = "each restriction alone was not tried"
    baseline = "" if normal.stayed_up else f" (normal run: {normal.stop_summary})"
    return Check("hardened-run", WARN, f"{what} with {flags}{baseline}; {cause}", evidence)
