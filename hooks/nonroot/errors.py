"""Errors a user can act on. Each message says what happened and what to do next."""
from __future__ import annotations

BUILDING, VERIFYING = "building", "verifying"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a stage (building or verifying IMAGE), raised once that
    stage cleaned up after itself: it says what was done."""

    def __init__(self, stage: str, image: str) -> None:
        super().__init__(stage)
        self.stage = stage
        self.image = image

    def done(self) -> str:
        if self.stage == BUILDING:
            return f"interrupted while building {self.image}: the build was stopped and no partial image was left"
        return f"interrupted while verifying {self.image}: the verification container was removed"


def interrupted_line(error: BaseException, left: str) -> str:
    """The one line printed after Ctrl-C or SIGTERM, once every container and partial image is
    gone: what was done, then LEFT (what is left to do)."""
    done = error.done() if isinstance(error, Interrupted) else "interrupted before anything was built or run"
    return f"nonroot: {done}; {left}"


class NonrootError(Exception):
    """Base class: the message is printed as is, on one line, without a traceback."""


class EngineUnavailable(NonrootError):
    """No Docker engine answered (not installed, not running, socket not permitted)."""


class BuildFailed(NonrootError):
    """`docker build` failed; carries the failing instruction and the log's tail."""

    def __init__(self, message: str, step: str = "", log_tail: list[str] | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.log_tail = log_tail or []


class ImageNotFound(NonrootError):
    """The image to verify is not in the engine."""
