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
from .gtfobins import how_it_yields_root
from .imagefs import FsEntry
from .model import FAIL, PASS, SKIP, WARN, Check
from .procs import ESCALATING_CAPS, cap_names

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
VFS_CAP_WORDS = {0x01000000: 1, 0x02000000: 2, 0x03000000: 2}   # vfs_cap_data revision -> 32-bit words per set
# programs that run the script named by their first argument (`sh /entrypoint.sh`)
INTERPRETERS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox", "python", "python3", "perl", "ruby",
                          "node", "nodejs", "php", "lua"})


def file_capabilities(value: str) -> tuple[str, ...] | None:
    """The capabilities a security.capability xattr grants (its permitted set: a program can
    make a permitted capability effective itself), from the pax header's text (the tar reader
    decodes the binary vfs_cap_data with surrogate escapes); None when it cannot be read."""
    raw = value.encode("utf-8", "surrogateescape")
    words = VFS_CAP_WORDS.get(int.from_bytes(raw[:4], "little") & 0xFF000000) if len(raw) >= 4 else None
    if words is None or len(raw) < 4 + 8 * words:
        return None
    permitted = 0
    for word in range(words):   # each word: permitted, then inheritable
        permitted |= int.from_bytes(raw[4 + 8 * word:8 + 8 * word], "little") << (32 * word)
    return tuple(cap_names(permitted))


def root_yielding(entry: FsEntry) -> list[str]:
    """The file capabilities of `entry` that give root to whoever runs it (all of them, unread ones
    included, when they could not be read)."""
    if not entry.file_caps:
        return []
    if entry.caps is None:
        return ["capabilities that could not be read"]
    return [c for c in entry.caps if c in ESCALATING_CAPS]


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

    def can_execute(self, entry: FsEntry) -> bool:
        """The execute bit of its permission class (owner, then group, then others)."""
        if entry.uid == self.uid:
            return bool(entry.mode & 0o100)
        if entry.gid in self.gids:
            return bool(entry.mode & 0o010)
        return bool(entry.mode & 0o001)

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
    on_path: set[str] = field(default_factory=set)                 # names in the PATH directories (any type)

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


def scan(entries: Iterable[tarfile.TarInfo], roots: list[str], excluded: list[str],
         path_dirs: Iterable[str] = DEFAULT_PATH.split(":")) -> FsFacts:
    """One pass over the filesystem's entries, keeping only what the checks need; `path_dirs`:
    the directories whose names are noted (root's PATH: where a bare command is found)."""
    facts = FsFacts(roots=roots, excluded=excluded)
    searched = set(path_dirs)
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
        if posixpath.dirname(path) in searched:
            facts.on_path.add(path)
        if member.issym() or member.islnk():
            continue
        xattr = member.pax_headers.get(CAPABILITY_XATTR)
        entry = FsEntry(path, member.uid, member.gid, member.mode & 0o7777, member.isdir(), xattr is not None,
                        file_capabilities(xattr) if xattr is not None else None)
        if member.isfile() and (member.mode & 0o6000 or entry.file_caps):
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


def _caps_shown(entry: FsEntry) -> str:
    return f"{entry.path} ({', '.join(entry.caps or ()) or 'no capability'})"


def setuid_check(facts: FsFacts, strict: bool) -> Check:
    # a file capability that yields no root (cap_net_bind_service on a server) is reported, and passes
    harmless = [e for e in facts.privileged if e.file_caps and not e.mode & 0o6000 and not root_yielding(e)]
    found = [e for e in facts.privileged if e not in harmless]
    reported = [f"file capabilities that yield no root: {e.describe()}: {', '.join(e.caps or ()) or 'none'}"
                for e in harmless]
    if not found:
        also = (f"; file capabilities that yield no root: {', '.join(_caps_shown(e) for e in harmless)}"
                if harmless else "")
        return Check("setuid-files", PASS, f"no setuid/setgid file and no file capability that yields root "
                     f"({facts.entries} entries scanned){also}", reported)
    root_owned = [e for e in found if e.uid == 0 and e.mode & 0o4000 or e.file_caps]
    summary = (f"{len(found)} setuid/setgid file(s) or file capabilities ({len(root_owned)} can give root or its "
               f"privileges to whoever runs them): {_listing(found)}; run with --security-opt no-new-privileges "
               "to neutralise them, or remove the bits (chmod u-s,g-s)"
               + (f"; file capabilities that yield no root: {', '.join(_caps_shown(e) for e in harmless)}"
                  if harmless else ""))
    return Check("setuid-files", FAIL if strict else WARN, summary + (" [--strict]" if strict else ""),
                 [e.describe() + (f": {', '.join(e.caps or ())}" if e.caps else "") for e in found] + reported)


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


@dataclass(frozen=True)
class RootRun:
    """A program that root runs in the container: the entrypoint or command of an image that
    starts as root, a command of its start-up prelude, a health check that runs as root."""

    argv: tuple[str, ...]
    why: str        # e.g. "the entrypoint, run as root at every start"


@dataclass(frozen=True)
class RootPolicy:
    """What the path-to-root check is told beyond the filesystem."""

    runs: tuple[RootRun, ...] = ()
    path_dirs: tuple[str, ...] = tuple(DEFAULT_PATH.split(":"))   # root's PATH in the container
    workdir: str = "/"
    accepted: tuple[str, ...] = ()   # sudo/doas commands a reviewer accepted (--accept-root-command)


@dataclass
class RootFindings:
    found: list[rootpaths.RootPath] = field(default_factory=list)   # paths to root: failures
    limited: list[str] = field(default_factory=list)                # not a path, and why: warnings
    accepted: list[str] = field(default_factory=list)               # accepted root commands, as said


def _grant_paths(facts: FsFacts, who: rootpaths.Subject, user_empty: bool, policy: RootPolicy,
                 out: RootFindings) -> None:
    """sudo and doas rules: root for any command, or for single commands, without a password."""
    text = facts.contents
    for tool, grants in (("sudo", rootpaths.sudo_grants(text, who)),
                         ("doas", [g for f in rootpaths.DOAS_FILES if f in text
                                   for g in rootpaths.doas_grants(text[f], who, f)])):
        binary = _setuid_root(facts, tool)
        full = rootpaths.last_full_grant(grants)
        having = binary.describe() if binary else f"no setuid-root {tool} in the image"
        if full and (full.nopass or user_empty):
            why = "without a password" if full.nopass else "with the user's empty password"
            if binary:
                out.found.append(rootpaths.RootPath(f"{tool} gives {who.describe()} root {why}",
                                                    (f"{full.where}: {full.rule}", having)))
            else:
                out.limited.append(f"{full.where}: {full.rule} gives root {why}, inert: {having}")
        for grant in rootpaths.command_grants(grants):
            rule = f"{grant.where}: {grant.rule}"
            if not binary:
                out.limited.append(f"{rule} runs `{grant.command}` as root without a password, inert: {having}")
                continue
            how = how_it_yields_root(grant.command)
            program = grant.command.split()[0]
            runs = f"{tool} runs `{grant.command}` as root without a password for {who.describe()}"
            if how:
                refused = " (it cannot be accepted)" if rootpaths.is_accepted(grant.command, policy.accepted) else ""
                out.found.append(rootpaths.RootPath(f"{runs}: {how}{refused}", (rule, having)))
            elif rootpaths.is_accepted(grant.command, policy.accepted):
                out.accepted.append(f"{tool} {grant.command}")
            else:
                out.found.append(rootpaths.RootPath(
                    f"{runs}: a root process can start at any moment, long after any watch; once reviewed, "
                    f"accept it with --accept-root-command {program}", (rule, having)))


def _watched_paths(facts: FsFacts, identity: Identity, who: rootpaths.Subject, out: RootFindings) -> None:
    """Account, sudo and doas files (and /etc) the user can write."""
    for path in sorted(facts.watched):
        entry = facts.watched[path]
        if not identity.can_write(entry):
            continue
        program = rootpaths.used_by(path)
        binary = _setuid_root(facts, program) if program else None
        refused = rootpaths.refused_by(program, entry) if program else None
        if refused:
            out.limited.append(f"{entry.describe()} is writable by {who.describe()}: a misconfiguration {program} "
                               f"refuses ({refused}), not a path to root")
        elif program and not binary:
            out.limited.append(f"{entry.describe()} is writable by {who.describe()}, inert: no setuid-root {program}")
        else:
            out.found.append(rootpaths.RootPath(f"{path} is writable by {who.describe()}",
                                                (entry.describe(),) + ((binary.describe(),) if binary else ())))


def _capability_paths(facts: FsFacts, identity: Identity, who: rootpaths.Subject, out: RootFindings) -> None:
    """Setuid-root files the user can write; files with root-yielding capabilities it can run."""
    for entry in facts.privileged:
        if entry.uid == 0 and entry.mode & 0o4000 and identity.can_write(entry):
            out.found.append(rootpaths.RootPath(f"setuid-root {entry.path} is writable by {who.describe()}",
                                                (entry.describe(),)))
        caps = root_yielding(entry)
        if caps and identity.can_execute(entry):
            out.found.append(rootpaths.RootPath(
                f"{entry.path} carries the file capabilit{'ies' if len(caps) > 1 else 'y'} {', '.join(caps)} "
                f"and {who.describe()} can run it: {rootpaths.how_caps_yield_root(caps)}",
                (entry.describe() + (f": {', '.join(entry.caps)}" if entry.caps else ""),)))


def executed_files(argv: tuple[str, ...], path_dirs: tuple[str, ...], workdir: str,
                   on_path: set[str]) -> list[tuple[str, list[str]]]:
    """The files a command line makes the kernel execute (its program; the script an interpreter
    is given), each with the PATH directories searched before the one it was found in (a file
    planted there would run instead)."""
    found: list[tuple[str, list[str]]] = []
    words = [w for w in argv if w]
    if not words or words[0].startswith(("(", "[")):
        return found   # a process whose command line was not read, or a kernel thread
    program = words[0]
    if "/" in program:
        found.append((posixpath.normpath(posixpath.join(workdir, program)), []))
    else:
        where = next((d for d in path_dirs if posixpath.join(d, program) in on_path), None)
        before = list(path_dirs[:path_dirs.index(where)]) if where else list(path_dirs)
        if where:
            found.append((posixpath.join(where, program), before))
        else:
            found.append(("", before))
    name = posixpath.basename(program).rstrip("0123456789.")
    if name in INTERPRETERS and len(words) > 1 and not words[1].startswith("-"):
        found.append((posixpath.normpath(posixpath.join(workdir, words[1])), []))
    return found


def _root_run_paths(facts: FsFacts, identity: Identity, who: rootpaths.Subject, policy: RootPolicy,
                    out: RootFindings) -> None:
    """Files root executes that the user can write (or replace: a writable directory above them,
    or one searched before them on root's PATH): a restart runs the user's code as root."""
    writable = {e.path: e for e in facts.candidates if identity.can_write(e)}
    said: set[str] = set()
    for run in policy.runs:
        for path, before in executed_files(run.argv, policy.path_dirs, policy.workdir, facts.on_path):
            ways = [f"{writable[path].describe()} is writable by {who.describe()}"] if path in writable else []
            parent = posixpath.dirname(path) if path else ""
            while parent and parent != "/":
                if parent in writable:
                    ways.append(f"{writable[parent].describe()} (above it) is writable by {who.describe()}: "
                                "the file can be replaced")
                parent = posixpath.dirname(parent)
            ways += [f"{writable[d].describe()} is searched before it on root's PATH and writable by "
                     f"{who.describe()}: a file of the same name there runs instead" for d in before if d in writable]
            shown = path or f"`{run.argv[0]}` (not found on root's PATH)"
            if ways and shown not in said:
                said.add(shown)
                out.found.append(rootpaths.RootPath(f"{shown}, {run.why}, can be changed by {who.describe()}",
                                                    tuple(ways)))


def root_paths(facts: FsFacts, identity: Identity, policy: RootPolicy = RootPolicy()) -> RootFindings:
    """Ways for `identity` to become root (failures), rules that would be such ways but are
    limited, inert or refused (warnings), and the root commands a reviewer accepted."""
    accounts = _accounts(facts)
    who = rootpaths.subject(identity.uid, identity.gids, accounts)
    out = RootFindings()
    _grant_paths(facts, who, any(rootpaths.empty_password(accounts, n) for n in who.names), policy, out)
    su = _setuid_root(facts, "su")
    if su and rootpaths.empty_password(accounts, "root"):
        source = "/etc/shadow" if "/etc/shadow" in facts.contents and accounts.users.get("root") else "/etc/passwd"
        out.found.append(rootpaths.RootPath("root has an empty password and su is setuid root",
                                            (f"{source}: root's password field is empty", su.describe())))
    _watched_paths(facts, identity, who, out)
    _capability_paths(facts, identity, who, out)
    _root_run_paths(facts, identity, who, policy, out)
    return out


def root_path_check(facts: FsFacts, identities: list[Identity], policy: RootPolicy = RootPolicy(),
                    accepted_out: list[str] | None = None) -> Check:
    """`accepted_out`, if given, receives the accepted root commands (as data, for the report)."""
    name = "path-to-root"
    if not identities:
        return Check(name, SKIP, "not judged: no non-root user is known (the container runs as root, "
                     "or never ran and the config names none)")
    found: dict[str, rootpaths.RootPath] = {}
    limited: list[str] = []
    accepted: list[str] = []
    for identity in identities:
        out = root_paths(facts, identity, policy)
        found.update((p.what, p) for p in out.found)
        limited += [n for n in out.limited if n not in limited]
        accepted += [a for a in out.accepted if a not in accepted]
    if accepted_out is not None:
        accepted_out += [a for a in accepted if a not in accepted_out]
    read = [p for p in sorted(facts.contents) if p != "/etc/gshadow"]
    evidence = [f"read: {', '.join(read) or 'no account, sudo or doas file'}"]
    evidence += [f"root runs: {' '.join(r.argv)} ({r.why})" for r in policy.runs]
    evidence += [f"accepted root command (--accept-root-command): {a}" for a in accepted]
    if found:
        return Check(name, FAIL, "; ".join(f"a path to root: {p.what}" for p in found.values()),
                     evidence + [f"{p.what}: {e}" for p in found.values() for e in p.evidence] + limited)
    also = f"; accepted root commands: {', '.join(accepted)}" if accepted else ""
    if limited:
        return Check(name, WARN, f"{len(limited)} finding(s) that are not a path to root, and why: "
                     + "; ".join(limited) + also, evidence + limited)
    return Check(name, PASS, "no sudo/doas rule, empty password, writable account file, file capability or "
                 f"root-run file gives the runtime user root{also}", evidence)


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


def filesystem_checks(facts: FsFacts, identities: list[Identity], strict: bool,
                      policy: RootPolicy = RootPolicy(), accepted_out: list[str] | None = None) -> list[Check]:
    identities = [with_account_groups(i, facts) for i in identities]
    checks = [setuid_check(facts, strict), root_path_check(facts, identities, policy, accepted_out),
              user_writable_check(facts, identities),
              world_writable_check(facts)]
    if facts.dropped:
        for check in checks:
            check.evidence.append(f"{facts.dropped} further finding(s) not listed (over {MAX_KEPT} per list)")
    return checks
