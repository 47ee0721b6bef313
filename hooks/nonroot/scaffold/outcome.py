"""What the template's task and its migrations report to the process that ran Copier, as data.

`nonroot fleet` (or any caller) sets NONROOT_OUTCOME_FILE to a path before it runs `copier
copy`/`copier update`; the task (hooks/run_task.py) and the keep_ids migration then write their
outcome there as one small JSON object:

    {"status": "verified", "reason": "", "tag": "svc:dev", "files": []}

Messages for people stay on stderr and may be reworded freely: no caller reads them. Without
the variable nothing is written. Standard library only: the migrations import it with Copier's
Python, where nonroot's dependencies may be missing.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

OUTCOME_ENV = "NONROOT_OUTCOME_FILE"

# status: what happened
VERIFIED = "verified"                    # built, and proven non-root
NOT_VERIFIED = "not-verified"            # no engine (or no docker SDK): files kept, nothing proven
BUILD_FAILED = "build-failed"            # the image did not build (reason: the failing step)
VERIFICATION_FAILED = "verification-failed"  # built, but root found or could not tell
CONFLICTS = "conflicts"                  # update conflicts left in the files: not built
UPDATE_UNDONE = "update-undone"          # keep_ids undid an update that changed uid/gid unasked
INTERRUPTED = "interrupted"              # Ctrl-C/SIGTERM: nothing left behind, nothing proven
STATUSES = (VERIFIED, NOT_VERIFIED, BUILD_FAILED, VERIFICATION_FAILED, CONFLICTS, UPDATE_UNDONE, INTERRUPTED)


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""         # one line for a person (the same text the task prints)
    tag: str = ""            # the image built, if any
    files: list[str] = field(default_factory=list)  # the files in conflict, for CONFLICTS

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown outcome status {self.status!r}; one of {', '.join(STATUSES)}")


def report(outcome: Outcome, environ: dict[str, str] | None = None) -> None:
    """Write OUTCOME where NONROOT_OUTCOME_FILE says (nothing if it is unset)."""
    path = (os.environ if environ is None else environ).get(OUTCOME_ENV)
    if path:
        Path(path).write_text(json.dumps(asdict(outcome)) + "\n")


def read(path: Path) -> Outcome | None:
    """The outcome written at PATH, or None if nothing was written there."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise ValueError(f"unreadable outcome file {path}: {error}") from error
    return Outcome(status=data["status"], reason=data.get("reason", ""), tag=data.get("tag", ""),
                   files=list(data.get("files", [])))
