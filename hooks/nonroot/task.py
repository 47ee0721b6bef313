"""The Copier post-generation task: build the generated service and prove it non-root.

Copier runs it in the destination folder. Outcomes:
- proven non-root: summary, exit 0;
- no engine (or no docker SDK): a warning that nothing was verified and how to
  verify later, exit 0, files kept;
- build failed, root found, or could not tell: the reason in one line plus the
  log tail. The exit status is non-zero unless that would make Copier delete the
  folder it just generated (plain `copier copy` without -C): then the files are
  kept, the failure is printed, and the exit status stays 0 (use `nonroot new`
  or `copier copy -C` to have both).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import INTERRUPTED, BuildFailed, EngineUnavailable, NonrootError

RED, YELLOW, GREEN, RESET = "\033[31m", "\033[33m", "\033[32m", "\033[0m"


def _say(color: str, text: str) -> None:
    if sys.stderr.isatty():
        text = f"{color}{text}{RESET}"
    print(text, file=sys.stderr)


def _fail(message: str, tail: list[str], keep_by_exit_zero: bool) -> int:
    _say(RED, f"nonroot: {message}")
    for line in tail:
        print(f"  | {line}", file=sys.stderr)
    print("nonroot: the generated files are in place; fix the cause, then run: nonroot check .",
          file=sys.stderr)
    if keep_by_exit_zero:
        _say(RED, "nonroot: NOT VERIFIED. Exit status left at 0 only so that Copier keeps the files it "
                  "just wrote; use `nonroot new` or `copier copy -C` for a failing exit status.")
        return 0
    return 1


QUIET_ENV = "NONROOT_QUIET"  # set by `nonroot new --quiet`: summaries only


def _warn_about_ids(directory: Path) -> None:
    """Warn (never refuse) when the answered uid/gid is one that commonly collides."""
    import yaml

    from .answers import collision_warnings
    from .project import ANSWERS_FILE

    try:
        answers = yaml.safe_load((directory / ANSWERS_FILE).read_text()) or {}
    except (OSError, yaml.YAMLError):
        return
    for line in collision_warnings(answers):
        _say(YELLOW, line)


# During `copier update`, Copier also renders the old and the new template version into
# temporary folders with these prefixes, and runs the tasks there too.
REPLAY_PREFIXES = ("copier._main.old_copy.", "copier._main.new_copy.", "copier.main.old_copy.",
                   "copier.main.new_copy.")
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")


def is_replay(directory: Path) -> bool:
    """True in Copier's temporary replays of an update, where nothing must be built."""
    return any(part.startswith(REPLAY_PREFIXES) for part in directory.resolve().parts)


def conflicted_files(directory: Path) -> list[str]:
    """Files with inline conflict markers or .rej files left by an update."""
    found: list[str] = []
    for path in sorted(directory.rglob("*")):
        if ".git" in path.parts or not path.is_file():
            continue
        if path.suffix == ".rej":
            found.append(str(path.relative_to(directory)))
            continue
        try:
            lines = path.read_text(errors="ignore").splitlines()
        except OSError:
            continue
        if any(line.startswith(CONFLICT_MARKERS) for line in lines):
            found.append(str(path.relative_to(directory)))
    return found


def run(directory: Path, operation: str, copier_cleanup: bool, quiet: bool = False) -> int:
    from .engine import connect
    from .pipeline import check_directory
    from .progress import Progress, choose_mode
    from .report import to_text

    if operation == "update" and is_replay(directory):
        return 0
    conflicts = conflicted_files(directory)
    if conflicts:
        _say(RED, f"nonroot: not building: update conflicts in {', '.join(conflicts)}; resolve them, "
                  "then run: nonroot check .")
        return 1
    _warn_about_ids(directory)
    keep_by_exit_zero = operation == "copy" and copier_cleanup
    try:
        client = connect()
    except EngineUnavailable as error:
        _say(YELLOW, f"nonroot: WARNING: image not built or verified: {error}.")
        print("nonroot: the generated files are in place; once an engine runs: nonroot check .",
              file=sys.stderr)
        return 0
    progress = Progress(stream=sys.stderr, mode=choose_mode(sys.stderr, quiet))
    try:
        result = check_directory(client, directory, progress=progress)
    except BuildFailed as error:
        return _fail(str(error), error.log_tail, keep_by_exit_zero)
    except NonrootError as error:
        return _fail(str(error), [], keep_by_exit_zero)
    report = result.report
    if not quiet or report.exit_code != 0:
        print(to_text(report, result.expectations.user_label()), file=sys.stderr)
    if report.exit_code == 0:
        passed = sum(c.verdict == "pass" for c in report.checks)
        _say(GREEN, f"nonroot: image {result.build.tag}, user {result.expectations.user_label()}: "
                    f"{passed} checks passed, no process runs as root.")
        return 0
    reasons = "; ".join(f"{c.name}: {c.summary}" for c in report.failures())
    return _fail(f"verification of {result.build.tag} failed: {reasons}", [], keep_by_exit_zero)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nonroot-task")
    parser.add_argument("--operation", default="copy")
    parser.add_argument("--copier-cleanup", default="True")
    args = parser.parse_args(argv)
    try:
        return run(Path.cwd(), args.operation, args.copier_cleanup.lower() == "true",
                   quiet=os.environ.get(QUIET_ENV) == "1")
    except KeyboardInterrupt:
        print(f"{INTERRUPTED}; the generated files are in place: nonroot check .", file=sys.stderr)
        return 130
