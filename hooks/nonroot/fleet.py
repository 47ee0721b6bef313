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

import yaml

from .conflicts import conflicted_files
from .project import ANSWERS_FILE

UPDATED = "updated"
CURRENT = "already current"
CONFLICTS = "conflicts"
FAILED_VERIFICATION = "failed verification"
ERROR = "error"
NEEDS_A_PERSON = (CONFLICTS, FAILED_VERIFICATION, ERROR)
# Lines of the template's task that are advice, not the reason of a failure.
ADVICE = ("generated files are in place", "run once Copier has merged", "NOT VERIFIED")


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


def _latest_if_newer(repo: Path, options: FleetOptions) -> tuple[bool, str]:
    """(an update is available, the version it goes to), as `copier check-update` sees it."""
    if options.vcs_ref:
        return _template_commit(repo, options.answers_file) != options.vcs_ref, options.vcs_ref
    check = _run([sys.executable, "-m", "copier", "check-update", "--output-format", "json",
                  "--answers-file", options.answers_file], repo)
    if check.returncode != 0:
        raise RuntimeError(f"copier check-update failed: {_last_line(check.stderr)}")
    found = json.loads(check.stdout)
    return bool(found["update_available"]), str(found.get("latest_version") or "")


def _failure_reason(stderr: str) -> str:
    """The template task's one-line reason for a failed build or verification, if it gave one."""
    for line in reversed(stderr.splitlines()):
        text = line.strip()
        if text.startswith("nonroot: ") and not any(advice in text for advice in ADVICE):
            return text.removeprefix("nonroot: ")
    return ""


def _what_next(stderr: str) -> str:
    if "no process runs as root" in stderr:
        return "built and verified; review and commit"
    if "image not built or verified" in stderr:
        return "NOT verified (no engine); review, run nonroot check ., commit"
    return "not verified (verify: false); review and commit"


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
        available, version_to = _latest_if_newer(repo, options)
        if not available:
            return result(CURRENT, "", version_from, version_from)
        command = [sys.executable, "-m", "copier", "update", "--skip-answered", "--defaults",
                   *(["--trust"] if options.trust else []), "--answers-file", options.answers_file,
                   *(["--vcs-ref", options.vcs_ref] if options.vcs_ref else [])]
        update = _run(command, repo)
        version_to = _template_commit(repo, options.answers_file) if update.returncode == 0 else version_to
        conflicts = conflicted_files(repo)
        if conflicts:
            return result(CONFLICTS, f"resolve {', '.join(conflicts)}, then: nonroot check .",
                          version_from, version_to)
        if update.returncode != 0:
            reason = _failure_reason(update.stderr)
            if reason:
                return result(FAILED_VERIFICATION, reason, version_from, version_to)
            return result(ERROR, f"copier update exit {update.returncode}: {_last_line(update.stderr)}",
                          version_from, version_to)
        return result(UPDATED, _what_next(update.stderr), version_from, version_to)
    except (OSError, ValueError, RuntimeError, yaml.YAMLError, KeyError) as error:
        return result(ERROR, str(error))


def update_fleet(repos: list[Path], options: FleetOptions,
                 on_result=None) -> list[RepoResult]:
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
        rows.append((str(item.path), item.outcome, version, f"{item.seconds:.1f}", item.detail))
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
