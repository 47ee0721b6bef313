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
- interrupted (Ctrl-C, SIGTERM): no container or partial image is left (the work runs in a
  detached worker that Copier cannot kill before it has cleaned up), exit 130.
Each outcome is also written as data (nonroot.scaffold.outcome) where NONROOT_OUTCOME_FILE says:
callers such as `nonroot fleet` read that, never the messages.

Copier runs it as a `_task` on `copier copy` only (copier.yml: `_copier_operation == 'copy'`).
For `copier update`, copier.yml's unversioned `after` migration runs it with
`--operation=update` once Copier has merged the local edits back: it refuses to build while a
file holds conflict markers, a .rej file exists or git records an unmerged path, and
otherwise builds and verifies the merged service once.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import outcome
from .conflicts import conflicted_files
from ..errors import BuildFailed, EngineUnavailable, NonrootError, interrupted_line
from ..verifier.model import EXIT_NOT_WORKING

RED, YELLOW, GREEN, RESET = "\033[31m", "\033[33m", "\033[32m", "\033[0m"


def _say(color: str, text: str) -> None:
    if sys.stderr.isatty():
        text = f"{color}{text}{RESET}"
    print(text, file=sys.stderr)


def check_command(directory: Path, folder: str | None = None) -> str:
    """`nonroot check FOLDER` for the service folder, as its user can type it. Copier runs the
    task inside the folder, wherever the user is: FOLDER is the destination as the user gave it
    to Copier or `nonroot new` (copier.yml passes `--folder`), else (a template from before
    `--folder`) the folder relative to the user's shell when it is inside it, else its absolute path."""
    import shlex

    if not folder:
        resolved = directory.resolve()
        shell = Path(os.environ.get("PWD") or "/nonexistent").resolve()
        folder = str(resolved.relative_to(shell)) if resolved.is_relative_to(shell) else str(resolved)
    return f"nonroot check {shlex.quote(folder)}"


def _fail(status: str, message: str, tail: list[str], keep_by_exit_zero: bool, check: str,
          tag: str = "") -> int:
    outcome.report(outcome.Outcome(status, message, tag))
    _say(RED, f"nonroot: {message}")
    for line in tail:
        print(f"  | {line}", file=sys.stderr)
    print(f"nonroot: the generated files are in place; fix the cause, then run: {check}", file=sys.stderr)
    if keep_by_exit_zero:
        _say(RED, "nonroot: NOT VERIFIED. Exit status left at 0 only so that Copier keeps the files it "
                  "just wrote; use `nonroot new` or `copier copy -C` for a failing exit status.")
        return 0
    return 1


QUIET_ENV = "NONROOT_QUIET"  # summaries only, for a run of the task by hand (Copier passes --quiet)


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


def run(directory: Path, operation: str, copier_cleanup: bool, quiet: bool = False, folder: str | None = None) -> int:
    """Build and verify DIRECTORY once; OPERATION is `copy` (the post-copy task) or `update`
    (the after-merge migration); FOLDER: DIRECTORY as the user named it."""
    from ..engine import connect
    from .pipeline import check_directory
    from .progress import Progress, choose_mode
    from ..verifier.report import to_text

    check = check_command(directory, folder)
    conflicts = conflicted_files(directory)
    if conflicts:
        outcome.report(outcome.Outcome(outcome.CONFLICTS, f"update conflicts in {', '.join(conflicts)}",
                                       files=conflicts))
        _say(RED, f"nonroot: not building: update conflicts in {', '.join(conflicts)}; resolve them, "
                  f"then run: {check}")
        return 1
    _warn_about_ids(directory)
    keep_by_exit_zero = operation == "copy" and copier_cleanup
    try:
        client = connect()
    except EngineUnavailable as error:
        outcome.report(outcome.Outcome(outcome.NOT_VERIFIED, str(error)))
        _say(YELLOW, f"nonroot: WARNING: image not built or verified: {error}.")
        print(f"nonroot: the generated files are in place; once an engine runs: {check}",
              file=sys.stderr)
        return 0
    progress = Progress(stream=sys.stderr, mode=choose_mode(sys.stderr, quiet))
    try:
        result = check_directory(client, directory, progress=progress)
    except BuildFailed as error:
        return _fail(outcome.BUILD_FAILED, str(error), error.log_tail, keep_by_exit_zero, check)
    except NonrootError as error:
        return _fail(outcome.VERIFICATION_FAILED, str(error), [], keep_by_exit_zero, check)
    report = result.report
    if not quiet or report.exit_code != 0:
        print(to_text(report, result.expectations.user_label()), file=sys.stderr)
    if report.exit_code == 0:
        outcome.report(outcome.Outcome(outcome.VERIFIED, tag=result.build.tag))
        passed = sum(c.verdict == "pass" for c in report.checks)
        works = f" healthy at {report.healthy_at:.1f} s;" if report.healthy_at is not None else ""
        accepted = report.accepted_root_commands
        root = (f"root only in the accepted root commands: {', '.join(accepted)}" if accepted
                else "no process runs as root")
        _say(GREEN, f"nonroot: image {result.build.tag}, user {result.expectations.user_label()}: "
                    f"{passed} checks passed;{works} {root}.")
        return 0
    reasons = "; ".join(f"{c.name}: {c.summary}" for c in report.failures())
    if report.exit_code == EXIT_NOT_WORKING:
        path = result.expectations.health_path
        answer = (f"the app does not answer its health path {path} (answer health_path): serve 200 there, or "
                  "change health_path to the path it serves (\"\" for none)" if path else
                  "the service does not work")
        return _fail(outcome.VERIFICATION_FAILED, f"{result.build.tag} is not proven: {answer}; {reasons}", [],
                     keep_by_exit_zero, check, tag=result.build.tag)
    return _fail(outcome.VERIFICATION_FAILED, f"verification of {result.build.tag} failed: {reasons}", [],
                 keep_by_exit_zero, check, tag=result.build.tag)


# Copier runs the task with subprocess.run, which on Ctrl-C gives it 0.25 s and then kills
# it: too short to remove containers. So the task does its work in a worker in a session of
# its own (out of reach of both), forwards Ctrl-C/SIGTERM to it, and the worker also stops
# by itself if the task disappears.
WORKER_ENV = "NONROOT_TASK_WORKER"


def _supervise(argv: list[str]) -> int | None:
    """Run this task again as a detached worker; pass interrupts on; return its status
    (None if no worker could be started: then the task does the work itself)."""
    import signal
    import subprocess

    script = Path(__file__).resolve().parents[2] / "run_task.py"
    try:
        worker = subprocess.Popen([sys.executable, str(script), *argv], start_new_session=True,
                                  env={**os.environ, WORKER_ENV: str(os.getpid())})
    except OSError:
        return None

    def forward(signum: int, _frame: object) -> None:
        worker.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    status = worker.wait()
    return 128 - status if status < 0 else status  # killed by signal N: 128+N, as a shell says


def _interrupt_once(parent: int) -> None:
    """In the worker: the first Ctrl-C/SIGTERM (forwarded by the task), or the task's
    disappearance, interrupts the work; later ones are ignored so the cleanup runs to its end."""
    import _thread
    import signal
    import threading
    import time

    interrupted = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        if not interrupted.is_set():
            interrupted.set()
            raise KeyboardInterrupt

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        _thread.interrupt_main()  # runs on_signal in the main thread

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    threading.Thread(target=watch, daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="nonroot-task")
    parser.add_argument("--operation", choices=("copy", "update"), default="copy",
                        help="copy: the post-copy task; update: the after-merge migration")
    parser.add_argument("--copier-cleanup", default="True")
    parser.add_argument("--folder", default=None, help="the service folder as the user named it")
    parser.add_argument("--quiet", default="False", help="True: summaries only (copier -q, nonroot new -q)")
    args = parser.parse_args(argv)
    parent = os.environ.get(WORKER_ENV)
    if parent is None:
        status = _supervise(argv)
        if status is not None:
            return status
    _interrupt_once(int(parent) if parent else os.getppid())
    directory = Path.cwd()
    try:
        return run(directory, args.operation, args.copier_cleanup.lower() == "true",
                   quiet=args.quiet.lower() == "true" or os.environ.get(QUIET_ENV) == "1", folder=args.folder)
    except KeyboardInterrupt as error:
        outcome.report(outcome.Outcome(outcome.INTERRUPTED, "interrupted"))
        print(interrupted_line(error, "the generated files are in place; to build and verify them: "
                                      f"{check_command(directory, args.folder)}"), file=sys.stderr)
        return 130
