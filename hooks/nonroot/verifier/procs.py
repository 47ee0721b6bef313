"""Read the identity of every process in a running container, as the kernel sees it.

The process list comes from the engine (`docker top`, which runs `ps` on the
engine's host for the container's cgroup), so it works for images without a
shell and never starts anything inside the container. Where the engine runs on
this machine, each process's /proc/<pid>/status is read as well, for the
capability sets, NoNewPrivs and supplementary groups that `ps` does not show.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PS_COLUMNS = "pid,ruid,euid,suid,fsuid,rgid,egid,sgid,fsgid,args"
ID_ROLES = ("real", "effective", "saved", "filesystem")

# Capabilities that let a process make itself root or escape its confinement.
ESCALATING_CAPS = {
    "CAP_SETUID", "CAP_SETGID", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE",
    "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_CHOWN", "CAP_FOWNER", "CAP_SETFCAP",
    "CAP_SYS_RAWIO", "CAP_MKNOD", "CAP_BPF",
}
CAP_NAMES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
    "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
    "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
)


def cap_names(mask: int) -> list[str]:
    """Names of the capabilities set in a /proc status bitmask."""
    return [CAP_NAMES[bit] if bit < len(CAP_NAMES) else f"cap_{bit}"
            for bit in range(mask.bit_length()) if mask >> bit & 1]


@dataclass(frozen=True)
class ProcessIds:
    """One process's credentials. uids/gids are (real, effective, saved, filesystem)."""

    pid: int
    command: str
    uids: tuple[int, int, int, int]
    gids: tuple[int, int, int, int]
    groups: tuple[int, ...] = ()
    cap_eff: list[str] = field(default_factory=list)
    cap_prm: list[str] = field(default_factory=list)
    no_new_privs: bool | None = None
    source: str = "ps"  # "proc": read from /proc/<pid>/status; "ps": from docker top only

    def root_uid_roles(self) -> list[str]:
        """Which of the four UIDs are 0 (empty when the process is not root in any sense)."""
        return [role for role, uid in zip(ID_ROLES, self.uids) if uid == 0]

    def escalating_caps(self) -> list[str]:
        """Capabilities that can regain root, effective or permitted (a permitted one can be
        made effective by the process itself with capset)."""
        return sorted((set(self.cap_eff) | set(self.cap_prm)) & ESCALATING_CAPS)

    def root_group(self) -> bool:
        """GID 0 in any of the four GIDs or in the supplementary groups."""
        return 0 in self.gids or 0 in self.groups

    def describe(self) -> str:
        uids = "/".join(map(str, self.uids))
        gids = "/".join(map(str, self.gids))
        text = f"pid {self.pid} `{self.command}` uid r/e/s/fs={uids} gid r/e/s/fs={gids}"
        if self.source == "proc":
            groups = ",".join(map(str, self.groups)) or "none"
            text += (f" groups={groups} capeff={','.join(self.cap_eff) or 'none'}"
                     f" capprm={','.join(self.cap_prm) or 'none'} nonewprivs={int(bool(self.no_new_privs))}")
        return text


def parse_status(text: str) -> dict[str, str]:
    """Parse /proc/<pid>/status into {key: value}."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def _four(value: str) -> tuple[int, int, int, int]:
    numbers = tuple(int(n) for n in value.split())
    if len(numbers) != 4:
        raise ValueError(f"expected 4 IDs, got {value!r}")
    return numbers  # type: ignore[return-value]


def from_status(pid: int, command: str, status: dict[str, str]) -> ProcessIds:
    """Build a ProcessIds from a parsed /proc status."""
    nnp = status.get("NoNewPrivs")
    return ProcessIds(
        pid=pid,
        command=command,
        uids=_four(status["Uid"]),
        gids=_four(status["Gid"]),
        groups=tuple(int(g) for g in status.get("Groups", "").split()),
        cap_eff=cap_names(int(status.get("CapEff", "0"), 16)),
        cap_prm=cap_names(int(status.get("CapPrm", "0"), 16)),
        no_new_privs=None if nnp is None else nnp == "1",
        source="proc",
    )


def _host_status(pid: int, container_id: str, proc: Path) -> dict[str, str] | None:
    """/proc/<pid>/status of a host PID, if it is readable here and belongs to the container."""
    try:
        cgroup = (proc / str(pid) / "cgroup").read_text()
        if container_id not in cgroup:
            return None  # another process has this PID (remote engine, or the PID was reused)
        return parse_status((proc / str(pid) / "status").read_text())
    except OSError:
        return None


def read_processes(container, proc: Path = Path("/proc")) -> list[ProcessIds]:
    """Every process of a running container with its real/effective/saved/fs IDs."""
    top = container.top(ps_args=f"-o {PS_COLUMNS}")
    titles = [t.upper() for t in top.get("Titles") or []]
    result: list[ProcessIds] = []
    for row in top.get("Processes") or []:
        cols = dict(zip(titles, row))
        pid = int(cols["PID"])
        command = cols.get("COMMAND", "")
        status = _host_status(pid, container.id, proc)
        if status is not None:
            result.append(from_status(pid, command, status))
            continue
        result.append(ProcessIds(
            pid=pid,
            command=command,
            uids=tuple(int(cols[k]) for k in ("RUID", "EUID", "SUID", "FSUID")),  # type: ignore[arg-type]
            gids=tuple(int(cols[k]) for k in ("RGID", "EGID", "SGID", "FSGID")),  # type: ignore[arg-type]
        ))
    return result
