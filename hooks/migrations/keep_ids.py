"""Unversioned migration, stage `after`: an update never changes a service's UID/GID
unless its owner asks (`copier update -d uid=...`/`--data-file`).

Why it is needed: when a recorded answer fails a validator of the new template version,
Copier drops it and, with `--defaults` (Renovate's command), silently takes the default.
A tighter range (an organisation's uid_min/uid_max from Copier settings, or a new rule)
would then move a running service to another UID, and its volumes' ownership with it.
This compares the IDs recorded before the update (the answers file in git's HEAD: Copier
refuses to update a dirty repository) with the IDs after it; if one changed without
being asked, it undoes the whole update (checkout of HEAD, new files removed) and exits 1
with what to do. The outcome is also written as data (nonroot.scaffold.outcome, status
`update-undone`) where NONROOT_OUTCOME_FILE says, for `nonroot fleet`.

Usage: keep_ids.py ANSWERS_FILE ASKED  (ASKED: the answers given with -d/--data-file,
comma-separated). Runs in the service folder with Copier's Python.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # hooks/: this checkout's nonroot package
from nonroot.scaffold import outcome  # noqa: E402

GUARDED = ("uid", "gid")


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def changed_ids(before: dict, after: dict, asked: set[str]) -> list[str]:
    """'uid 1000 -> 20000' for each guarded ID that changed without being asked."""
    return [f"{key} {before[key]} -> {after.get(key)}" for key in GUARDED
            if key in before and before[key] != after.get(key) and key not in asked]


def main(argv: list[str]) -> int:
    answers_file, asked = argv[0], {key for key in argv[1].split(",") if key}
    recorded = _git("show", f"HEAD:./{answers_file}")
    if recorded.returncode != 0:
        return 0  # not recorded in git before: nothing to compare with
    before = yaml.safe_load(recorded.stdout) or {}
    after = yaml.safe_load(Path(answers_file).read_text()) or {}
    changes = changed_ids(before, after, asked)
    if not changes:
        return 0
    _git("checkout", "HEAD", "--", ".")
    _git("clean", "-fdq", "--", ".")
    keep = " ".join(f"-d {key}={before[key]}" for key in GUARDED if key in before)
    update = f"copier update --trust --defaults --answers-file {answers_file}"
    reason = (f"update undone: it would have changed {', '.join(changes)} without being asked "
              "(the recorded answer no longer passes the new version's validators, so Copier took the "
              f"default); the service is as it was (committed). To keep the IDs, widen the range: {update} {keep} "
              f"-d uid_min=... -d uid_max=...; to change them on purpose: {update} -d uid=N -d gid=N")
    outcome.report(outcome.Outcome(outcome.UPDATE_UNDONE, reason))
    print(f"nonroot: {reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
