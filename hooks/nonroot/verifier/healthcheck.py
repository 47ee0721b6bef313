"""The image's HEALTHCHECK: the engine runs it inside the container every interval, as the
container's user (Config.User), so a check in an image without USER runs as root even when
the entrypoint drops for the main process. Read it from the config, judge who runs it, and
give the command that the watch window runs once (its processes are watched)."""
from __future__ import annotations

from dataclasses import dataclass

from .configuser import ConfigUser
from .model import FAIL, PASS, UNKNOWN, Check
from .runtime import ExecRun

NANOSECONDS = 1_000_000_000


@dataclass(frozen=True)
class HealthCheck:
    test: list[str]          # Config.Healthcheck.Test: ["CMD", ...] | ["CMD-SHELL", "..."]
    interval_s: float = 30.0

    @property
    def command(self) -> list[str]:
        """What the engine executes in the container (Linux: CMD-SHELL runs under /bin/sh -c)."""
        if self.test[0] == "CMD-SHELL":
            return ["/bin/sh", "-c", " ".join(self.test[1:])]
        return list(self.test[1:])

    @property
    def shown(self) -> str:
        return " ".join(self.command)


def read_healthcheck(config: dict) -> HealthCheck | None:
    """The image's health check, or None (none set, or HEALTHCHECK NONE)."""
    health = config.get("Healthcheck") or {}
    test = list(health.get("Test") or [])
    if not test or test[0] == "NONE" or (test[0] in ("CMD", "CMD-SHELL") and len(test) < 2):
        return None
    if test[0] not in ("CMD", "CMD-SHELL"):
        test = ["CMD-SHELL", " ".join(test)]
    interval = (health.get("Interval") or 0) / NANOSECONDS or 30.0
    return HealthCheck(test, interval)


def healthcheck_check(check: HealthCheck, user: ConfigUser, run: ExecRun | None) -> Check:
    """A check that runs as root fails; otherwise it passes, with what running it once showed."""
    evidence = [f"HEALTHCHECK: {check.shown} (every {check.interval_s:g} s, as the container's user)"]
    if run is not None:
        outcome = (f"exit code {run.exit_code}" if run.exit_code is not None
                   else f"did not finish in the window{': ' + run.error if run.error else ''}")
        evidence.append(f"run once at {run.at:.2f} s as the engine runs it: {outcome}"
                        + (f"; output: {run.output}" if run.output else ""))
    if not user.raw or user.uid == 0:
        who = "no USER" if not user.raw else f"USER {user.raw} is UID 0"
        return Check("health-check", FAIL, f"the health check runs as root: {who}, so the engine runs "
                     f"`{check.shown}` as root every {check.interval_s:g} s, whatever the entrypoint drops to; "
                     "give the image a non-root USER (the engine runs the check as that user), or remove the "
                     "HEALTHCHECK and let the orchestrator probe over the network", evidence)
    if user.uid is None:
        return Check("health-check", UNKNOWN, f"the health check runs as USER {user.raw}, which cannot be "
                     "resolved", evidence)
    return Check("health-check", PASS, f"runs as USER {user.raw} (UID {user.uid}); its processes were watched "
                 "(see runtime)" if run is not None else f"runs as USER {user.raw} (UID {user.uid})", evidence)
