"""Prove that an image runs without root: read its config, then run it and read
the credentials of every process in it, as the kernel reports them."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from . import imagefs
from .errors import EngineUnavailable, ImageNotFound
from .procs import ProcessIds, read_processes

PASS, WARN, FAIL, UNKNOWN = "pass", "warn", "fail", "unknown"
LABEL = "io.nonroot.verify"


@dataclass
class Check:
    name: str
    verdict: str  # pass | warn | fail | unknown
    summary: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class Report:
    image: str
    image_id: str
    config_user: str
    checks: list[Check] = field(default_factory=list)
    processes: list[ProcessIds] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 proven non-root, 1 root or privilege found, 2 could not tell."""
        verdicts = {c.verdict for c in self.checks}
        if FAIL in verdicts:
            return 1
        if UNKNOWN in verdicts or not self.checks:
            return 2
        return 0

    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.verdict in (FAIL, UNKNOWN)]


@dataclass
class VerifyOptions:
    settle: float = 3.0           # seconds the container is watched once it runs
    samples: int = 3              # process reads spread over the settle window
    start_timeout: float = 30.0   # seconds to wait for the container to be running
    command: list[str] | None = None
    environment: dict[str, str] = field(default_factory=dict)
    expect_uid: int | None = None
    expect_gid: int | None = None
    writable_paths: list[str] = field(default_factory=list)
    tmpfs: dict[str, str] = field(default_factory=dict)  # path -> mount options, e.g. a root-owned /data


def _split_user(user: str) -> tuple[str, str]:
    name, _, group = user.partition(":")
    return name, group


def config_check(client, image, user: str) -> Check:
    """What the image config's User says, resolved to a UID from the image's own /etc/passwd."""
    if not user:
        return Check("config-user", WARN, "no USER in the image config: the container starts as root "
                     "and only an entrypoint that drops privileges can make it non-root (see runtime)")
    name, group = _split_user(user)
    if name.isdigit():
        uid = int(name)
        if uid == 0:
            return Check("config-user", FAIL, f"USER {user} is root (UID 0)")
        return Check("config-user", PASS, f"USER {user} is numeric and non-zero: "
                     "Kubernetes runAsNonRoot can verify it")
    passwd = _read_image_file(client, image, "/etc/passwd")
    table = imagefs.parse_passwd(passwd.decode("utf-8", "replace")) if passwd else {}
    if name not in table:
        where = "the image has no /etc/passwd" if passwd is None else "no such entry in the image's /etc/passwd"
        return Check("config-user", FAIL, f"USER {user}: name cannot be resolved ({where}); "
                     "the container will not start")
    uid = table[name]
    if uid == 0:
        return Check("config-user", FAIL, f"USER {user} resolves to UID 0 in /etc/passwd: it is root",
                     [f"/etc/passwd: {name} -> 0"])
    return Check("config-user", WARN, f"USER {user} resolves to UID {uid}, but by name: Kubernetes "
                 f"runAsNonRoot cannot verify a name; use USER {uid}{':' + group if group else ''}",
                 [f"/etc/passwd: {name} -> {uid}"])


def _read_image_file(client, image, path: str) -> bytes | None:
    holder = client.containers.create(image.id, command=["nonroot-inspect"], entrypoint=[],
                                      labels={LABEL: "inspect"})
    try:
        return imagefs.read_file(holder, path)
    finally:
        holder.remove(force=True)


def _wait_running(container, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        container.reload()
        status = container.status
        if status != "created" or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def _exit_summary(container) -> str:
    state = container.attrs.get("State", {})
    code = state.get("ExitCode")
    error = state.get("Error") or ""
    logs = container.logs(tail=15).decode("utf-8", "replace").strip()
    tail = "; last output: " + " | ".join(logs.splitlines()[-5:]) if logs else ""
    return f"container stopped (exit code {code}){': ' + error if error else ''}{tail}"


def runtime_checks(container, options: VerifyOptions) -> tuple[list[Check], list[ProcessIds]]:
    """Watch a started container and judge every process seen in it."""
    status = _wait_running(container, options.start_timeout)
    if status != "running":
        return [Check("runtime", UNKNOWN, f"container did not start: {_exit_summary(container)}")], []
    seen: dict[tuple[int, str], ProcessIds] = {}
    interval = options.settle / max(options.samples, 1)
    exited_early = ""
    owners: list[imagefs.PathOwner | str] = []
    for sample in range(max(options.samples, 1)):
        time.sleep(interval)
        container.reload()
        if container.status != "running":
            exited_early = _exit_summary(container)
            break
        for proc in read_processes(container):
            seen.setdefault((proc.pid, proc.command), proc)
        if sample == 0:
            owners = [imagefs.owner(container, p) or p for p in options.writable_paths]
    processes = list(seen.values())
    return _judge(processes, exited_early, owners, options), processes


def _judge(processes: list[ProcessIds], exited_early: str,
           owners: list[imagefs.PathOwner | str], options: VerifyOptions) -> list[Check]:
    checks: list[Check] = []
    evidence = [p.describe() for p in processes]
    root = [p for p in processes if p.root_uid_roles()]
    if root:
        checks.append(Check("runtime", FAIL, "root process: " + "; ".join(
            f"pid {p.pid} `{p.command}` has UID 0 ({', '.join(p.root_uid_roles())})" for p in root), evidence))
    elif exited_early or not processes:
        reason = exited_early or "no process was seen"
        checks.append(Check("runtime", UNKNOWN, f"could not watch the service run: {reason}", evidence))
    else:
        checks.append(Check("runtime", PASS, f"{len(processes)} process(es), none with UID 0 "
                            "(real, effective, saved or filesystem)", evidence))
    escalating = [p for p in processes if not p.root_uid_roles() and p.escalating_caps()]
    if escalating:
        checks.append(Check("capabilities", FAIL, "; ".join(
            f"pid {p.pid} `{p.command}` holds {', '.join(p.escalating_caps())}" for p in escalating)))
    if options.expect_uid is not None and processes:
        wrong = [p for p in processes if p.uids[1] != options.expect_uid
                 or (options.expect_gid is not None and p.gids[1] != options.expect_gid)]
        want = f"{options.expect_uid}:{options.expect_gid}" if options.expect_gid is not None else str(options.expect_uid)
        if wrong:
            checks.append(Check("expected-user", FAIL, f"expected every process to run as {want}; "
                                + "; ".join(p.describe() for p in wrong)))
        else:
            checks.append(Check("expected-user", PASS, f"every process runs as {want}"))
    for item in owners:
        if isinstance(item, str):
            checks.append(Check("writable-path", FAIL, f"{item} does not exist in the running container"))
        elif options.expect_uid is not None and item.uid != options.expect_uid:
            checks.append(Check("writable-path", FAIL, f"{item.describe()}, expected owner {options.expect_uid}"))
        else:
            checks.append(Check("writable-path", PASS, item.describe()))
    return checks


def verify_image(client, image_ref: str, options: VerifyOptions | None = None) -> Report:
    """Verify an image that is in the engine; the container it starts is always removed."""
    from docker.errors import APIError, DockerException, ImageNotFound as SdkImageNotFound

    options = options or VerifyOptions()
    try:
        image = client.images.get(image_ref)
    except SdkImageNotFound as error:
        raise ImageNotFound(f"image {image_ref} is not in the engine: build it first "
                            "(nonroot check DIR) or docker pull it") from error
    user = (image.attrs.get("Config") or {}).get("User") or ""
    report = Report(image=image_ref, image_id=image.id, config_user=user)
    report.checks.append(config_check(client, image, user))
    container = None
    try:
        container = client.containers.create(
            image.id, command=options.command, environment=options.environment, tmpfs=options.tmpfs,
            labels={LABEL: "run"}, name=f"nonroot-verify-{uuid.uuid4().hex[:12]}", detach=True)
        try:
            container.start()
        except APIError as error:
            report.checks.append(Check("runtime", UNKNOWN, f"container would not start: {error.explanation or error}"))
            return report
        checks, processes = runtime_checks(container, options)
        report.checks.extend(checks)
        report.processes = processes
        return report
    except DockerException as error:
        if "Connection" in type(error).__name__ or "connection" in str(error).lower():
            raise EngineUnavailable(f"lost the Docker engine during verification: {error}") from error
        raise
    finally:
        if container is not None:
            try:
                container.remove(force=True)
            except DockerException:
                pass
