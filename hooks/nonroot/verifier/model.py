"""What a verification produces and what it is told: verdicts, checks, the report, the options.

Kept apart from the code that runs containers so every check module can build
`Check`s without importing the orchestrator (`verify.py` re-exports these names).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .procs import ProcessIds

PASS, WARN, FAIL, UNKNOWN = "pass", "warn", "fail", "unknown"
SKIP = "skip"  # not judged, with the reason; does not change the exit code
BROKEN = "broken"  # the service does not work (its health check failed, or it exited before it passed)
# The exit codes of `nonroot verify` and `nonroot check` (also in --help and the README).
EXIT_PROVEN, EXIT_ROOT_FOUND, EXIT_CANNOT_TELL, EXIT_NOT_WORKING = 0, 1, 2, 3
LABEL = "io.nonroot.verify"


@dataclass
class Check:
    name: str
    verdict: str  # pass | warn | fail | unknown | skip
    summary: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class Report:
    image: str
    image_id: str
    config_user: str
    checks: list[Check] = field(default_factory=list)
    processes: list[ProcessIds] = field(default_factory=list)

    accepted_root_commands: list[str] = field(default_factory=list)  # reviewed sudo/doas commands, as said
    healthy_at: float | None = None   # seconds after the start when the engine first said healthy

    @property
    def exit_code(self) -> int:
        """0 proven non-root, 1 root or privilege found, 2 could not tell, 3 not proven: the
        service does not work (root found outranks it; it outranks could not tell)."""
        verdicts = {c.verdict for c in self.checks}
        if FAIL in verdicts:
            return EXIT_ROOT_FOUND
        if BROKEN in verdicts:
            return EXIT_NOT_WORKING
        if UNKNOWN in verdicts or not self.checks:
            return EXIT_CANNOT_TELL
        return EXIT_PROVEN

    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.verdict in (FAIL, BROKEN, UNKNOWN)]

    def check(self, name: str) -> Check | None:
        """The first check of that name, or None."""
        return next((c for c in self.checks if c.name == name), None)


@dataclass
class VerifyOptions:
    settle: float = 3.0           # the watch window: seconds the container is watched once it runs (--watch)
    samples: int = 3              # status reads spread over the window (process reads where the engine is remote)
    start_timeout: float = 30.0   # seconds to wait for the container to be running
    command: list[str] | None = None
    entrypoint: list[str] | None = None   # None: the image's own; [] clears it
    environment: dict[str, str] = field(default_factory=dict)
    expect_uid: int | None = None
    expect_gid: int | None = None
    writable_paths: list[str] = field(default_factory=list)
    tmpfs: dict[str, str] = field(default_factory=dict)  # path -> mount options, e.g. a root-owned /data
    strict: bool = False          # setuid/setgid files and file capabilities fail instead of warn
    hardened: bool = True         # also run it with --read-only, --cap-drop ALL, no-new-privileges
    arbitrary_uid: int | None = None  # hardened run as this UID with GID 0 (OpenShift); None: the image's user
    scan_filesystem: bool = True  # stream the image's filesystem for setuid and writable files
    process_events: bool = True   # watch through the kernel's process events connector where it can be used;
                                  # False: read the container's cgroup every 25 ms instead
    run_healthcheck: bool = True  # run the image's HEALTHCHECK once in the window, as the engine would
    health_timeout: float = 300.0  # the longest wait for the engine's health status (JVMs, migrations)
    accept_root_commands: list[str] = field(default_factory=list)  # reviewed sudo/doas commands (by path or name)

    def declared_writable(self) -> list[str]:
        """Paths the caller declared writable (writable paths and tmpfs mounts)."""
        return sorted({*self.writable_paths, *self.tmpfs})
