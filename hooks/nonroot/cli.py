"""`nonroot`: the command line. Thin: parse, call, print, exit.

  nonroot verify [options] IMAGE [--json] [--strict] [--arbitrary-uid] [--sarif FILE] [-e K=V] [-- CMD...]
                                  exit 0 proven non-root, 1 root/privilege found, 2 could not tell,
                                  3 not proven: the service does not work
  nonroot check DIR [--json] [-q] build DIR's Dockerfile, then verify it (same exit codes)
  nonroot new DEST [--defaults] [--overwrite] [-d KEY=VALUE ...] [--data-file F] [-q]
                                  generate a service (in an existing repository: detect, then adopt it)
  nonroot fleet update PATH... [--vcs-ref REF] [--trust]   update many services, report, exit 1 if any needs a person
"""
from __future__ import annotations

import argparse
import shlex
import signal
import sys
from pathlib import Path

from . import __version__
from .errors import VERIFYING, BuildFailed, NonrootError, interrupted_line
from .verifier.verify import VerifyOptions

EXIT_CANNOT_TELL = 2

def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _verify_options(args: argparse.Namespace) -> VerifyOptions:
    from .verifier.hardened import random_uid

    env = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise NonrootError(f"-e {item}: expected KEY=VALUE")
        env[key] = value
    arbitrary = None if args.arbitrary_uid is None else (args.arbitrary_uid or random_uid())
    return VerifyOptions(settle=args.settle, command=args.command or None, environment=env,
                         entrypoint=None if args.entrypoint is None else shlex.split(args.entrypoint),
                         expect_uid=args.expect_uid, tmpfs={path: "" for path in args.tmpfs},
                         writable_paths=list(args.writable), strict=args.strict, hardened=not args.no_hardened,
                         arbitrary_uid=arbitrary, start_timeout=args.start_timeout,
                         accept_root_commands=list(args.accept_root_command), health_timeout=args.health_timeout)


def _print_report(report, args: argparse.Namespace, user_label: str = "", **extra: object) -> None:
    from .verifier.report import to_json, to_text

    text = to_json(report, **extra) if args.json else to_text(report, user_label)
    # --quiet: the outcome line only (the full table when it is not proven non-root)
    quiet = args.quiet and not args.json and report.exit_code == 0
    print(f"nonroot: {report.image}: {text.splitlines()[-1].strip()}" if quiet else text)


def _write_sarif(report, args: argparse.Namespace, dockerfile: str) -> None:
    if args.sarif:
        from .verifier.sarif import write_sarif

        write_sarif(report, Path(args.sarif), dockerfile)


def _progress(args: argparse.Namespace, lines: bool = True):
    """Progress on stderr; `lines=False`: a spinner on a terminal, nothing in a log."""
    from .scaffold.progress import PLAIN, QUIET, Progress, choose_mode

    mode = QUIET if args.json else choose_mode(sys.stderr, args.quiet)
    return Progress(stream=sys.stderr, mode=QUIET if mode == PLAIN and not lines else mode)


def cmd_verify(args: argparse.Namespace) -> int:
    from .engine import connect
    from .verifier.verify import verify_image

    options = _verify_options(args)
    client = connect()
    from .scaffold.pipeline import stage

    with _progress(args, lines=False).phase(f"verifying {args.image}"), stage(VERIFYING, args.image):
        report = verify_image(client, args.image, options)
    _print_report(report, args)
    _write_sarif(report, args, args.sarif_dockerfile or "Dockerfile")
    return report.exit_code


def cmd_check(args: argparse.Namespace) -> int:
    from .engine import connect
    from .scaffold.pipeline import check_directory

    options = _verify_options(args)
    client = connect()
    result = check_directory(client, Path(args.dir), tag=args.tag, options=options,
                             progress=_progress(args))
    _print_report(result.report, args, result.expectations.user_label())
    _write_sarif(result.report, args, args.sarif_dockerfile or (Path(args.dir) / "Dockerfile").as_posix())
    return result.report.exit_code


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold.generate import generate

    return generate(dest=Path(args.dest), data_items=args.data, data_file=args.data_file,
                    defaults=args.defaults, template=args.template, vcs_ref=args.vcs_ref, quiet=args.quiet,
                    overwrite=args.overwrite)


def cmd_fleet_update(args: argparse.Namespace) -> int:
    from .scaffold.fleet import FleetOptions, exit_code, to_table, update_fleet

    options = FleetOptions(vcs_ref=args.vcs_ref, trust=args.trust, answers_file=args.answers_file, jobs=args.jobs)
    results = update_fleet([Path(p) for p in args.paths], options,
                           on_result=lambda r: print(f"nonroot: {r.path}: {r.outcome}", file=sys.stderr))
    print(to_table(results))
    return exit_code(results)


def _add_fleet(sub) -> None:
    fleet = sub.add_parser("fleet", help="update many services made from this template",
                           description="Update many services made from this template.")
    update = fleet.add_subparsers(dest="fleet_cmd", required=True).add_parser(
        "update", help="copier update each repository (Renovate's command); report; exit 1 if any needs a person",
        description="copier update each repository, build and verify it, and print a table\nof outcomes.",
        epilog=exit_codes((0, "every repository updated (and verified, where it verifies)"),
                          (1, "at least one needs a person (conflicts, a failed build or\n"
                              "      verification, an error)"),
                          (2, "bad arguments")),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    update.add_argument("paths", nargs="+", metavar="PATH",
                        help="service repositories (git, with nothing uncommitted)")
    update.add_argument("--vcs-ref", metavar="REF", help="template tag to update to (default: the latest tag)")
    update.add_argument("--trust", action="store_true",
                        help="let the template's tasks and migrations run (default: off; nonroot's build-and-verify "
                             "step is a migration)")
    update.add_argument("--answers-file", default=".copier-answers.nonroot.yml", metavar="FILE",
                        help="each repository's answers file for this template (default: %(default)s)")
    update.add_argument("--jobs", type=int, default=1, metavar="N", help="repositories updated at the same time (default: %(default)s)")
    update.set_defaults(func=cmd_fleet_update)


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print every check and its evidence as JSON (default: a table)")
    _add_quiet(parser)
    parser.add_argument("--watch", "--settle", dest="settle", type=float, default=3.0, metavar="SECONDS",
                        help="the watch window: seconds to watch every process of the running container "
                             "(--settle is the old name; default: %(default)s)")
    parser.add_argument("-e", "--env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment for the container (repeatable; default: the image's)")
    parser.add_argument("--tmpfs", action="append", default=[], metavar="PATH",
                        help="mount an empty root-owned tmpfs at PATH (repeatable; default: none)")
    parser.add_argument("--expect-uid", type=int, metavar="UID",
                        help="fail unless every process runs as this UID (default: any UID but 0)")
    parser.add_argument("--entrypoint", metavar="CMDLINE",
                        help="override the image's ENTRYPOINT ('' clears it; like docker run --entrypoint; "
                             "default: the image's)")
    parser.add_argument("--writable", action="append", default=[], metavar="PATH",
                        help="a path the application may write: checked to exist, not reported as writable "
                             "(repeatable; default: none)")
    parser.add_argument("--strict", action="store_true",
                        help="setuid/setgid files and file capabilities fail (exit 1) instead of warning")
    parser.add_argument("--no-hardened", action="store_true",
                        help="skip the hardened run (--read-only, --cap-drop ALL, no-new-privileges)")
    parser.add_argument("--arbitrary-uid", type=_uid, nargs="?", const=0, metavar="UID",
                        help="hardened run as a random UID (or UID) with GID 0, as OpenShift does "
                             "(default: the image's user)")
    parser.add_argument("--accept-root-command", action="append", default=[], metavar="COMMAND",
                        help="a command a sudo/doas rule runs as root without a password that you reviewed "
                             "(path or name; repeatable): the verdict names it as accepted instead of failing; "
                             "commands known to give a shell or write any file cannot be accepted (default: none)")
    parser.add_argument("--health-timeout", type=float, default=300.0, metavar="SECONDS",
                        help="with a HEALTHCHECK: the longest wait for the engine's health status (default 300, "
                             "for slow starters; the image's start period + interval x retries when shorter; "
                             "0: do not wait)")
    parser.add_argument("--start-timeout", type=float, default=30.0, metavar="S",
                        help="seconds to wait for the container to be running (default: %(default)s)")
    parser.add_argument("--sarif", metavar="FILE",
                        help="also write the failed and warned checks as SARIF 2.1.0 (for code scanning; "
                             "default: no SARIF)")
    parser.add_argument("--sarif-dockerfile", metavar="PATH",
                        help="the Dockerfile the SARIF results point at, relative to the repository "
                             "(default: Dockerfile; for check: DIR/Dockerfile)")


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no build steps or spinner; summary lines (and failures) only")


def _uid(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**31 - 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a UID between 1 and 2147483646")
    return int(text)


def exit_codes(*codes: tuple[int, str]) -> str:
    """An epilog's list of exit codes (every command also exits 130 when interrupted)."""
    rows = [*codes, (130, "interrupted (Ctrl-C, SIGTERM): what was done and what is left is printed")]
    return "exit codes:\n" + "\n".join(f"  {code:<4}{meaning}" for code, meaning in rows)


VERIFY_EXITS = ((0, "proven non-root"), (1, "root or a privilege found"),
                (2, "could not tell (the container did not start, no engine, a bad option)"),
                (3, "not proven: the service does not work (its health check failed, or it\n"
                    "      stopped before it passed)"))


def answer_names() -> str:
    """The questions -d can answer, from the template's copier.yml ("" without a checkout)."""
    import textwrap

    try:
        from .scaffold.generate import template_config, template_root

        names = [name for name, spec in template_config(template_root()).items()
                 if not name.startswith("_") and isinstance(spec, dict)]
    except (NonrootError, OSError):
        return ""
    return ("answers (-d NAME=VALUE, or NAME: VALUE lines in --data-file; each question's\n"
            "help, default and rules are in the template's copier.yml):\n"
            + textwrap.fill(", ".join(names), width=78, initial_indent="  ", subsequent_indent="  ") + "\n\n")


NEW_DESCRIPTION = """\
Generate a service with Copier (asking the questions, or taking -d answers
and --defaults), then build its image and prove that no process in it runs
as root.

Adopting an existing repository: run it there (nonroot new .) or name it.
nonroot detects the stack, lockfile, start command, port and health path,
prints what it found and where, and writes only the container files: your
code is never touched, and a container file of yours it would replace
needs --overwrite.

Again on a folder it generated that nobody changed since: it regenerates
the folder with the new answers (the previous ones are the defaults), e.g.
after a failed build: nonroot new DEST --defaults -d base_image=IMAGE.
A folder changed since is updated with copier update (the command is
printed)."""

NEW_EXAMPLES = """\
examples:
  nonroot new ../my-service                     ask every question
  nonroot new ../my-service --defaults -d service_name=billing -d port=9000
  nonroot new .                                 adopt the repository you are in

"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nonroot", description="Prove that a container runs as non-root.",
                                     epilog="nonroot COMMAND --help: a command's options and exit codes")
    parser.add_argument("--version", action="version", version=f"nonroot {__version__}")
    sub = parser.add_subparsers(dest="cmd", required=True)
    raw = argparse.RawDescriptionHelpFormatter
    verify = sub.add_parser("verify", help="verify an image that is in the engine", formatter_class=raw,
                            usage="nonroot verify [options] IMAGE [-- CMD ...]",
                            description="Run IMAGE and prove that no process in it runs as root.\n"
                                        "-- CMD ...: run CMD instead of the image's CMD.",
                            epilog=exit_codes(*VERIFY_EXITS))
    verify.add_argument("image", help="an image the engine has (name:tag or ID)")
    _add_run_options(verify)
    verify.set_defaults(func=cmd_verify)
    check = sub.add_parser("check", help="build DIR's Dockerfile, then verify the image", formatter_class=raw,
                           usage="nonroot check [options] [DIR] [-- CMD ...]",
                           description="Build DIR's Dockerfile, then verify the image as nonroot verify does,\n"
                                       "holding it to DIR's answers file (user, UID/GID, writable paths).\n"
                                       "-- CMD ...: run CMD instead of the image's CMD.",
                           epilog=exit_codes(*VERIFY_EXITS[:2], (2, "could not tell, or the build failed")))
    check.add_argument("dir", nargs="?", default=".", metavar="DIR",
                       help="the folder with the Dockerfile, and .copier-answers.nonroot.yml if nonroot made it "
                            "(default: %(default)s)")
    check.add_argument("--tag", help="image tag (default: <service_name>:dev from the answers file)")
    _add_run_options(check)
    check.set_defaults(func=cmd_check)
    new = sub.add_parser("new", help="generate a service (or adopt a repository: nonroot new .), then build and "
                                     "verify it", formatter_class=raw, description=NEW_DESCRIPTION,
                         epilog=NEW_EXAMPLES + answer_names() + exit_codes(
                             (0, "generated (and proven non-root, unless verify=false or no engine)"),
                             (1, "generated, but the build or verification failed: the files are kept\n"
                                 "      and the last line says how to change an answer or check again"),
                             (2, "nothing written: a refused answer, container files of yours without\n"
                                 "      --overwrite, a folder changed since nonroot generated it, or a\n"
                                 "      destination that cannot be written")))
    new.add_argument("dest", metavar="DEST", help="the service folder: a new one, or an existing repository to adopt")
    new.add_argument("--defaults", action="store_true",
                     help="ask nothing: take the default of every question -d does not answer")
    new.add_argument("-d", "--data", action="append", default=[], metavar="NAME=VALUE",
                     help="answer question NAME (repeatable; the names are listed below; default: asked, or its default with --defaults)")
    new.add_argument("--data-file", type=Path, metavar="FILE",
                     help="a YAML file of NAME: VALUE answers (-d wins over it; default: none)")
    new.add_argument("--template", metavar="SRC",
                     help="the template: a git URL (URL@REF picks a tag or branch) or a local path (default: the "
                          "checkout nonroot was installed from); the service's CI installs nonroot from it, so "
                          "it must be a URL CI can reach")
    new.add_argument("--vcs-ref", metavar="REF", help="git ref of the template (default: the latest tag, else HEAD)")
    new.add_argument("--overwrite", action="store_true",
                     help="replace the container files DEST already has (without it, nonroot lists them and stops)")
    _add_quiet(new)
    new.set_defaults(func=cmd_new)
    _add_fleet(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    again = shlex.join(["nonroot", *argv])
    # Everything after `--` overrides the image's CMD: nonroot verify IMAGE -- serve --port 9000
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    args = build_parser().parse_args(argv)
    args.command = command
    # Ctrl-C and SIGTERM end in cleanup, also where SIGINT came in ignored (a background job)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return args.func(args)
    except BuildFailed as error:
        print(f"nonroot: {error}", file=sys.stderr)
        for line in error.log_tail:
            print(f"  | {line}", file=sys.stderr)
        return EXIT_CANNOT_TELL
    except NonrootError as error:
        print(f"nonroot: {error}", file=sys.stderr)
        return EXIT_CANNOT_TELL
    except OSError as error:  # a file or folder the command was given: one line, no traceback
        where = f": {error.filename}" if error.filename else ""
        print(f"nonroot: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_CANNOT_TELL
    except KeyboardInterrupt as error:
        if args.cmd != "new":  # nonroot new says itself what was done and what is left
            print(interrupted_line(error, f"nothing is left running; to try again: {again}"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
