"""The image's filesystem, read as the engine exports it (no shell, nothing run in it):
setuid/setgid files and file capabilities, paths to root (sudo/doas rules, empty
passwords, writable account files: see rootpaths), every file the runtime user can
write, and world-writable directories.

Writable by the user means: anywhere in the filesystem, outside the declared writable
paths (writable paths, tmpfs mounts, the image's VOLUMEs, its io.nonroot.writable-paths
label), the temporary directories and the directories the engine mounts at run time
(/proc, /sys, /dev). "Application paths" (see `app_roots`: WorkingDir, the paths named in
ENTRYPOINT and CMD, the programs they start) are only named in the evidence. Symlinks are
not followed.
"""
from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import rootpaths
from .imagefs import FsEntry
from .model import FAIL, PASS, SKIP, WARN, Check

TEMP_DIRS = ("/tmp", "/var/tmp", "/run/lock", "/var/lock", "/dev/shm")
RUNTIME_DIRS = ("/proc", "/sys", "/dev")   # mounted by the engine over whatever the image has
SYSTEM_DIRS = frozenset({"/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin",
                         "/usr/local/sbin", "/lib", "/usr/lib", "/usr/local/lib", "/lib64", "/etc", "/opt", "/srv",
                         "/var", "/home", "/root", "/run"})
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CAPABILITY_XATTR = "SCHILY.xattr.security.capability"
MAX_KEPT = 2000      # entries kept per finding list; the rest are counted, not held
MAX_SHOWN = 12       # entries shown in a summary line
MAX_CANDIDATES = 100_000  # entries some non-root user may write, kept until the runtime user is known


@dataclass(frozen=True)
class Identity:
    """A non-root user the image's processes run as: filesystem UID and all its groups."""

    uid: int
    gids: frozenset[int]
    source: str
    from_config: bool = False   # not seen running: its supplementary groups come from /etc/group

    def can_write(self, entry: FsEntry) -> bool:
        """POSIX permission classes: the owner class decides for the owner (who can always chmod
        what it owns), then the group class."""
        if entry.uid == self.uid:
            return True
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
    candidates: list[FsEntry] = field(default_factory=list)       # entries some non-root user may write
    dropped: int = 0                                               # findings beyond MAX_KEPT
    candidates_dropped: int = 0                                    # candidates beyond MAX_CANDIDATES
    present: set[str] = field(default_factory=set)                 # roots that exist in the image
    watched: dict[str, FsEntry] = field(default_factory=dict)      # account, sudo and doas files, /etc
    contents: dict[str, str] = field(default_factory=dict)         # their text

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
    """Owned by a non-root user (who may chmod it), or group- or world-writable."""
    return bool(member.uid != 0 or member.mode & 0o022)


def scan(entries: Iterable[tarfile.TarInfo], roots: list[str], excluded: list[str]) -> FsFacts:
    """One pass over the filesystem's entries, keeping only what the checks need."""
    facts = FsFacts(roots=roots, excluded=excluded)
    skip = [*excluded, *TEMP_DIRS, *RUNTIME_DIRS]
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
        if member.isdir() and member.mode & 0o002 and not under(path, (*TEMP_DIRS, *RUNTIME_DIRS)):
            keep(facts.world_writable, entry)
        if rootpaths.watched_path(path):
            facts.watched[path] = entry
            content = getattr(member, "content", None)
            if content is not None:
                facts.contents[path] = content.decode("utf-8", "replace")
        if not under(path, skip) and _maybe_writable_by_non_root(member):
            if len(facts.candidates) < MAX_CANDIDATES:
                facts.candidates.append(entry)
            else:
                facts.candidates_dropped += 1
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


def _trees(entries: list[FsEntry]) -> list[tuple[FsEntry, int]]:
    """Entries folded into trees: each entry not under an earlier listed directory, with the
    number of listed entries under it."""
    folded: list[tuple[FsEntry, int]] = []
    for entry in sorted(entries, key=lambda e: e.path):
        if folded and folded[-1][0].is_dir and under(entry.path, [folded[-1][0].path]):
            folded[-1] = (folded[-1][0], folded[-1][1] + 1)
        else:
            folded.append((entry, 0))
    return folded


def user_writable_check(facts: FsFacts, identities: list[Identity]) -> Check:
    """Every file and directory the runtime user owns or can write, outside the declared
    writable paths, the temporary directories and the engine's run-time mounts."""
    name = "user-writable"
    roots = ", ".join(facts.present_roots()) or "none found in the image"
    if not identities:
        return Check(name, SKIP, "not judged: no non-root user is known (the container runs as root, "
                     "or never ran and the config names none)", [f"application paths: {roots}"])
    writable = [(e, i) for e in facts.candidates for i in identities if i.can_write(e)]
    users = "; ".join(i.describe() for i in identities)
    evidence = [f"declared writable (not judged): {', '.join(facts.excluded) or 'none'}; also not judged: "
                f"{', '.join((*TEMP_DIRS, *RUNTIME_DIRS))}", f"runtime users: {users}",
                f"application paths: {roots}"]
    if facts.candidates_dropped:
        evidence.append(f"{facts.candidates_dropped} entries owned by non-root users or group/world-writable were "
                        f"not judged (over {MAX_CANDIDATES} kept)")
    if not writable and facts.candidates_dropped:
        return Check(name, WARN, f"nothing writable by the runtime user among the first {MAX_CANDIDATES} candidate "
                     f"entries, {facts.candidates_dropped} more not judged", evidence)
    if not writable:
        return Check(name, PASS, f"the runtime user can write nothing outside the declared writable paths "
                     f"and the temporary directories ({facts.entries} entries scanned)", evidence)
    entries = list(dict.fromkeys(e for e, _ in writable))
    by_entry = {e: i for e, i in reversed(writable)}
    trees = _trees(entries)
    shown = ", ".join(f"{e.path}{'/' if e.is_dir else ''}" + (f" (+{n} under it)" if n else "")
                      for e, n in trees[:MAX_SHOWN])
    more = f", ... ({len(trees) - MAX_SHOWN} more)" if len(trees) > MAX_SHOWN else ""
    app = [e for e, _ in trees if under(e.path, facts.roots)]
    return Check(name, WARN, f"{len(entries)} file(s) and director(y/ies) writable by the runtime user outside the "
                 f"declared writable paths: {shown}{more}; keep code and configuration owned by root, or declare "
                 "the path writable (--writable PATH, or the io.nonroot.writable-paths label)",
                 evidence + [f"{e.describe()} writable by UID {by_entry[e].uid}"
                             + (f" (+{n} entries under it)" if n else "")
                             + (" [application path]" if e in app else "") for e, n in trees[:MAX_KEPT]])


def world_writable_check(facts: FsFacts) -> Check:
    found = [e for e in facts.world_writable if not under(e.path, facts.excluded)]
    if not found:
        return Check("world-writable", PASS, "no world-writable directory outside " + ", ".join(TEMP_DIRS))
    return Check("world-writable", WARN, f"{len(found)} world-writable director(y/ies) outside the temporary "
                 f"directories: {_listing(found)}", [e.describe() for e in found])


def _setuid_root(facts: FsFacts, program: str) -> FsEntry | None:
    """A setuid-root file named `program` (sudo, su, doas), the first found."""
    return next((e for e in facts.privileged
                 if e.uid == 0 and e.mode & 0o4000 and posixpath.basename(e.path) == program), None)


def root_paths(facts: FsFacts, identity: Identity) -> tuple[list[rootpaths.RootPath], list[str]]:
    """Ways for `identity` to become root (failures) and rules that would be such ways but are
    limited or inert (warnings)."""
    text = facts.contents
    accounts = _accounts(facts)
    who = rootpaths.subject(identity.uid, identity.gids, accounts)
    found: list[rootpaths.RootPath] = []
    limited: list[str] = []
    user_empty = any(rootpaths.empty_password(accounts, n) for n in who.names)
    for tool, grants in (("sudo", rootpaths.sudo_grants(text, who)),
                         ("doas", [g for f in rootpaths.DOAS_FILES if f in text
                                   for g in rootpaths.doas_grants(text[f], who, f)])):
        binary = _setuid_root(facts, tool)
        full = rootpaths.last_full_grant(grants)
        having = binary.describe() if binary else f"no setuid-root {tool} in the image"
        if full and (full.nopass or user_empty):
            why = "without a password" if full.nopass else "with the user's empty password"
            if binary:
                found.append(rootpaths.RootPath(f"{tool} gives {who.describe()} root {why}",
                                                (f"{full.where}: {full.rule}", having)))
            else:
                limited.append(f"{full.where}: {full.rule} gives root {why}, inert: {having}")
        for grant in rootpaths.command_grants(grants):
            limited.append(f"{grant.where}: {grant.rule} runs `{grant.command}` as root without a password "
                           f"({having}); a path to root if that command can start a shell or write files")
    su = _setuid_root(facts, "su")
    if su and rootpaths.empty_password(accounts, "root"):
        source = "/etc/shadow" if "/etc/shadow" in text and accounts.users.get("root") else "/etc/passwd"
        found.append(rootpaths.RootPath("root has an empty password and su is setuid root",
                                        (f"{source}: root's password field is empty", su.describe())))
    for path in sorted(facts.watched):
        entry = facts.watched[path]
        if not identity.can_write(entry):
            continue
        program = rootpaths.used_by(path)
        binary = _setuid_root(facts, program) if program else None
        if program and not binary:
            limited.append(f"{entry.describe()} is writable by {who.describe()}, inert: no setuid-root {program}")
        else:
            found.append(rootpaths.RootPath(f"{path} is writable by {who.describe()}",
                                            (entry.describe(),) + ((binary.describe(),) if binary else ())))
    for entry in facts.privileged:
        if entry.uid == 0 and entry.mode & 0o4000 and identity.can_write(entry):
            found.append(rootpaths.RootPath(f"setuid-root {entry.path} is writable by {who.describe()}",
                                            (entry.describe(),)))
    return found, limited


def root_path_check(facts: FsFacts, identities: list[Identity]) -> Check:
    name = "path-to-root"
    if not identities:
        return Check(name, SKIP, "not judged: no non-root user is known (the container runs as root, "
                     "or never ran and the config names none)")
    found: dict[str, rootpaths.RootPath] = {}
    limited: list[str] = []
    for identity in identities:
        paths, notes = root_paths(facts, identity)
        found.update((p.what, p) for p in paths)
        limited += [n for n in notes if n not in limited]
    read = [p for p in sorted(facts.contents) if p != "/etc/gshadow"]
    evidence = [f"read: {', '.join(read) or 'no account, sudo or doas file'}"]
    if found:
        return Check(name, FAIL, "; ".join(f"a path to root: {p.what}" for p in found.values()),
                     evidence + [f"{p.what}: {e}" for p in found.values() for e in p.evidence] + limited)
    if limited:
        return Check(name, WARN, f"{len(limited)} sudo/doas rule(s) give root for single commands or are inert: "
                     + "; ".join(limited), evidence + limited)
    return Check(name, PASS, "no sudo/doas rule, empty password or writable account file gives the runtime "
                 "user root", evidence)


def _accounts(facts: FsFacts) -> rootpaths.Accounts:
    text = facts.contents
    return rootpaths.parse_accounts(text.get("/etc/passwd", ""), text.get("/etc/group", ""), text.get("/etc/shadow"))


def with_account_groups(identity: Identity, facts: FsFacts) -> Identity:
    """A user not seen running gets the supplementary groups the engine would give it (its
    memberships in the image's /etc/group); a running process has the groups the kernel shows."""
    if not identity.from_config:
        return identity
    gids = identity.gids | frozenset(_accounts(facts).group_ids(identity.uid))
    return Identity(identity.uid, gids, identity.source, from_config=True)


def filesystem_checks(facts: FsFacts, identities: list[Identity], strict: bool) -> list[Check]:
    identities = [with_account_groups(i, facts) for i in identities]
    checks = [setuid_check(facts, strict), root_path_check(facts, identities), user_writable_check(facts, identities),
              world_writable_check(facts)]
    if facts.dropped:
        for check in checks:
            check.evidence.append(f"{facts.dropped} further finding(s) not listed (over {MAX_KEPT} per list)")
    return checks
