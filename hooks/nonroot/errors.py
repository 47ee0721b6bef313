"""Errors a user can act on. Each message says what happened and what to do next."""
from __future__ import annotations

# Printed after Ctrl-C or SIGTERM, once every container and partial image is gone.
INTERRUPTED = "nonroot: interrupted; the verification container was removed and no partial image was left"


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
