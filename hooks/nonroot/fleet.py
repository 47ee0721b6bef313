"""`nonroot fleet update PATH...`: run Renovate's `copier update` over many service
repositories, one after another, and say per repository what happened.

Each repository gets exactly the command Renovate's copier manager runs, from the
answers file's folder:

    copier update --skip-answered --defaults [--trust] --answers-file F [--vcs-ref REF]

so the template's after-update migration refuses conflicts, then builds and verifies
the merged service once. A repository's failure never stops the run; the exit status
is 1 if any repository needs a person (conflicts, failed verification, error).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from .conflicts import conflicted_files
from .project import ANSWERS_FILE

UPDATED = "updated"
CURRENT = "already current"
CONFLICTS = "conflicts"
FAILED_VERIFICATION = "failed verification"
ERROR = "error"
NEEDS_A_PERSON = (CONFLICTS, FAILED_VERIFICATION, ERROR)
# What the template's task prints right after the reason of a failed build or verification,
# and what its keep_ids migration prints when it undoes an update.
AFTER_FAILURE = "nonroot: the generated files are in place; fix the cause"
UNDONE = "nonroot: update undone: "
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


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)


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


def _failure_reason(stderr: str) -> str:
    """The task's one-line reason for a failed build or verification (the line before its
    advice, above the log tail), or ''."""
    lines = stderr.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(AFTER_FAILURE):
            before = [text for text in lines[:index] if not text.startswith("  | ")]
            return before[-1].removeprefix("nonroot: ") if before else ""
    return ""


def _undone(stderr: str) -> str:
    return next((line.removeprefix("nonroot: ") for line in stderr.splitlines() if line.startswith(UNDONE)), "")


def _what_next(stderr: str) -> str:
    if "no process runs as root" in stderr:
        return "built and verified; review and commit"
    if "image not built or verified" in stderr:
        return "NOT verified (no engine); review, run nonroot check ., commit"
    return "not verified (verify: false); review and commit"


def classify(returncode: int, stderr: str, conflicts: list[str]) -> tuple[str, str]:
    """(outcome, what next) of one `copier update`, from its exit status, its output and the
    files it left in conflict."""
    if conflicts:
        return CONFLICTS, f"resolve {', '.join(conflicts)}, then: nonroot check ."
    if returncode == 0:
        return UPDATED, _what_next(stderr)
    if _undone(stderr):
        return ERROR, _undone(stderr)
    reason = _failure_reason(stderr)
    if reason:
        return FAILED_VERIFICATION, reason
    return ERROR, f"copier update exit {returncode}: {_last_line(stderr)}"


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
        update = _run(command, repo)
        version_to = _template_commit(repo, options.answers_file)  # unchanged if Copier stopped early
        outcome, detail = classify(update.returncode, update.stderr, conflicted_files(repo))
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
