"""The contract an image states in its labels (nonroot's generated images carry them):

  io.nonroot.user            "UID:GID" the image runs as (OpenShift images: "UID:0"; images
                             that start as root and drop: the UID:GID they drop to)
  io.nonroot.writable-paths  space-separated absolute paths the application writes ("" for none)

`nonroot verify` treats the writable paths as declared (mounted in the hardened run as volumes
would be, not reported as writable by the user) and fails when what runs is not the labelled UID.
Images without the labels are verified as before.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass

from .model import FAIL, PASS, SKIP, Check
from .procs import ProcessIds

USER_LABEL = "io.nonroot.user"
WRITABLE_LABEL = "io.nonroot.writable-paths"


@dataclass(frozen=True)
class Contract:
    labelled: bool = False
    user: str = ""                       # the label as written
    uid: int | None = None
    gid: int | None = None
    writable: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()       # labels that do not say what they must


def read_contract(config: dict) -> Contract:
    """The contract from an image config's Labels (an unlabelled image has none)."""
    labels = config.get("Labels") or {}
    if USER_LABEL not in labels and WRITABLE_LABEL not in labels:
        return Contract()
    problems = []
    user = labels.get(USER_LABEL)
    uid = gid = None
    if user is None:
        problems.append(f"{WRITABLE_LABEL} is set but {USER_LABEL} is missing")
    else:
        uid_text, sep, gid_text = user.partition(":")
        if sep and uid_text.isdigit() and gid_text.isdigit():
            uid, gid = int(uid_text), int(gid_text)
        else:
            problems.append(f"{USER_LABEL}={user!r} is not UID:GID (two numbers)")
    paths = tuple((labels.get(WRITABLE_LABEL) or "").split())
    bad = [p for p in paths if not p.startswith("/") or posixpath.normpath(p) != p]
    if bad:
        problems.append(f"{WRITABLE_LABEL} holds paths that are not absolute and normal: {', '.join(bad)}")
    return Contract(True, user or "", uid, gid, tuple(p for p in paths if p not in bad), tuple(problems))


def contract_checks(contract: Contract, processes: list[ProcessIds]) -> list[Check]:
    """Does what runs match the labels? Nothing to judge for an unlabelled image."""
    if not contract.labelled:
        return []
    name = "contract"
    stated = f"{USER_LABEL}={contract.user!r} {WRITABLE_LABEL}={' '.join(contract.writable)!r}"
    if contract.problems:
        return [Check(name, FAIL, "the image's labels do not state a usable contract: " + "; ".join(contract.problems),
                      [stated])]
    if not processes:
        return [Check(name, SKIP, f"not judged: no process was seen running ({stated})")]
    wrong = [p for p in processes if p.uids[0] != contract.uid or p.uids[1] != contract.uid]
    if wrong:
        return [Check(name, FAIL, f"the image's label says it runs as UID {contract.uid} ({USER_LABEL}="
                      f"{contract.user}), but " + "; ".join(p.describe() for p in wrong),
                      [stated] + [p.describe() for p in processes])]
    other_gid = [p for p in processes if p.gids[1] != contract.gid]
    summary = f"every process runs as UID {contract.uid}, as {USER_LABEL}={contract.user} states"
    if other_gid:
        summary += "; GID differs from the label for: " + "; ".join(p.describe() for p in other_gid)
    paths = ", ".join(contract.writable) or "none"
    return [Check(name, PASS, f"{summary}; writable paths from {WRITABLE_LABEL}: {paths} (declared writable, "
                  "mounted in the hardened run)", [stated])]
