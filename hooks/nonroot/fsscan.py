"""The image's filesystem, read as the engine exports it (no shell, nothing run in it):
setuid/setgid files and file capabilities, application files the runtime user can
write, and world-writable directories.

"Files of the application" are, by this module's rule (see `app_roots`):
the image's WorkingDir (unless `/`), every absolute path named in ENTRYPOINT and CMD
with its directory (unless that directory is a shared system one such as /usr/bin),
and the programs that ENTRYPOINT and CMD start, looked up in the image's PATH.
Declared writable paths (writable paths, tmpfs mounts, the image's VOLUMEs) and the
temporary directories are left out. Symlinks are not followed (their targets count only
if they are application paths themselves).
"""
from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import FAIL, PASS, SKIP, WARN, Check

TEMP_DIRS = ("/tmp", "/var/tmp", "/run/lock", "/var/lock", "/dev/shm")
SYSTEM_DIRS = frozenset({"/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin",
                         "/usr/local/sbin", "/lib", "/usr/lib", "/usr/local/lib", "/lib64", "/etc", "/opt", "/srv",
                         "/var", "/home", "/root", "/run"})
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CAPABILITY_XATTR = "SCHILY.xattr.security.capability"
MAX_KEPT = 2000      # entries kept per finding list; the rest are counted, not held
MAX_SHOWN = 12       # entries shown in a summary line


@dataclass(frozen=True)
class FsEntry:
    path: str
    uid: int
    gid: int
    mode: int
    is_dir: bool = False
    file_caps: bool = False

    def describe(self) -> str:
        kinds = [k for k, bit in (("setuid", 0o4000), ("setgid", 0o2000)) if self.mode & bit and not self.is_dir]
        if self.file_caps:
            kinds.append("file capabilities")
        extra = f" ({', '.join(kinds)})" if kinds else ""
        return f"{self.path}{'/' if self.is_dir else ''} {self.uid}:{self.gid} mode {self.mode:04o}{extra}"


@dataclass(frozen=True)
class Identity:
    """A non-root user the image's processes run as: filesystem UID and all its groups."""

    uid: int
    gids: frozenset[int]
    source: str

    def can_write(self, entry: FsEntry) -> bool:
        """POSIX permission classes: the owner class decides for the owner, then the group class."""
        if entry.uid == self.uid:
            return bool(entry.mode & 0o200)
        if entry.gid in self.gids:
            return bool(entry.mode & 0o020)
        return bool(entry.mode & 0o002)

    def describe(self) -> str:
        return f"UID {self.uid} groups {','.join(map(str, sorted(self.gids)))} ({self.source})"


@dataclass
class FsFacts:
    roots: list[str]
    excluded: list[str]
    entries: int = 0
    privileged: list[FsEntry] = field(default_factory=list)       # setuid/setgid files, file capabilities
    world_writable: list[FsEntry] = field(default_factory=list)   # directories, outside the temp dirs
    app_candidates: list[FsEntry] = field(default_factory=list)   # app entries some non-root user may write
    dropped: int = 0                                               # findings beyond MAX_KEPT
    present: set[str] = field(default_factory=set)                 # roots that exist in the image

    def present_roots(self) -> list[str]:
        return [r for r in self.roots if r in self.present]


def under(path: str, roots: Iterable[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def app_roots(config: dict, command: list[str] | None = None, entrypoint: list[str] | None = None) -> list[str]:
    """The application's paths, from the image config and the command it is run with."""
    workdir = posixpath.normpath(config.get("WorkingDir") or "/")
    if entrypoint is not None:
        argv_parts = [list(entrypoint), list(command or [])]   # overriding the entrypoint clears CMD
    else:
        argv_parts = [list(config.get("Entrypoint") or []), list(command or config.get("Cmd") or [])]
    env = dict(item.partition("=")[::2] for item in config.get("Env") or [])
    path_dirs = [d for d in (env.get("PATH") or DEFAULT_PATH).split(":") if d.startswith("/")]
    roots: set[str] = set()
    if workdir != "/":
        roots.add(workdir)
    for argv in argv_parts:
        if argv and argv[0] and "/" not in argv[0]:
            roots.update(posixpath.join(d, argv[0]) for d in path_dirs)
        for arg in argv:
            for token in arg.replace("=", " ").split():
                token = token.strip("'\";&|()")
                if not token.startswith("/") or token.startswith("//"):
                    continue
                token = posixpath.normpath(token)
                if token in SYSTEM_DIRS:
                    continue
                roots.add(token)
                parent = posixpath.dirname(token)
                if parent not in SYSTEM_DIRS:
                    roots.add(parent)
    return sorted(roots)


def _maybe_writable_by_non_root(member: tarfile.TarInfo) -> bool:
    return bool((member.uid != 0 and member.mode & 0o200) or member.mode & 0o022)


def scan(entries: Iterable[tarfile.TarInfo], roots: list[str], excluded: list[str]) -> FsFacts:
    """One pass over the filesystem's entries, keeping only what the checks need."""
    facts = FsFacts(roots=roots, excluded=excluded)
    skip = [*excluded, *TEMP_DIRS]
    wanted = set(roots)

    def keep(bucket: list[FsEntry], entry: FsEntry) -> None:
        if len(bucket) < MAX_KEPT:
            bucket.append(entry)
        else:
            facts.dropped += 1

    for member in entries:
        facts.entries += 1
        path = member.name
        if path in wanted:
            facts.present.add(path)
        if member.issym() or member.islnk():
            continue
        caps = CAPABILITY_XATTR in member.pax_headers
        entry = FsEntry(path, member.uid, member.gid, member.mode & 0o7777, member.isdir(), caps)
        if member.isfile() and (member.mode & 0o6000 or caps):
            keep(facts.privileged, entry)
        if member.isdir() and member.mode & 0o002 and not under(path, TEMP_DIRS):
            keep(facts.world_writable, entry)
        if under(path, roots) and not under(path, skip) and _maybe_writable_by_non_root(member):
            keep(facts.app_candidates, entry)
    return facts


def _listing(entries: list[FsEntry]) -> str:
    shown = ", ".join(e.path for e in entries[:MAX_SHOWN])
    return shown + (f", ... ({len(entries) - MAX_SHOWN} more)" if len(entries) > MAX_SHOWN else "")


def setuid_check(facts: FsFacts, strict: bool) -> Check:
    found = facts.privileged
    if not found:
        return Check("setuid-files", PASS, f"no setuid/setgid file and no file capabilities "
                     f"({facts.entries} entries scanned)")
    root_owned = [e for e in found if e.uid == 0 and e.mode & 0o4000 or e.file_caps]
    summary = (f"{len(found)} setuid/setgid file(s) or file capabilities ({len(root_owned)} can give root or its "
               f"privileges to whoever runs them): {_listing(found)}; run with --security-opt no-new-privileges "
               "to neutralise them, or remove the bits (chmod u-s,g-s)")
    return Check("setuid-files", FAIL if strict else WARN, summary + (" [--strict]" if strict else ""),
                 [e.describe() for e in found])


def app_writable_check(facts: FsFacts, identities: list[Identity]) -> Check:
    roots = ", ".join(facts.present_roots()) or "none found in the image"
    if not identities:
        return Check("app-writable", SKIP, "not judged: no non-root user is known (the container runs as root, "
                     "or never ran and the config names none)", [f"application paths: {roots}"])
    writable = [(e, i) for e in facts.app_candidates for i in identities if i.can_write(e)]
    users = "; ".join(i.describe() for i in identities)
    evidence = [f"application paths: {roots}", f"declared writable (not judged): {', '.join(facts.excluded) or 'none'}",
                f"runtime users: {users}"]
    if not writable:
        return Check("app-writable", PASS, f"no application file is writable by the runtime user "
                     f"(application paths: {roots})", evidence)
    entries = list(dict.fromkeys(e for e, _ in writable))
    return Check("app-writable", WARN, f"{len(entries)} application file(s) writable by the runtime user, outside the "
                 f"declared writable paths: {_listing(entries)}; keep code owned by root, or declare the path "
                 "writable (--writable PATH)",
                 evidence + [f"{e.describe()} writable by UID {i.uid}" for e, i in writable[:MAX_KEPT]])


def world_writable_check(facts: FsFacts) -> Check:
    found = [e for e in facts.world_writable if not under(e.path, facts.excluded)]
    if not found:
        return Check("world-writable", PASS, "no world-writable directory outside " + ", ".join(TEMP_DIRS))
    return Check("world-writable", WARN, f"{len(found)} world-writable director(y/ies) outside the temporary "
                 f"directories: {_listing(found)}", [e.describe() for e in found])


def filesystem_checks(facts: FsFacts, identities: list[Identity], strict: bool) -> list[Check]:
    checks = [setuid_check(facts, strict), app_writable_check(facts, identities), world_writable_check(facts)]
    if facts.dropped:
        for check in checks:
            check.evidence.append(f"{facts.dropped} further finding(s) not listed (over {MAX_KEPT} per list)")
    return checks
