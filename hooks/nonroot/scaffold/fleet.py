"""`nonroot fleet update PATH...`: run Renovate's `copier update` over many service
repositories, one after another, and say per repository what happened.

Each repository gets exactly the command Renovate's copier manager runs, from the
answers file's folder:

    copier update --skip-answered --defaults [--trust] --answers-file F [--vcs-ref REF]

so the template's after-update migration refuses conflicts, then builds and verifies
the merged service once. A repository's failure never stops the run; the exit status
is 1 if any repository needs a person (conflicts, failed verification, error).

What happened in a repository is read as data: the files git and the markers leave in
conflict, and the outcome the template's task or keep_ids migration writes where
NONROOT_OUTCOME_FILE says (nonroot.scaffold.outcome). Their messages are for people and never parsed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from . import outcome as task_outcome
from .conflicts import conflicted_files
from .project import ANSWERS_FILE

UPDATED = "updated"
CURRENT = "already current"
CONFLICTS = "conflicts"
FAILED_VERIFICATION = "failed verification"
ERROR = "error"
NEEDS_A_PERSON = (CONFLICTS, FAILED_VERIFICATION, ERROR)
DETAIL_WIDTH = 160  # the report's last column; RepoResult.detail keeps the whole reason


@dataclass(frozen=True)
class RepoResult:
    """What `fleet update` did to one repository."""

    path: Path
    outcome: str
    detail: str = ""
    version_from: str = ""
    version_to: str = ""
    seconds: float = 0.0

    @property
    def needs_a_person(self) -> bool:
        return self.outcome in NEEDS_A_PERSON


@dataclass(frozen=True)
class FleetOptions:
    vcs_ref: str | None = None
    trust: bool = False
    answers_file: str = ANSWERS_FILE
    jobs: int = 1


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
                          env=env)


def _template_commit(repo: Path, answers_file: str) -> str:
    answers = yaml.safe_load((repo / answers_file).read_text()) or {}
    return str(answers.get("_commit", ""))


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _precheck(repo: Path, options: FleetOptions) -> str:
    """Why REPO cannot be updated, or ''."""
    if not (repo / options.answers_file).is_file():
        return f"no {options.answers_file}: not made by this template, or another answers file"
    status = _run(["git", "status", "--porcelain"], repo)
    if status.returncode != 0:
        return f"not a git repository ({_last_line(status.stderr)})"
    if status.stdout.strip():
        changed = ", ".join(line[3:] for line in status.stdout.splitlines()[:5])
        return f"working tree not clean ({changed}); commit or stash, then run again"
    return ""


def _update_available(repo: Path, options: FleetOptions) -> bool:
    """Whether REPO is behind --vcs-ref, or behind the latest tag as `copier check-update` sees it."""
    if options.vcs_ref:
        return _template_commit(repo, options.answers_file) != options.vcs_ref
    check = _run([sys.executable, "-m", "copier", "check-update", "--output-format", "json",
                  "--answers-file", options.answers_file], repo)
    if check.returncode != 0:
        raise RuntimeError(f"copier check-update failed: {_last_line(check.stderr)}")
    return bool(json.loads(check.stdout)["update_available"])


def classify(returncode: int, outcome: task_outcome.Outcome | None, conflicts: list[str],
             stderr: str = "") -> tuple[str, str]:
    """(result, what next) of one `copier update`, from its exit status, the outcome the task or
    a migration reported, and the files it left in conflict. STDERR is only quoted, for an
    error nothing else explains."""
    if conflicts:
        return CONFLICTS, f"resolve {', '.join(conflicts)}, then: nonroot check ."
    status = outcome.status if outcome else None
    if status == task_outcome.CONFLICTS:  # markers git does not see, e.g. outside the repository's index
        return CONFLICTS, f"resolve {', '.join(outcome.files)}, then: nonroot check ."
    if status == task_outcome.UPDATE_UNDONE:
        return ERROR, outcome.reason
    if status in (task_outcome.BUILD_FAILED, task_outcome.VERIFICATION_FAILED):
        return FAILED_VERIFICATION, outcome.reason
    if status == task_outcome.INTERRUPTED:
        return ERROR, "interrupted before the verification ended"
    if returncode != 0:
        return ERROR, f"copier update exit {returncode}: {_last_line(stderr)}"
    if status == task_outcome.VERIFIED:
        return UPDATED, "built and verified; review and commit"
    if status == task_outcome.NOT_VERIFIED:
        return UPDATED, "NOT verified (no engine); review, run nonroot check ., commit"
    return UPDATED, "not verified (verify: false); review and commit"


def update_repo(repo: Path, options: FleetOptions) -> RepoResult:
    """Update one repository; never raises for the repository's own problems."""
    start = time.monotonic()

    def result(outcome: str, detail: str = "", version_from: str = "", version_to: str = "") -> RepoResult:
        return RepoResult(repo, outcome, detail, version_from, version_to, round(time.monotonic() - start, 2))

    try:
        refusal = _precheck(repo, options)
        if refusal:
            return result(ERROR, refusal)
        version_from = _template_commit(repo, options.answers_file)
        if not _update_available(repo, options):
            return result(CURRENT, "", version_from, version_from)
        command = [sys.executable, "-m", "copier", "update", "--skip-answered", "--defaults",
                   *(["--trust"] if options.trust else []), "--answers-file", options.answers_file,
                   *(["--vcs-ref", options.vcs_ref] if options.vcs_ref else [])]
        with tempfile.TemporaryDirectory(prefix="nonroot-fleet-") as scratch:
            outcome_file = Path(scratch) / "outcome.json"
            update = _run(command, repo, env={**os.environ, task_outcome.OUTCOME_ENV: str(outcome_file)})
            reported = task_outcome.read(outcome_file)
        version_to = _template_commit(repo, options.answers_file)  # unchanged if Copier stopped early
        outcome, detail = classify(update.returncode, reported, conflicted_files(repo), update.stderr)
        return result(outcome, detail, version_from, version_to)
    except (OSError, ValueError, RuntimeError, yaml.YAMLError, KeyError) as error:
        return result(ERROR, str(error))


def update_fleet(repos: list[Path], options: FleetOptions,
                 on_result: Callable[[RepoResult], None] | None = None) -> list[RepoResult]:
    """Update every repository (JOBS at a time); results in the order given."""
    def one(repo: Path) -> RepoResult:
        done = update_repo(repo, options)
        if on_result is not None:
            on_result(done)
        return done

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        return list(pool.map(one, repos))


def to_table(results: list[RepoResult]) -> str:
    """The report: one row per repository, then the counts."""
    rows = [("repository", "result", "version", "seconds", "what next")]
    for item in results:
        version = f"{item.version_from} -> {item.version_to}" if item.version_to != item.version_from \
            else item.version_from
        detail = item.detail if len(item.detail) <= DETAIL_WIDTH else item.detail[:DETAIL_WIDTH - 3] + "..."
        rows.append((str(item.path), item.outcome, version, f"{item.seconds:.1f}", detail))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4]
             for row in rows]
    counts = {outcome: sum(r.outcome == outcome for r in results)
              for outcome in (UPDATED, CURRENT, CONFLICTS, FAILED_VERIFICATION, ERROR)}
    needing = sum(r.needs_a_person for r in results)
    lines.append(", ".join(f"{n} {outcome}" for outcome, n in counts.items()) +
                 f"; {needing} of {len(results)} need a person")
    return "\n".join(line.rstrip() for line in lines)


def exit_code(results: list[RepoResult]) -> int:
    return 1 if any(r.needs_a_person for r in results) else 0
