"""The verifier's corpus: one small Dockerfile per case in tests/corpus/<name>/, each with
the verdict `nonroot verify` must reach and the evidence that must back it.

Every image is built offline from nonroot-test/python:bookworm-1 (tests/images.py) or
FROM scratch; drop-gosu, sudo-nopasswd and doas-nopass install gosu, sudo and opendoas from
Debian's mirror during their build.

    python tests/corpus/cases.py     # build every corpus image (the layer cache makes it quick)
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
REPO = "nonroot-corpus"
VERSION = "1"
PROVEN, FOUND, CANNOT_TELL, NOT_WORKING = 0, 1, 2, 3


@dataclass(frozen=True)
class Expect:
    """One check that must be in the report with this verdict; `contains` must appear in its
    summary or in one of its evidence lines."""

    check: str
    verdict: str
    contains: str = ""

    def met_by(self, checks: list) -> bool:
        return any(c.name == self.check and c.verdict == self.verdict
                   and (self.contains in c.summary or any(self.contains in e for e in c.evidence))
                   for c in checks)


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    exit_code: int
    expect: tuple[Expect, ...] = ()
    environment: dict[str, str] = field(default_factory=dict)
    options: dict = field(default_factory=dict)   # VerifyOptions beyond the defaults, e.g. a longer window

    @property
    def tag(self) -> str:
        return f"{REPO}/{self.name}:{VERSION}"

    @property
    def directory(self) -> Path:
        return CORPUS_DIR / self.name

    @property
    def dockerfile(self) -> Path:
        return self.directory / "Dockerfile"

    def corpus_bases(self) -> list[str]:
        """Names of the corpus images this one is built FROM."""
        text = self.dockerfile.read_text()
        return re.findall(rf"^FROM\s+{REPO}/([\w.-]+):", text, flags=re.MULTILINE)


CASES: tuple[Case, ...] = (
    Case("named-user", "`USER app`, a name resolving to 10001", PROVEN, (
        Expect("config-user", "pass", "resolves to 10001:10001"),
        Expect("kubernetes", "warn", "is a name"),
        Expect("runtime", "pass"))),
    Case("numeric-user", "`USER 10001`, no passwd entry", PROVEN, (
        Expect("config-user", "pass", "numeric"),
        Expect("config-user", "pass", "GID 0"),
        Expect("kubernetes", "pass", "compatible"),
        Expect("root-group", "warn", "uid r/e/s/fs=10001/10001/10001/10001 gid r/e/s/fs=0/0/0/0"))),
    Case("no-user", "no `USER` at all", FOUND, (
        Expect("config-user", "warn", "no USER"),
        Expect("runtime", "fail", "`sleep infinity` has UID 0"))),
    Case("user-0", "`USER 0`", FOUND, (
        Expect("config-user", "warn", "is UID 0"),
        Expect("runtime", "fail", "has UID 0"))),
    Case("root-alias", "`USER toor`, a second passwd name for UID 0", FOUND, (
        Expect("config-user", "warn", "toor -> 0"),
        Expect("runtime", "fail", "has UID 0"))),
    Case("builder-stage-user", "`USER app` only in the builder stage", FOUND, (
        Expect("config-user", "warn", "no USER"),
        Expect("runtime", "fail", "has UID 0"))),
    Case("inherited-user", "no `USER` line; `USER 10001` inherited from its base image", PROVEN, (
        Expect("config-user", "pass", "USER 10001 is numeric"),
        Expect("runtime", "pass"))),
    Case("arg-zero", "`ARG RUN_AS=0` + `USER ${RUN_AS}`", FOUND, (
        Expect("config-user", "warn", "USER 0 is UID 0"),
        Expect("runtime", "fail", "has UID 0"))),
    Case("drop-setpriv", "`USER root` + entrypoint that drops with setpriv", PROVEN, (
        Expect("config-user", "warn", "USER root resolves to UID 0"),
        Expect("runtime", "pass"),
        Expect("hardened-run", "warn", "breaks with: --cap-drop ALL"))),
    Case("drop-gosu", "no `USER`, entrypoint that drops with gosu", PROVEN, (
        Expect("config-user", "warn", "no USER"),
        Expect("runtime", "pass", "uid r/e/s/fs=10001/10001/10001/10001"))),
    Case("forgets-to-drop", "`USER root` + entrypoint that chowns and never drops", FOUND, (
        Expect("runtime", "fail", "`sleep infinity` has UID 0"),)),
    Case("root-background", "entrypoint drops, but leaves a root `tail -f` behind", FOUND, (
        Expect("runtime", "fail", "`tail -f /dev/null` has UID 0"),
        Expect("runtime", "fail", "`sleep infinity` uid r/e/s/fs=10001/10001/10001/10001"))),
    Case("setuid-shell", "`USER 10001`, runs a setuid-root copy of bash", FOUND, (
        Expect("runtime", "fail", "`sleep infinity` has UID 0 (effective, saved, filesystem)"),
        Expect("setuid-files", "warn", "/usr/local/bin/rootsh 0:0 mode 4755 (setuid)"))),
    Case("gid-0-openshift", "`USER 1001:0` (OpenShift convention)", PROVEN, (
        Expect("runtime", "pass"),
        Expect("root-group", "warn", "GID 0"))),
    Case("unknown-user", "`USER ghost`, not in /etc/passwd", CANNOT_TELL, (
        Expect("config-user", "unknown", "'ghost' cannot be resolved"),
        Expect("runtime", "unknown", "would not start"))),
    Case("no-shell", "`FROM scratch`, no shell, `USER 65532:65532`", PROVEN, (
        Expect("runtime", "pass", "`/bin/sleep infinity` uid r/e/s/fs=65532/65532/65532/65532"),
        Expect("setuid-files", "pass"))),
    Case("no-shell-root", "`FROM scratch`, no shell, no `USER`", FOUND, (
        Expect("runtime", "fail", "`/bin/sleep infinity` has UID 0"),)),
    Case("exits-at-once", "`USER 10001:10001`, `CMD [\"true\"]` exits at once", CANNOT_TELL, (
        Expect("runtime", "unknown", "short-lived"),
        Expect("runtime", "unknown", "started it as UID 10001 GID 10001"),
        Expect("hardened-run", "pass", "exits with code 0, as in the normal run"))),
    Case("file-capability", "`USER 10001:10001`, runs a binary with file capability cap_setuid+ep", FOUND, (
        Expect("capabilities", "fail", "CAP_SETUID"),
        Expect("setuid-files", "warn", "/usr/local/bin/capsleep 0:0 mode 0755 (file capabilities)"))),
    Case("app-writable", "non-root, code owned by the user, a world-writable dir", PROVEN, (
        Expect("user-writable", "warn", "/app/app.sh"),
        Expect("world-writable", "warn", "/srv/uploads"))),
    Case("writes-at-start", "non-root, writes to /var/lib/app at start", PROVEN, (
        Expect("runtime", "pass"),
        Expect("hardened-run", "warn", "breaks with: --read-only"))),
    Case("needs-env", "non-root, exits at once unless `TOKEN` is set", CANNOT_TELL, (
        Expect("runtime", "unknown", "TOKEN is required"),
        Expect("runtime", "unknown", "-e KEY=VALUE"))),
    Case("sudo-nopasswd", "`USER app`, sudoers: `app ALL=(ALL) NOPASSWD:ALL`", FOUND, (
        Expect("runtime", "pass"),
        Expect("path-to-root", "fail", "a path to root: sudo gives UID 10001 app"),
        Expect("path-to-root", "fail", "/etc/sudoers.d/app:1: app ALL=(ALL) NOPASSWD:ALL"),
        Expect("path-to-root", "fail", "/usr/bin/sudo 0:0 mode 4755 (setuid)"))),
    Case("doas-nopass", "`USER app`, doas.conf: `permit nopass keepenv :app`", FOUND, (
        Expect("runtime", "pass"),
        Expect("path-to-root", "fail", "a path to root: doas gives UID 10001 app"),
        Expect("path-to-root", "fail", "/etc/doas.conf:2: permit nopass keepenv :app"))),
    Case("empty-root-password", "`USER app`, root's password emptied, setuid `su`", FOUND, (
        Expect("runtime", "pass"),
        Expect("path-to-root", "fail", "a path to root: root has an empty password and su is setuid root"),
        Expect("path-to-root", "fail", "/etc/shadow: root's password field is empty"))),
    Case("passwd-writable", "`USER app`, /etc/passwd owned by app", FOUND, (
        Expect("runtime", "pass"),
        Expect("path-to-root", "fail", "a path to root: /etc/passwd is writable by UID 10001 app"),
        Expect("path-to-root", "fail", "/etc/passwd 10001:0 mode 0644"))),
    Case("config-owned", "`USER 101`, its configuration dir /etc/web owned by it (nginx-unprivileged)", PROVEN, (
        Expect("runtime", "pass"),
        Expect("path-to-root", "pass"),
        Expect("user-writable", "warn", "/etc/web/ (+2 under it)"))),
    Case("label-mismatch", "labels say 10001:10001, `USER 10002:10002`", FOUND, (
        Expect("contract", "fail", "label says it runs as UID 10001"),)),
    Case("label-contract", "labels 10001:10001 and writable /var/lib/app, written at start", PROVEN, (
        Expect("contract", "pass", "every process runs as UID 10001"),
        Expect("hardened-run", "pass", "/var/lib/app owned by 10001:10001 mode 0755, as in the image"),
        Expect("user-writable", "pass"))),
    Case("volume-owned", "no `USER`, VOLUME owned 10001 mode 0700, setpriv drop (postgres)", PROVEN, (
        Expect("runtime", "pass"),
        Expect("hardened-run", "warn", "; breaks with: --cap-drop ALL"),
        Expect("hardened-run", "warn", "alone: --read-only (tmpfs: /tmp, /var/lib/db (/var/lib/db owned by "
                                       "10001:10001 mode 0700, as in the image)): works"))),
    # The shapes of issue 14: root that a few samples miss, and the official images' drops.
    Case("sudo-job-late", "`USER 10001`, a job that gets root through sudo 6 s after the start, for 2 s",
         FOUND, (
             Expect("runtime", "fail", "`/bin/sh /usr/local/bin/rotate-logs` has UID 0"),
             Expect("runtime", "fail", "`sudo -n /usr/local/bin/rotate-logs` has UID 0 (effective, saved, "
                                       "filesystem)"),
             Expect("path-to-root", "fail", "accept it with --accept-root-command /usr/local/bin/rotate-logs")),
         options={"settle": 10.0}),
    Case("root-blip", "`USER 10001`, a setuid-root helper that lives 50 ms every second", FOUND, (
        Expect("runtime", "fail", "`/usr/local/bin/blip 0.05` has UID 0 (effective, saved, filesystem)"),)),
    Case("healthcheck-root", "gosu drop with a `HEALTHCHECK` and no `USER`", FOUND, (
        Expect("health-check", "fail", "the health check runs as root: no USER"),
        Expect("health-check", "fail", "run once at"),
        Expect("runtime", "fail", "after the first process gave up root"))),
    Case("healthcheck-user", "`USER app` with a `HEALTHCHECK`", PROVEN, (
        Expect("health-check", "pass", "runs as USER app (UID 10001)"),
        Expect("health-check", "pass", "exit code 0"),
        Expect("runtime", "pass", "none with UID 0"))),
    Case("postgres-shape", "postgres's shape: no `USER`, entrypoint re-runs itself as postgres with gosu, "
         "workers", PROVEN, (
             Expect("runtime", "pass", "root only in the start-up prelude"),
             Expect("runtime", "pass", "`postgres: checkpointer infinity` uid r/e/s/fs=999/999/999/999"))),
    Case("redis-shape", "redis's shape: no `USER`, entrypoint chowns then re-runs itself with setpriv", PROVEN, (
        Expect("runtime", "pass", "root only in the start-up prelude"),
        Expect("runtime", "pass", "`python3 /usr/local/bin/redis-server` uid r/e/s/fs=999/999/999/999"))),
    Case("root-master", "nginx/httpd's shape: a root master with non-root workers", FOUND, (
        Expect("runtime", "fail", "`/bin/sh /usr/local/bin/master.sh` has UID 0"),
        Expect("runtime", "fail", "the first process never gave up root"),
        Expect("runtime", "fail", "`sleep infinity` uid r/e/s/fs=101/101/101/101"))),
    # Issue 21: every path to root is a failure, with the way named; what is not one says why.
    Case("cap-interpreter", "`USER app`, cap_setuid+ep on the Python interpreter it can run", FOUND, (
        Expect("runtime", "pass"),
        Expect("path-to-root", "fail", "/usr/bin/python3.11 carries the file capability CAP_SETUID"),
        Expect("path-to-root", "fail", "setuid(0)"))),
    Case("cap-bind-service", "`USER 10001`, its server carries cap_net_bind_service+ep", PROVEN, (
        Expect("setuid-files", "pass", "file capabilities that yield no root: /usr/local/bin/server "
                                       "(CAP_NET_BIND_SERVICE)"),
        Expect("path-to-root", "pass"),
        Expect("runtime", "pass"))),
    Case("sudo-chown-chmod", "`USER app`, sudoers: `NOPASSWD: /usr/bin/chown, /usr/bin/chmod`", FOUND, (
        Expect("runtime", "pass"),
        Expect("path-to-root", "fail", "sudo runs `/usr/bin/chmod` as root without a password"),
        Expect("path-to-root", "fail", "`sudo chmod u+s /bin/bash` makes a setuid-root shell"),
        Expect("path-to-root", "fail", "`sudo chown USER /etc/passwd`"))),
    Case("root-entry-writable", "no `USER`, setpriv drop, the entrypoint owned by the service user", FOUND, (
        Expect("runtime", "pass", "root only in the start-up prelude"),
        Expect("path-to-root", "fail", "/usr/local/bin/entrypoint.sh, the entrypoint, run as root at every "
                                       "start, can be changed by UID 10001"))),
    Case("sudoers-d-owned", "`USER app`, sudo installed, /etc/sudoers.d owned by app", PROVEN, (
        Expect("runtime", "pass"),
        Expect("path-to-root", "warn", "a misconfiguration sudo refuses (owned by uid 10001, should be 0)"))),
    # Issue 21: proven needs a working service; the same verdict whatever the load.
    Case("health-never", "`USER app`, a `HEALTHCHECK` on a route it does not serve", NOT_WORKING, (
        Expect("runtime", "pass"),
        Expect("health-check", "broken", "not proven: the service does not work: its health check failed, the "
                                         "engine says unhealthy"),
        Expect("health-check", "broken", "HTTP Error 404"))),
    Case("health-exits", "`USER app`, a `HEALTHCHECK`, a start command whose file is missing", NOT_WORKING, (
        Expect("health-check", "broken", "it stopped before its health check passed (it exited at once: exit "
                                         "code 2"),
        Expect("health-check", "broken", "can't open file '/app/dist/server.py'"))),
    Case("health-slow", "`USER 10001`, ready after 6 s, a `HEALTHCHECK` with a start period", PROVEN, (
        Expect("health-check", "pass", "the check passed: healthy at"),
        Expect("health-check", "pass", "runs as USER 10001:10001 (UID 10001)"),
        Expect("runtime", "pass", "`sleep infinity` uid r/e/s/fs=10001/10001/10001/10001"))),
    Case("entry-crlf", "`USER 10001`, an entrypoint with CRLF line endings (cannot be executed)", CANNOT_TELL, (
        Expect("runtime", "unknown", "exec /usr/local/bin/entrypoint.sh: no such file or directory"),
        Expect("health-check", "skip", "nothing checked that it works"))),
)
BY_NAME = {case.name: case for case in CASES}
# The cases that also run under Podman (tests/corpus/test_podman.py): each verdict kind, the
# prelude rule, a health check, a 50 ms root process.
PODMAN_CASES = ("named-user", "no-user", "drop-gosu", "root-background", "setuid-shell", "exits-at-once",
                "healthcheck-root", "root-blip", "redis-shape")


def build_order(cases: tuple[Case, ...] = CASES) -> list[Case]:
    """Cases ordered so that a corpus image is built after the corpus images it is FROM."""
    done: list[Case] = []

    def visit(case: Case) -> None:
        if case in done:
            return
        for base in case.corpus_bases():
            visit(BY_NAME[base])
        done.append(case)

    for case in cases:
        visit(case)
    return done


def build_all(client, cases: tuple[Case, ...] = CASES) -> dict[str, str]:
    """Build every case's image (bases first); returns {case name: tag}."""
    from nonroot.scaffold.build import build_image

    tags = {}
    for case in build_order(cases):
        build_image(client, case.directory, case.tag)
        tags[case.name] = case.tag
    return tags


def main() -> int:
    sys.path.insert(0, str(CORPUS_DIR.parents[1] / "hooks"))
    from nonroot.engine import connect

    for name, tag in build_all(connect()).items():
        print(f"{name}: {tag}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
