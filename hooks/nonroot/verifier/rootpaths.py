"""Paths to root in an image's files, for a non-root runtime user: sudo and doas rules that give
root without a password, root (or the user) with an empty password next to a setuid `su`/`sudo`,
account and sudo files the user can write, setuid-root files the user can write.

Pure functions over file texts and `FsEntry`s (the filesystem scan collects them from the
image as the engine exports it; nothing runs in the image). The parsers follow sudoers(5)
and doas.conf(5) closely enough for the rules images really carry; what they do not
understand they skip, and the host part of a sudoers rule is taken to match (a container's
hostname is whatever its runner picks).
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

SUDOERS = "/etc/sudoers"
DOAS_FILES = ("/etc/doas.conf", "/usr/local/etc/doas.conf")
ACCOUNT_FILES = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow")
SUDO_TAGS = {"NOPASSWD", "PASSWD", "NOEXEC", "EXEC", "SETENV", "NOSETENV", "LOG_INPUT", "NOLOG_INPUT",
             "LOG_OUTPUT", "NOLOG_OUTPUT", "MAIL", "NOMAIL", "FOLLOW", "NOFOLLOW", "INTERCEPT", "NOINTERCEPT"}
SUDO_OPTIONS = ("ROLE", "TYPE", "CWD", "CHROOT", "TIMEOUT", "NOTBEFORE", "NOTAFTER", "APPARMOR_PROFILE", "PRIVS",
                "LIMITPRIVS")
ALIAS_KINDS = ("User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias")
MAX_INCLUDE_DEPTH = 8  # sudo's own limit is 128; images nest one or two levels


def wants_content(path: str) -> bool:
    """Files whose text the checks read: accounts, sudoers (and sudoers.d), doas.conf."""
    return (path in ACCOUNT_FILES or path in DOAS_FILES or path == SUDOERS
            or path.startswith(SUDOERS + ".d/") or path.startswith("/etc/sudoers.d/"))


def watched_path(path: str) -> bool:
    """Entries whose ownership and mode the checks judge (the files above and their directories)."""
    return wants_content(path) or path in ("/etc", "/etc/sudoers.d")


def used_by(path: str) -> str | None:
    """The setuid program that reads a watched file (its being writable matters only with it), or
    None for the account files and /etc, which su, login, sudo and doas all read."""
    if path == SUDOERS or path.startswith("/etc/sudoers.d"):
        return "sudo"
    if path in DOAS_FILES:
        return "doas"
    return None


def is_accepted(command: str, accepted: Iterable[str]) -> bool:
    """Does a reviewer's --accept-root-command name this command line's program (by path or
    name) or the whole command line?"""
    program = command.split()[0] if command.split() else ""
    return bool(program) and any(name in (command, program, posixpath.basename(program)) for name in accepted)


def refused_by(program: str, entry) -> str | None:
    """Why `program` (sudo or doas) refuses to read this file or directory, or None: sudo wants
    its files owned by root and writable by no group but root's and no one else (sudo_secure_path);
    doas wants doas.conf owned by root and writable by neither group nor others."""
    if entry.uid != 0:
        return f"owned by uid {entry.uid}, should be 0"
    if entry.mode & 0o002:
        return "writable by others"
    if entry.mode & 0o020 and (program == "doas" or entry.gid != 0):
        return f"writable by group {entry.gid}"
    return None


# How a capability gives root to the process that holds it.
CAPABILITY_WAYS = {
    "CAP_SETUID": "setuid(0)", "CAP_SETGID": "setgid(0) and any group's files",
    "CAP_DAC_OVERRIDE": "write any file (/etc/passwd)", "CAP_DAC_READ_SEARCH": "read any file (/etc/shadow)",
    "CAP_CHOWN": "take any file (chown /etc/passwd)", "CAP_FOWNER": "chmod any file (u+s on a shell)",
    "CAP_SETFCAP": "give any file cap_setuid", "CAP_SYS_ADMIN": "mount and much of root",
    "CAP_SYS_PTRACE": "inject code into a root process", "CAP_SYS_MODULE": "load kernel code",
    "CAP_SYS_RAWIO": "raw access to memory and disks", "CAP_MKNOD": "device files for the disks",
    "CAP_BPF": "kernel programs",
}


def how_caps_yield_root(caps: list[str]) -> str:
    """What each capability lets the program's process do, e.g. "whoever runs it can setuid(0)"."""
    return "whoever runs it can " + "; ".join(CAPABILITY_WAYS.get(c, c.lower()) for c in caps)


# --- accounts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Accounts:
    """/etc/passwd, /etc/group and /etc/shadow as tables."""

    users: dict[str, tuple[int, int]] = field(default_factory=dict)     # name -> (uid, primary gid)
    groups: dict[str, int] = field(default_factory=dict)                 # name -> gid
    members: dict[str, frozenset[str]] = field(default_factory=dict)     # group name -> member user names
    passwords: dict[str, str] = field(default_factory=dict)              # user -> password field (shadow wins)

    def names(self, uid: int) -> set[str]:
        return {name for name, (u, _) in self.users.items() if u == uid}

    def group_ids(self, uid: int) -> set[int]:
        """Primary and supplementary groups of a UID, as the engine and initgroups give them."""
        names = self.names(uid)
        found = {gid for name, (u, gid) in self.users.items() if u == uid}
        found |= {self.groups[g] for g, members in self.members.items() if names & members and g in self.groups}
        return found

    def password_field(self, name: str) -> str | None:
        return self.passwords.get(name)


def parse_accounts(passwd: str = "", group: str = "", shadow: str | None = None) -> Accounts:
    users: dict[str, tuple[int, int]] = {}
    passwords: dict[str, str] = {}
    for line in passwd.splitlines():
        parts = line.split(":")
        if len(parts) >= 4 and parts[2].isdigit() and parts[3].isdigit():
            users.setdefault(parts[0], (int(parts[2]), int(parts[3])))
            passwords.setdefault(parts[0], parts[1])
    groups: dict[str, int] = {}
    members: dict[str, frozenset[str]] = {}
    for line in group.splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            groups.setdefault(parts[0], int(parts[2]))
            members.setdefault(parts[0], frozenset(m for m in (parts[3] if len(parts) > 3 else "").split(",") if m))
    for line in (shadow or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 2 and passwords.get(parts[0]) in ("x", None):
            passwords[parts[0]] = parts[1]
    return Accounts(users, groups, members, passwords)


def empty_password(accounts: Accounts, name: str) -> bool:
    """True when the account can be entered with an empty password (an empty field; `x` with no
    shadow entry, `*`, `!`... are locked)."""
    return accounts.password_field(name) == ""


# --- who the rules are about ---------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    """The runtime user as the rules see it: UID, its names, all its groups' IDs and names."""

    uid: int
    names: frozenset[str]
    gids: frozenset[int]
    group_names: frozenset[str]

    def describe(self) -> str:
        who = "/".join(sorted(self.names)) or "(no passwd entry)"
        return f"UID {self.uid} {who}, groups {','.join(map(str, sorted(self.gids)))}"


def subject(uid: int, gids: Iterable[int], accounts: Accounts) -> Subject:
    gid_set = frozenset(gids)
    names = frozenset(accounts.names(uid))
    # the groups it has (a running process's, as the kernel reports them), not the ones it could get
    group_names = frozenset(n for n, g in accounts.groups.items() if g in gid_set)
    return Subject(uid, names, gid_set, group_names)


# --- sudoers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grant:
    """One command a rule lets the subject run as root."""

    where: str        # file:line
    rule: str         # the rule as written (continuations joined)
    command: str      # "ALL" or the command line; "!..." when the rule takes it away
    nopass: bool

    @property
    def everything(self) -> bool:
        return self.command == "ALL"


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, line) with backslash continuations joined."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        yield start, pending + raw
        pending = ""
    if pending:
        yield start, pending


_COMMENT = re.compile(r"(?<![%\w])#(?![0-9])")
_INCLUDE = re.compile(r"^\s*[#@](include|includedir)\s+(\S+)")


def sudoers_lines(files: dict[str, str], path: str = SUDOERS, depth: int = 0) -> Iterator[tuple[str, str]]:
    """("file:line", statement) for sudoers and every file it includes, in sudo's order."""
    text = files.get(path)
    if text is None or depth > MAX_INCLUDE_DEPTH:
        return
    for number, line in _logical_lines(text):
        include = _INCLUDE.match(line)
        if include:
            kind, target = include.groups()
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if kind == "include":
                yield from sudoers_lines(files, target, depth + 1)
            else:
                # sudo skips names ending in `~` or containing a `.` (editor backups, package leftovers)
                inside = sorted(p for p in files if posixpath.dirname(p) == target
                                and not p.endswith("~") and "." not in posixpath.basename(p))
                for included in inside:
                    yield from sudoers_lines(files, included, depth + 1)
            continue
        match = _COMMENT.search(line)
        statement = (line[:match.start()] if match else line).strip()
        if statement:
            yield f"{path}:{number}", statement


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split at `sep` outside parentheses and braces."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if char == sep and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [p for p in parts if p]


@dataclass
class _Sudoers:
    aliases: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    authenticate: list[tuple[list[str] | None, bool]] = field(default_factory=list)  # (users or None, value)
    specs: list[tuple[str, str, list[str], str]] = field(default_factory=list)       # where, users, cmnd part


def _user_item_matches(item: str, who: Subject, aliases: dict, seen: frozenset[str] = frozenset()) -> bool | None:
    """True/False when `item` (maybe negated) decides for `who`, None when it does not match."""
    negated = item.startswith("!")
    item = item.lstrip("!").strip()
    if item == "ALL":
        hit = True
    elif item.startswith("%#"):
        hit = item[2:].isdigit() and int(item[2:]) in who.gids
    elif item.startswith("%:") or item.startswith("+"):
        hit = False                                   # non-Unix groups and netgroups: not in an image
    elif item.startswith("%"):
        hit = item[1:] in who.group_names
    elif item.startswith("#"):
        hit = item[1:].isdigit() and int(item[1:]) == who.uid
    elif ("User_Alias", item) in aliases and item not in seen:
        hit = _list_matches(aliases[("User_Alias", item)], who, aliases, seen | {item}) is True
    else:
        hit = item in who.names
    if not hit:
        return None
    return not negated


def _list_matches(items: list[str], who: Subject, aliases: dict, seen: frozenset[str] = frozenset()) -> bool | None:
    """sudo's rule for lists: the last item that matches decides (a negated one says no)."""
    result = None
    for item in items:
        decided = _user_item_matches(item, who, aliases, seen)
        if decided is not None:
            result = decided
    return result


def _runas_root(spec: str, aliases: dict) -> bool:
    """Does a Runas_Spec `(users : groups)` include root? Without users it runs as the caller."""
    users = spec.strip("()").partition(":")[0]
    if not users.strip():
        return False
    root = Subject(0, frozenset({"root"}), frozenset({0}), frozenset({"root"}))
    items = _split_top(users)
    aliased = {("User_Alias", k[1]): v for k, v in aliases.items() if k[0] == "Runas_Alias"}
    return _list_matches(items, root, {**aliases, **aliased}) is True


def _expand_commands(command: str, aliases: dict, seen: frozenset[str] = frozenset()) -> list[str]:
    negated = command.startswith("!")
    name = command.lstrip("!").strip()
    for kind in ("Cmnd_Alias", "Cmd_Alias"):
        if (kind, name) in aliases and name not in seen:
            expanded = [c for item in aliases[(kind, name)] for c in _expand_commands(item, aliases, seen | {name})]
            return [("!" + c.lstrip("!")) if negated else c for c in expanded]
    return [command]


def _parse_sudoers(lines: Iterable[tuple[str, str]]) -> _Sudoers:
    parsed = _Sudoers()
    for where, statement in lines:
        words = statement.split(None, 1)
        head = words[0]
        if head.startswith("Defaults"):
            scope = head[len("Defaults"):]
            users = _split_top(scope[1:]) if scope.startswith(":") else None
            if scope.startswith(">") and not _runas_root(f"({scope[1:]})", parsed.aliases):
                continue                              # defaults for running as another user
            if scope and scope[0] not in ":>":
                continue                              # per-host and per-command defaults
            for param in _split_top(words[1] if len(words) > 1 else ""):
                if param.replace(" ", "") in ("authenticate", "!authenticate"):
                    parsed.authenticate.append((users, not param.startswith("!")))
            continue
        if head in ALIAS_KINDS:
            kind = "Cmnd_Alias" if head == "Cmd_Alias" else head
            for definition in _split_top(words[1] if len(words) > 1 else "", ":"):
                name, _, items = definition.partition("=")
                parsed.aliases[(kind, name.strip())] = _split_top(items)
            continue
        match = re.match(r"^\s*(?P<users>[^\s,]+(?:\s*,\s*[^\s,]+)*)\s+(?P<rest>.+)$", statement)
        if match and "=" in match["rest"]:
            parsed.specs.append((where, statement, _split_top(match["users"]), match["rest"]))
    return parsed


def _authenticate_default(parsed: _Sudoers, who: Subject) -> bool:
    value = True
    for users, setting in parsed.authenticate:
        if users is None or _list_matches(users, who, parsed.aliases) is True:
            value = setting
    return value


_TAG = re.compile(r"^(?P<tag>[A-Z_]+)\s*:\s*")
_OPTION = re.compile(r"^(?P<name>[A-Z_]+)\s*=\s*\S+\s*")


def sudo_grants(files: dict[str, str], who: Subject) -> list[Grant]:
    """Every command sudoers lets `who` run as root, in order (the last match wins in sudo)."""
    parsed = _parse_sudoers(sudoers_lines(files))
    authenticate = _authenticate_default(parsed, who)
    grants: list[Grant] = []
    for where, statement, users, rest in parsed.specs:
        if _list_matches(users, who, parsed.aliases) is not True:
            continue
        # `Host_List = Cmnd_Spec_List` groups, joined by `:`; a `:` inside a tag (`NOPASSWD:`) is not one
        for group in re.split(r":\s*(?=[!\w.\-]+(?:\s*,\s*[!\w.\-]+)*\s*=)", rest):
            _hosts, _, commands = group.partition("=")
            runas_root, nopass = True, None
            for item in _split_top(commands):
                if item.startswith("("):
                    close = item.find(")")
                    runas_root = _runas_root(item[:close + 1], parsed.aliases)
                    item = item[close + 1:].strip()
                while True:
                    option = _OPTION.match(item)
                    if option and option["name"] in SUDO_OPTIONS:
                        item = item[option.end():]
                        continue
                    tag = _TAG.match(item)
                    if tag and tag["tag"] in SUDO_TAGS:
                        if tag["tag"] in ("NOPASSWD", "PASSWD"):
                            nopass = tag["tag"] == "NOPASSWD"
                        item = item[tag.end():]
                        continue
                    break
                if not runas_root or not item:
                    continue
                for command in _expand_commands(item.strip(), parsed.aliases):
                    grants.append(Grant(where, statement, command, (not authenticate) if nopass is None else nopass))
    return grants


# --- doas ----------------------------------------------------------------------------------------

def doas_grants(text: str, who: Subject, where_file: str = "/etc/doas.conf") -> list[Grant]:
    """doas rules matching `who` with target root, in order (in doas the last match wins); a
    `deny` rule is a grant of "!" + its command."""
    grants: list[Grant] = []
    for number, line in _logical_lines(text):
        statement = line.split("#", 1)[0].strip()
        words = re.sub(r"\{[^}]*\}", "", statement).split()
        if not words or words[0] not in ("permit", "deny"):
            continue
        action, rest = words[0], words[1:]
        options = []
        while rest and rest[0] in ("nopass", "nolog", "persist", "keepenv", "setenv"):
            options.append(rest.pop(0))
        if not rest:
            continue
        identity, rest = rest[0], rest[1:]
        target, command = "root", "ALL"
        if len(rest) >= 2 and rest[0] == "as":
            target, rest = rest[1], rest[2:]
        if len(rest) >= 2 and rest[0] == "cmd":
            command = " ".join(w for w in rest[1:] if w != "args")
        if target not in ("root", "0"):
            continue
        if identity.startswith(":"):
            group = identity[1:]
            hit = group in who.group_names or (group.isdigit() and int(group) in who.gids)
        else:
            hit = identity in who.names or (identity.isdigit() and int(identity) == who.uid)
        if hit:
            grants.append(Grant(f"{where_file}:{number}", statement,
                                command if action == "permit" else "!" + command, "nopass" in options))
    return grants


# --- judgement ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RootPath:
    """One way for the runtime user to become root, with what shows it."""

    what: str
    evidence: tuple[str, ...]


def last_full_grant(grants: list[Grant]) -> Grant | None:
    """The rule that decides whether `ALL` (any command) is allowed: the last one naming ALL."""
    full = [g for g in grants if g.command.lstrip("!") == "ALL"]
    return full[-1] if full and not full[-1].command.startswith("!") else None


def command_grants(grants: list[Grant]) -> list[Grant]:
    """Single commands granted without a password (not taken away by a later rule)."""
    decided: dict[str, Grant] = {}
    for grant in grants:
        decided[grant.command.lstrip("!")] = grant
    return [g for c, g in decided.items() if c != "ALL" and not g.command.startswith("!") and g.nopass]
