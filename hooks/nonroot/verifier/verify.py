"""Prove that an image runs without root: read its config, run it and read the
credentials of every process in it as the kernel reports them, scan its filesystem,
and try it under hardened options. Orchestration only: each check lives in its own
module (configuser, runtime, fsscan, hardened)."""
from __future__ import annotations

import tarfile
import threading
from concurrent.futures import Future
from typing import Any, Callable

from . import imagefs
from .contract import contract_checks, read_contract
from .configuser import ConfigUser, config_user_check, kubernetes_check, read_config_user
from ..errors import EngineUnavailable, ImageNotFound
from .fsscan import DEFAULT_PATH, FsFacts, Identity, RootPolicy, RootRun, app_roots, filesystem_checks, scan
from .healthcheck import (PROBE_INTERVAL_S, HealthCheck, HealthWatch, healthcheck_check, no_healthcheck_check,
                          read_healthcheck)
from .hardened import Bisection, combine, hardened_check, restrictions
from .model import BROKEN, FAIL, LABEL, PASS, SKIP, UNKNOWN, WARN, Check, Report, VerifyOptions
from .runtime import EXITED, NOT_STARTED, Observation, Watch, observe, start_watcher
from .runtime import capabilities_check, expected_user_check, root_group_check, runtime_check, writable_path_checks
from .sandbox import ContainerSession

__all__ = ["BROKEN", "FAIL", "LABEL", "PASS", "SKIP", "UNKNOWN", "WARN", "Check", "Report", "VerifyOptions",
           "verify_image"]


def _in_background(work: Callable[[], Any]) -> Future:
    """Run `work` in a daemon thread (it must not keep the process alive after Ctrl-C)."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as error:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(error)

    threading.Thread(target=run, name="nonroot-fsscan", daemon=True).start()
    return future


def _run_kwargs(options: VerifyOptions) -> dict:
    kwargs: dict = {"command": options.command, "environment": options.environment, "tmpfs": dict(options.tmpfs)}
    if options.entrypoint is not None:
        kwargs["entrypoint"] = options.entrypoint
    return kwargs


def _identities(normal: Observation, user: ConfigUser, options: VerifyOptions) -> list[Identity]:
    """The non-root users whose writes matter: those seen running, else the configured one."""
    found: dict[tuple[int, frozenset[int]], Identity] = {}
    for proc in normal.processes:
        if not proc.root_uid_roles():
            gids = frozenset({proc.gids[3], *proc.groups})
            found.setdefault((proc.uids[3], gids), Identity(proc.uids[3], gids, f"pid {proc.pid} `{proc.command}`"))
    if not normal.processes and user.uid:
        gids = frozenset({user.gid if user.gid is not None else 0})
        found[(user.uid, gids)] = Identity(user.uid, gids, f"USER {user.raw}, not seen running", from_config=True)
    if options.hardened and options.arbitrary_uid is not None:
        gids = frozenset({0})
        found[(options.arbitrary_uid, gids)] = Identity(options.arbitrary_uid, gids, "hardened run's arbitrary UID")
    return list(found.values())


def _started_as(user: ConfigUser) -> str:
    if not user.raw:
        return "root (no USER)"
    if user.uid is None:
        return ""
    return f"UID {user.uid} GID {user.gid} (USER {user.raw})"


def _runtime_checks(normal: Observation, user: ConfigUser, options: VerifyOptions) -> list[Check]:
    checks = [runtime_check(normal, _started_as(user))]
    checks += [c for c in (capabilities_check(normal.processes), root_group_check(normal.processes)) if c]
    if options.expect_uid is not None and normal.processes:
        checks.append(expected_user_check(normal.processes, options.expect_uid, options.expect_gid))
    checks += writable_path_checks(normal.owners, options.expect_uid)
    return checks


def _root_path_dirs(config: dict) -> tuple[str, ...]:
    """Root's PATH in the container: the image's PATH, else the engine's default."""
    env = dict(item.partition("=")[::2] for item in config.get("Env") or [])
    return tuple(d for d in (env.get("PATH") or DEFAULT_PATH).split(":") if d)


def _root_policy(config: dict, user: ConfigUser, normal: Observation, health: HealthCheck | None,
                 options: VerifyOptions) -> RootPolicy:
    """What root runs in the container: the entrypoint and command of an image that starts as
    root, every command of its start-up prelude, a health check that runs as root."""
    runs: list[RootRun] = []
    as_root = not user.raw or user.uid == 0
    if as_root:
        entrypoint = options.entrypoint if options.entrypoint is not None else config.get("Entrypoint") or []
        command = options.command or ([] if options.entrypoint is not None else config.get("Cmd") or [])
        if entrypoint:   # the command is its arguments: what runs them, and as whom, the prelude shows
            runs.append(RootRun(tuple(entrypoint), "the entrypoint, run as root at every start"))
        elif command:
            runs.append(RootRun(tuple(command), "the command, run as root at every start"))
    if normal.judgement is not None:
        for sighting in normal.judgement.prelude:
            if sighting.kind in ("exec", "sample") and not sighting.ids.command.startswith("("):
                runs.append(RootRun(tuple(sighting.ids.command.split()), "run as root in the start-up prelude"))
    if health is not None and as_root:
        runs.append(RootRun(tuple(health.command), f"the health check, run as root every {health.interval_s:g} s"))
    return RootPolicy(tuple(dict.fromkeys(runs)), _root_path_dirs(config),
                      config.get("WorkingDir") or "/", tuple(options.accept_root_commands))


def _filesystem_checks(future: Future, normal: Observation, user: ConfigUser, options: VerifyOptions,
                       policy: RootPolicy, accepted_out: list[str]) -> list[Check]:
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    try:
        facts: FsFacts = future.result()
    except (DockerException, RequestException, OSError, EOFError, ValueError, tarfile.TarError) as error:
        return [Check("filesystem", UNKNOWN, f"could not read the image's filesystem through the engine: {error}")]
    return filesystem_checks(facts, _identities(normal, user, options), options.strict, policy, accepted_out)


def _verify(session: ContainerSession, image, options: VerifyOptions, report: Report) -> None:
    # the process watcher starts first: it gets ready while the containers are created
    watcher = start_watcher(options.process_events)
    try:
        _verify_watched(session, image, options, report, watcher)
    finally:
        if watcher is not None:
            watcher.close()


def _verify_watched(session: ContainerSession, image, options: VerifyOptions, report: Report, watcher) -> None:
    from docker.errors import APIError

    config = image.attrs.get("Config") or {}
    contract = read_contract(config)  # io.nonroot.* labels: writable paths count as declared
    declared = sorted({*options.declared_writable(), *(config.get("Volumes") or {}), *contract.writable})
    holder = session.create(image.id, "inspect", command=["nonroot-inspect"], entrypoint=[])
    scanning = None
    if options.scan_filesystem:
        roots = app_roots(config, options.command, options.entrypoint)
        scanning = _in_background(lambda: scan(imagefs.iter_entries(holder), roots, declared,
                                                _root_path_dirs(config)))
    user = read_config_user(holder, report.config_user)
    report.checks += [config_user_check(user), kubernetes_check(user)]

    base = _run_kwargs(options)
    owner = (user.uid, user.gid) if user.uid and user.gid is not None else None
    in_image = {path: imagefs.owner(holder, path) for path in declared} if options.hardened else {}
    chosen = restrictions(declared, options.arbitrary_uid, owner, in_image) if options.hardened else []
    # Podman's Docker-compatible API leaves Healthcheck out of the image's config, not out of a
    # container's: the holder container (created from the image) has it in both engines
    health = read_healthcheck(config) or read_healthcheck(holder.attrs.get("Config") or {})
    probed = health is not None and options.health_timeout > 0
    run_kwargs = {**base, "healthcheck": health.probe_every_second()} if probed else base
    health_watch = HealthWatch(waited_s=min(health.budget_s, options.health_timeout),
                               first_probe_s=PROBE_INTERVAL_S + health.timeout_s + 5.0) if probed else None
    try:
        watches = [Watch(session.create(image.id, "run", **run_kwargs), "run", owner_paths=options.writable_paths,
                         exec_once=health.command if health and options.run_healthcheck else None,
                         health=health_watch, accepted=tuple(options.accept_root_commands))]
        if chosen:
            watches.append(Watch(session.create(image.id, "hardened", **combine(base, chosen)), "hardened"))
    except APIError as error:
        reason = str(error.explanation or error)
        hint = " (the image has no CMD: give one, nonroot verify IMAGE -- CMD ...)" if "No command" in reason else ""
        report.checks.append(Check("runtime", UNKNOWN, f"container could not be created: {reason}{hint}"))
        watches = []
    bisection = None
    if chosen and watches:
        def probe(restriction):
            return Watch(session.create(image.id, "probe", **combine(base, [restriction])), "probe", read_procs=False)
        bisection = Bisection(probe, chosen, *watches)
    if watches:
        normal, *hardened = observe(watches, options.settle, options.samples, options.start_timeout,
                                    spawn=bisection.spawn if bisection else None,
                                    process_events=options.process_events, watcher=watcher)
        report.processes = normal.processes
        report.checks += _runtime_checks(normal, user, options) + contract_checks(contract, normal.processes)
    if health is not None:
        report.healthy_at = health_watch.healthy_at if health_watch is not None else None
        report.checks.append(healthcheck_check(health, user, normal.exec_run if watches else None, health_watch,
                                               _stopped_before_healthy(normal, health_watch) if watches else "",
                                               _last_logs(watches[0].container)
                                               if watches and report.healthy_at is None else []))
    elif watches:
        report.checks.append(no_healthcheck_check(normal.ran_s, normal.stayed_up))
    if scanning is not None:
        seen = normal if watches else Observation("run")
        report.checks += _filesystem_checks(scanning, seen, user, options,
                                            _root_policy(config, user, seen, health, options),
                                            report.accepted_root_commands)
    if bisection is not None:
        # Broke only at the end of the window (or both exited at once): the probes start now, if needed.
        observe(bisection.spawn(), options.settle, options.samples, options.start_timeout)
        check = hardened_check(normal, hardened[0], chosen, bisection.results())
        if check is not None:
            report.checks.append(check)


def _stopped_before_healthy(normal: Observation, health: HealthWatch | None) -> str:
    """How the container stopped (or failed to start) before its health check passed, or ""."""
    if health is not None and health.healthy_at is not None:
        return ""
    if normal.state == NOT_STARTED:
        return f"it did not start: {normal.stop_summary}"
    if normal.exited_at_once:
        return f"it exited at once: {normal.stop_summary}"
    if normal.state == EXITED:
        return f"it exited after {normal.ran_s:.1f} s: {normal.stop_summary}"
    return ""


def _last_logs(container, lines: int = 10) -> list[str]:
    """The container's last log lines, whole (the decisive ones are often the last)."""
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    try:
        return container.logs(tail=lines).decode("utf-8", "replace").strip().splitlines()
    except (DockerException, RequestException):
        return []


def verify_image(client, image_ref: str, options: VerifyOptions | None = None) -> Report:
    """Verify an image that is in the engine; every container it starts is removed, whatever happens."""
    from docker.errors import DockerException, ImageNotFound as SdkImageNotFound
    from requests.exceptions import RequestException

    options = options or VerifyOptions()
    try:
        image = client.images.get(image_ref)
    except SdkImageNotFound as error:
        raise ImageNotFound(f"image {image_ref} is not in the engine: build it first "
                            "(nonroot check DIR) or docker pull it") from error
    user = (image.attrs.get("Config") or {}).get("User") or ""
    report = Report(image=image_ref, image_id=image.id, config_user=user)
    try:
        with ContainerSession(client) as session:
            _verify(session, image, options, report)
    except RequestException as error:  # a timeout, or the engine went away: the containers are removed
        raise EngineUnavailable(f"the Docker engine stopped answering during verification ({type(error).__name__}); "
                                "check that it runs (docker info), then verify again") from error
    except DockerException as error:
        if "Connection" in type(error).__name__ or "connection" in str(error).lower():
            raise EngineUnavailable(f"lost the Docker engine during verification: {error}") from error
        raise
    return report
