"""The image's HEALTHCHECK: whether the service works, and who the engine runs the check as.

The engine runs the check inside the container every interval, as the container's user
(Config.User), so a check in an image without USER runs as root even when the entrypoint
drops for the main process. Read it from the config; probe it in the watched container
every PROBE_INTERVAL_S (the image's timeout and start period kept, its retries scaled so
that the engine calls it unhealthy no sooner than the image's own settings would), so that
a working service is healthy within a second or two and a broken one is still given the
time the image asks for; judge the engine's own health status and who ran the check; and
give the command that the watch window runs once (its processes are watched)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .configuser import ConfigUser
from .model import BROKEN, FAIL, PASS, SKIP, UNKNOWN, Check
from .runtime import ExecRun

NANOSECONDS = 1_000_000_000
PROBE_INTERVAL_S = 1.0
DEFAULTS = {"Interval": 30.0, "Timeout": 30.0, "StartPeriod": 0.0}   # the engine's, when the image gives none
DEFAULT_RETRIES = 3
HEALTHY, UNHEALTHY, STARTING = "healthy", "unhealthy", "starting"


@dataclass(frozen=True)
class HealthCheck:
    test: list[str]          # Config.Healthcheck.Test: ["CMD", ...] | ["CMD-SHELL", "..."]
    interval_s: float = 30.0
    timeout_s: float = 30.0
    start_period_s: float = 0.0
    retries: int = DEFAULT_RETRIES

    @property
    def command(self) -> list[str]:
        """What the engine executes in the container (Linux: CMD-SHELL runs under /bin/sh -c)."""
        if self.test[0] == "CMD-SHELL":
            return ["/bin/sh", "-c", " ".join(self.test[1:])]
        return list(self.test[1:])

    @property
    def shown(self) -> str:
        return " ".join(self.command)

    @property
    def probe_retries(self) -> int:
        """Failed probes, one every PROBE_INTERVAL_S, before the engine says unhealthy: as many as
        fit in the image's interval x retries."""
        return max(self.retries, math.ceil(self.interval_s * self.retries / PROBE_INTERVAL_S))

    @property
    def budget_s(self) -> float:
        """The longest the engine can take to say healthy or unhealthy with `probe_every_second`:
        the start period, then every probe taking its timeout (the engine starts the next probe
        an interval after the last one ended)."""
        return self.start_period_s + (PROBE_INTERVAL_S + self.timeout_s) * self.probe_retries

    def probe_every_second(self) -> dict:
        """The `healthcheck` of the watched container (docker create): the image's check, probed
        every PROBE_INTERVAL_S, with its timeout and start period."""
        return {"test": list(self.test), "interval": int(PROBE_INTERVAL_S * NANOSECONDS),
                "timeout": int(self.timeout_s * NANOSECONDS), "retries": self.probe_retries,
                "start_period": int(self.start_period_s * NANOSECONDS)}


def _seconds(health: dict, key: str) -> float:
    return (health.get(key) or 0) / NANOSECONDS or DEFAULTS[key]


def read_healthcheck(config: dict) -> HealthCheck | None:
    """The image's health check, or None (none set, or HEALTHCHECK NONE)."""
    health = config.get("Healthcheck") or {}
    test = list(health.get("Test") or [])
    if not test or test[0] == "NONE" or (test[0] in ("CMD", "CMD-SHELL") and len(test) < 2):
        return None
    if test[0] not in ("CMD", "CMD-SHELL"):
        test = ["CMD-SHELL", " ".join(test)]
    return HealthCheck(test, _seconds(health, "Interval"), _seconds(health, "Timeout"),
                       (health.get("StartPeriod") or 0) / NANOSECONDS, int(health.get("Retries") or DEFAULT_RETRIES))


@dataclass
class HealthWatch:
    """What the engine said of the container's health while it was watched."""

    status: str = ""               # healthy | unhealthy | starting; "" when the engine reports none
    at: float | None = None        # seconds after the start when it was last read
    healthy_at: float | None = None
    probes: list[dict] = field(default_factory=list)   # the engine's last probes: ExitCode, Output
    waited_s: float = 0.0          # the longest it was allowed to take
    first_probe_s: float = 30.0    # by then the engine has logged a probe, if it runs them at all
    gave_up: bool = False          # still starting when the wait ended

    def note(self, state: dict, at: float) -> None:
        """Read State.Health from a container's attributes."""
        health = state.get("Health") or {}
        if not health or (not health.get("Log") and self.status == "" and self.at is not None):
            return   # none reported, or an engine found not to run its probes (see Watch.waiting_for_health)
        self.status = health.get("Status") or ""
        self.at = at
        self.probes = list(health.get("Log") or [])[-5:]
        if self.status == HEALTHY and self.healthy_at is None:
            self.healthy_at = at

    @property
    def settled(self) -> bool:
        return self.status in (HEALTHY, UNHEALTHY)

    def last_output(self) -> str:
        if not self.probes:
            return "no probe had finished"
        last = self.probes[-1]
        lines = [line.strip() for line in (last.get("Output") or "").splitlines() if line.strip()]
        output = " | ".join(lines[-2:])   # the decisive lines are the last ones (an error after its traceback)
        return f"exit code {last.get('ExitCode')}" + (f", output: {output}" if output else ", no output")


def _who(user: ConfigUser) -> str:
    if not user.raw:
        return "root (no USER)"
    if user.uid == 0:
        return f"root (USER {user.raw} is UID 0)"
    if user.uid is None:
        return f"USER {user.raw} (cannot be resolved)"
    return f"USER {user.raw} (UID {user.uid})"


def healthcheck_check(check: HealthCheck, user: ConfigUser, run: ExecRun | None,
                      health: HealthWatch | None = None, stopped: str = "", logs: list[str] | None = None) -> Check:
    """Whether the check passed (the engine's health status), and as whom it ran: a check that
    runs as root fails; one that did not pass means the service does not work.
    `stopped`: how the container stopped before it was healthy; `logs`: its last log lines."""
    evidence = [f"HEALTHCHECK: {check.shown} (every {check.interval_s:g} s, start period {check.start_period_s:g} s, "
                f"{check.retries} retries; as the container's user: {_who(user)})"]
    if health is not None:
        evidence.append(f"probed every {PROBE_INTERVAL_S:g} s in the watched container (the wait bounded by "
                        f"{health.waited_s:g} s); the engine's health status"
                        + (f", last read at {health.at:.2f} s" if health.at is not None else "")
                        + f": {health.status or 'not reported'}")
        evidence += [f"probe: exit code {p.get('ExitCode')}: {(p.get('Output') or '').strip()[-300:]}"
                     for p in health.probes]
    if run is not None:
        outcome = (f"exit code {run.exit_code}" if run.exit_code is not None
                   else f"did not finish in the window{': ' + run.error if run.error else ''}")
        evidence.append(f"run once at {run.at:.2f} s as the engine runs it: {outcome}"
                        + (f"; output: {run.output}" if run.output else ""))
    evidence += [f"log: {line}" for line in logs or []]
    passed = _passed(health, run)
    if not user.raw or user.uid == 0:
        who = "no USER" if not user.raw else f"USER {user.raw} is UID 0"
        return Check("health-check", FAIL, f"the health check runs as root: {who}, so the engine runs "
                     f"`{check.shown}` as root every {check.interval_s:g} s, whatever the entrypoint drops to; "
                     "give the image a non-root USER (the engine runs the check as that user), or remove the "
                     f"HEALTHCHECK and let the orchestrator probe over the network ({passed})", evidence)
    broken = _broken(health, stopped, logs)
    if broken:
        return Check("health-check", BROKEN, f"not proven: the service does not work: {broken}", evidence)
    if user.uid is None:
        return Check("health-check", UNKNOWN, f"the health check runs as USER {user.raw}, which cannot be "
                     f"resolved ({passed})", evidence)
    if health is not None and health.gave_up:
        return Check("health-check", UNKNOWN, f"still starting after {health.waited_s:g} s: the health check had "
                     f"not passed (last probe: {health.last_output()}); if it starts slower, give it longer "
                     "(--health-timeout SECONDS)", evidence)
    return Check("health-check", PASS, f"{passed}; runs as {_who(user)}"
                 + ("; its processes were watched (see runtime)" if run is not None else ""), evidence)


def _passed(health: HealthWatch | None, run: ExecRun | None) -> str:
    if health is not None and health.healthy_at is not None:
        return f"the check passed: healthy at {health.healthy_at:.2f} s"
    if health is not None and health.status:
        return f"the check had not passed: {health.status} (last probe: {health.last_output()})"
    if run is not None and run.exit_code is not None:
        # no health status (not waited for, or Podman without its health timers): the run once decides
        return ("the check passed when run once in the window (exit code 0)"
                if run.exit_code == 0 else f"the check failed when run once in the window (exit code {run.exit_code})")
    return "whether the check passes was not seen"


def _broken(health: HealthWatch | None, stopped: str, logs: list[str] | None) -> str:
    """Why the service does not work, or "" (it became healthy, or is not known not to)."""
    if health is not None and health.healthy_at is not None:
        return ""
    if stopped:
        return f"it stopped before its health check passed ({stopped})"
    tail = f"; its last log lines: {' | '.join(logs[-5:])}" if logs else ""
    if health is not None and health.status == UNHEALTHY:
        return f"its health check failed, the engine says unhealthy (last probe: {health.last_output()}){tail}"
    return ""


def no_healthcheck_check(ran_s: float, stayed_up: bool) -> Check:
    """Without a HEALTHCHECK: how long it ran, and that nothing checked that it works."""
    how = f"it ran {ran_s:.1f} s and stayed up" if stayed_up else f"it ran {ran_s:.1f} s"
    return Check("health-check", SKIP, f"no HEALTHCHECK: {how}; nothing checked that it works (add a "
                 "HEALTHCHECK, or probe it yourself)")
