"""Commands known to give a root shell or write any file when sudo or doas runs them as root
(the GTFOBins "sudo" set: https://gtfobins.github.io/#+sudo), by the name the rule runs, with
how each one yields root. Maintained here: add a command with the one line a reviewer needs.

A rule that runs one of these as root without a password is a path to root whatever its
arguments say it is for; it cannot be accepted (--accept-root-command), only removed or
replaced by a script of the one thing it is for.
"""
from __future__ import annotations

import posixpath

SHELL = "it starts a shell"
WRITES = "it writes any file (e.g. a new /etc/passwd or sudoers entry)"

ROOT_COMMANDS: dict[str, str] = {
    # shells and interpreters: a root shell in one line
    **{name: f"`sudo {name}` is a root shell" for name in (
        "sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "ash", "busybox")},
    **{name: f"`sudo {name} -c/-e ...` runs any code as root" for name in (
        "python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "lua", "tclsh", "wish",
        "irb", "jjs", "gdb", "expect", "awk", "gawk", "mawk", "nawk")},
    # ownership and modes: root in two lines
    "chown": "`sudo chown USER /etc/passwd` hands any file to the user, who rewrites root's entry",
    "chmod": "`sudo chmod u+s /bin/bash` makes a setuid-root shell",
    "chgrp": "`sudo chgrp GROUP /etc/shadow` (+ its group-write bit) lets the user rewrite root's password",
    "setfacl": "`sudo setfacl -m u:USER:rw /etc/passwd` gives the user write access to any file",
    "setcap": "`sudo setcap cap_setuid+ep /usr/bin/python3` gives the user setuid(0)",
    "chattr": "it clears the immutable flag of any file",
    # writing files
    **{name: f"`sudo {name} ...` {WRITES}" for name in (
        "cp", "mv", "tee", "dd", "install", "rsync", "tar", "cpio", "zip", "unzip", "ln", "sed", "truncate",
        "curl", "wget", "scp", "sftp", "ftp", "socat", "nc", "ncat", "split", "shred", "rm", "mount",
        "umount", "docker", "podman", "ctr", "nsenter", "unshare", "chroot", "systemctl", "service",
        "crontab", "visudo", "passwd", "usermod", "useradd", "adduser", "groupadd", "gpasswd", "chpasswd",
        "apt", "apt-get", "dpkg", "apk", "yum", "dnf", "rpm", "pip", "pip3", "npm", "gem", "make", "git")},
    # programs that start a shell or run a command for the user
    **{name: f"`sudo {name} ...` {SHELL} (or runs any command) as root" for name in (
        "env", "find", "xargs", "nice", "ionice", "timeout", "stdbuf", "taskset", "strace", "ltrace",
        "time", "watch", "flock", "setsid", "script", "run-parts", "start-stop-daemon", "nohup", "exec",
        "vi", "vim", "nvim", "view", "rvim", "ed", "ex", "nano", "pico", "emacs", "joe", "less", "more",
        "man", "pg", "most", "journalctl", "ssh", "mysql", "psql", "sqlite3", "tmux", "screen",
        "openssl", "7z", "su", "sudo", "doas", "gosu", "su-exec", "setpriv", "runuser", "capsh",
        "ssh-keygen", "pkexec", "dmesg", "iftop", "top", "htop", "tcpdump", "logrotate")},
}


def how_it_yields_root(command: str) -> str | None:
    """How a command run as root gives the user root (None when it is not in the list); `command`
    is the rule's command line, the program named by its path or name."""
    words = command.split()
    if not words:
        return None
    name = posixpath.basename(words[0])
    found = ROOT_COMMANDS.get(name)
    if found is None and name.rstrip("0123456789.") != name:
        found = ROOT_COMMANDS.get(name.rstrip("0123456789."))   # python3.11, perl5.36
    return found
