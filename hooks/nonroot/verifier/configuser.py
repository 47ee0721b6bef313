"""The image config's `User`, resolved to numbers from the image's own /etc/passwd and
/etc/group (read through the engine's archive API: no shell runs in the image), and
what that means for Kubernetes `runAsNonRoot`."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import imagefs
from .model import PASS, UNKNOWN, WARN, Check


@dataclass(frozen=True)
class ConfigUser:
    """`User` from the image config. uid/gid are None when unset or not resolvable."""

    raw: str
    uid: int | None = None
    gid: int | None = None
    by_name: bool = False
    problem: str = ""              # why the engine cannot resolve it (the container will not start)
    evidence: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.raw.partition(":")[0]

    @property
    def group(self) -> str:
        return self.raw.partition(":")[2]


def _lookup(table_text: bytes | None) -> dict[str, tuple[int, int | None]]:
    """{name: (id, primary gid or None)} from /etc/passwd or /etc/group bytes (first entry wins, as runc)."""
    if table_text is None:
        return {}
    table: dict[str, tuple[int, int | None]] = {}
    for line in table_text.decode("utf-8", "replace").splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            gid = int(parts[3]) if len(parts) >= 4 and parts[3].isdigit() else None
            table.setdefault(parts[0], (int(parts[2]), gid))
    return table


def resolve(raw: str, passwd: bytes | None, group: bytes | None) -> ConfigUser:
    """Resolve `User` the way the engine (runc) does: names through the image's files, numbers as they are.

    A numeric user without a passwd entry and without a group runs with GID 0.
    """
    if not raw:
        return ConfigUser(raw="")
    users, groups = _lookup(passwd), _lookup(group)
    name, _, group_part = raw.partition(":")
    evidence: list[str] = []
    where = "the image has no /etc/passwd" if passwd is None else "no such entry in the image's /etc/passwd"
    if name.isdigit():
        uid = int(name)
        entry = next((v for v in users.values() if v[0] == uid), None)
        primary = entry[1] if entry else None
        evidence.append(f"/etc/passwd: UID {uid} {'has an entry' if entry else 'has no entry'}")
        by_name = False
    elif name in users:
        uid, primary = users[name]
        evidence.append(f"/etc/passwd: {name} -> {uid}")
        by_name = True
    else:
        return ConfigUser(raw=raw, by_name=True, problem=f"user name {name!r} cannot be resolved ({where})")
    if not group_part:
        gid = primary if primary is not None else 0
        if primary is None:
            evidence.append("no group given and no passwd entry: the engine runs it with GID 0")
    elif group_part.isdigit():
        gid = int(group_part)
    elif group_part in groups:
        gid = groups[group_part][0]
        evidence.append(f"/etc/group: {group_part} -> {gid}")
    else:
        gwhere = "the image has no /etc/group" if group is None else "no such entry in the image's /etc/group"
        return ConfigUser(raw=raw, uid=uid, by_name=by_name,
                          problem=f"group name {group_part!r} cannot be resolved ({gwhere})", evidence=evidence)
    return ConfigUser(raw=raw, uid=uid, gid=gid, by_name=by_name, evidence=evidence)


def read_config_user(holder, raw: str) -> ConfigUser:
    """Resolve `raw` against /etc/passwd and /etc/group of a created (never started) container."""
    if not raw:
        return ConfigUser(raw="")
    return resolve(raw, imagefs.read_file(holder, "/etc/passwd"), imagefs.read_file(holder, "/etc/group"))


def config_user_check(user: ConfigUser) -> Check:
    """Does the engine start the container as root? A name counts as what it resolves to.

    Starting as root is a warning, not the verdict: an entrypoint may drop (gosu,
    setpriv); what runs decides (the runtime check)."""
    if not user.raw:
        return Check("config-user", WARN, "no USER in the image config: the container starts as root "
                     "and only an entrypoint that drops privileges can make it non-root (see runtime)")
    if user.problem:
        return Check("config-user", UNKNOWN, f"USER {user.raw}: {user.problem}; the engine refuses to start "
                     "the container (fix the name, or use a numeric USER uid:gid)", user.evidence)
    if user.uid == 0:
        how = "resolves to UID 0 in /etc/passwd" if user.by_name else "is UID 0"
        return Check("config-user", WARN, f"USER {user.raw} {how}: the container starts as root, and only an "
                     "entrypoint that drops privileges can make it non-root (see runtime)", user.evidence)
    ids = f"{user.uid}:{user.gid}"
    if user.name.isdigit():
        return Check("config-user", PASS, f"USER {user.raw} is numeric and non-zero (runs as {ids})", user.evidence)
    return Check("config-user", PASS, f"USER {user.raw} resolves to {ids} in the image's own files", user.evidence)


def kubernetes_check(user: ConfigUser) -> Check:
    """What the kubelet does with `runAsNonRoot: true` and no `runAsUser` for this image."""
    prefix = "runAsNonRoot"
    if not user.raw:
        return Check("kubernetes", WARN, f"{prefix}: no USER means root to the kubelet, which refuses to start "
                     "the pod; set securityContext.runAsUser to a non-zero UID, or USER <uid> in the image")
    if user.name.isdigit():
        if int(user.name) == 0:
            return Check("kubernetes", WARN, f"{prefix}: the kubelet refuses USER {user.raw} (UID 0)")
        return Check("kubernetes", PASS, f"{prefix}: compatible; the kubelet can verify USER {user.raw} "
                     "(a non-zero number)")
    return Check("kubernetes", WARN, f"{prefix}: USER {user.raw} is a name, which the kubelet cannot verify: "
                 "it refuses to start the pod unless securityContext.runAsUser is set"
                 + (f"; use USER {user.uid}:{user.gid}" if user.uid and user.gid is not None else ""))
