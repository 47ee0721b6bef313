"""`nonroot new`: generate a service through Copier's API, with one-line errors instead of
tracebacks, and the generated files kept when the build or verification fails."""
from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import sys
import tempfile
import warnings
from pathlib import Path

import yaml

from .answers import check_types, collision_warnings, question_types
from .detect import OwnFiles, code_files, detect, read_own_files
from ..errors import NonrootError
from ..checks import destination_error
from .ownfiles import compose_note, compose_refusal, merge_dockerignore, workflows_note
from .project import ANSWERS_FILE
from .place import CannotWrite, place
from .render import ownership, render, rendered_files
from .source import SourceChoice, record_source, recorded_source, split_ref


def template_root() -> Path:
    """The template checkout this package was installed from (pip install -e .)."""
    root = Path(__file__).resolve().parents[3]
    if not (root / "copier.yml").is_file():
        raise NonrootError(f"no copier.yml above {Path(__file__).parent}: nonroot was not installed "
                           "from a template checkout; pass --template PATH_OR_URL")
    return root


def parse_data(items: list[str], data_file: Path | None) -> dict[str, object]:
    data: dict[str, object] = {}
    if data_file is not None:
        try:
            loaded = yaml.safe_load(data_file.read_text()) or {}
        except (OSError, yaml.YAMLError) as error:
            raise NonrootError(f"--data-file {data_file}: {error}") from error
        if not isinstance(loaded, dict):
            raise NonrootError(f"--data-file {data_file}: expected a mapping of question: answer")
        data.update(loaded)
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise NonrootError(f"-d {item!r}: expected KEY=VALUE")
        data[key] = value
    return data


# Copier's wording around a refused answer, reduced to "question: reason".
COPIER_PREFIXES = (
    (re.compile(r"^Validation error for question '([^']+)': \1: "), r"\1: "),
    (re.compile(r"^Validation error for question '([^']+)': "), r"\1: "),
    (re.compile(r"^Invalid choice for '([^']+)': (?=.* is not in \[)"), r"\1: not one of the choices: "),
    # A choice the answers so far disable (a family the stack does not run on): its reason.
    (re.compile(r"^Invalid choice for '([^']+)': "), r"\1: "),
)


def one_line(message: str) -> str:
    """Copier's error as one line that starts with the question's name."""
    text = " ".join(message.split())
    for pattern, replacement in COPIER_PREFIXES:
        text, count = pattern.subn(replacement, text, count=1)
        if count:
            break
    return text


UPDATE = f"copier update --trust --answers-file {ANSWERS_FILE}"


def generate(dest: Path, data_items: list[str], data_file: Path | None, defaults: bool,
             template: str | None, vcs_ref: str | None, quiet: bool = False, overwrite: bool = False) -> int:
    """Render aside (refusing bad answers), move the files into DEST all at once, then run the
    template's task (build and verify) through Copier on the files in place. An interrupt
    (SIGTERM; Ctrl-C is the task's once it runs) says whether anything was written."""
    try:
        return _generate(dest, data_items, data_file, defaults, template, vcs_ref, quiet, overwrite)
    except KeyboardInterrupt:
        if (dest / ANSWERS_FILE).is_file():
            print(f"nonroot: interrupted; the generated files are in place in {dest}; to build and verify them: "
                  f"nonroot check {shlex.quote(str(dest))}", file=sys.stderr)
        else:
            print("nonroot: interrupted; nothing was written", file=sys.stderr)
        return 130


def _generate(dest: Path, data_items: list[str], data_file: Path | None, defaults: bool,
              template: str | None, vcs_ref: str | None, quiet: bool, overwrite: bool) -> int:
    from copier.errors import CopierAnswersInterrupt, CopierError

    given = parse_data(data_items, data_file)
    template, vcs_ref = split_ref(template, vcs_ref) if template else (template, vcs_ref)
    source = template or str(template_root())
    recorded = recorded_source(source)
    config = template_config(Path(source))
    types = question_types(config)
    if config:
        check_types(given, types)
    # Copier's own notices and warnings go to sys.stderr; keep them out of the way so an
    # error is one line. The task runs as a subprocess and prints straight to the terminal.
    notices = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="nonroot-new-") as scratch:
        try:
            with contextlib.redirect_stderr(notices), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                generated = ownership(source, dest, vcs_ref, Path(scratch)) if (dest / ANSWERS_FILE).is_file() else None
        except OSError as error:
            print(f"nonroot: cannot read {dest}: {error.strerror or error}; nothing was written", file=sys.stderr)
            return 2
        if generated is not None and not generated.unchanged:
            print(changed_since(dest, generated.changed), file=sys.stderr)
            return 2
        previous = generated.answers if generated else {}
        # A folder nonroot generated is regenerated from its own answers; any other is read first.
        data = given if generated else merged_answers(typed_data(detected_answers(dest, given, config), types), given)
        rendered = Path(scratch) / "new" / (dest.name or "service")
        try:
            with contextlib.redirect_stderr(notices), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                answers = render(source, rendered, data, defaults, vcs_ref, user_defaults=previous)
        except CopierAnswersInterrupt:
            print("nonroot: interrupted while answering; nothing was written", file=sys.stderr)
            return 130
        except (ValueError, CopierError) as error:
            print(f"nonroot: {one_line(str(error))}; nothing was written", file=sys.stderr)
            return 2
        except OSError as error:
            print(f"nonroot: cannot render into the temporary folder {scratch}: {error.strerror or error}; "
                  "nothing was written", file=sys.stderr)
            return 2
        problem = destination_error(str(dest), answers)  # the render went into an empty folder
        if problem:
            print(f"nonroot: {problem}; nothing was written", file=sys.stderr)
            return 2
        # The user's code is never replaced nor mixed with a sample, --overwrite or not: that
        # option is for the files nonroot generates (every sample file counts as code, so a
        # folder a sample could collide with always stops here). A folder nonroot generated
        # holds its own sample.
        code = code_files(dest) if answers.get("sample_app") and dest.is_dir() and not generated else []
        if code:
            print(f"nonroot: sample_app: {dest} holds code ({', '.join(code)}), and the sample app would be "
                  "written among it; nothing was written; answer sample_app false (-d sample_app=false), the "
                  "default for a folder with code", file=sys.stderr)
            return 2
        generated_files = set(generated.files) if generated else set()
        files = rendered_files(rendered)
        replaced = [name for name in files if _differs(rendered / name, dest / name) and name not in generated_files]
        # A compose file of the repository's own that Compose would run instead of (or merge
        # into) compose.yaml stops here too: --overwrite writes compose.yaml beside it, run with -f.
        own = read_own_files(dest) if dest.is_dir() else OwnFiles()
        compose = compose_refusal(dest, own)
        if (replaced or compose) and not overwrite:
            reasons = [f"{dest} already has {', '.join(replaced)}, which nonroot would replace"] if replaced else []
            then = [f"replace {'it' if len(replaced) == 1 else 'them'}"] if replaced else []
            if compose:
                reasons.append(compose)
                then.append("write compose.yaml beside your compose files (they are kept; CONTAINER.md runs it "
                            "with -f compose.yaml)")
            print(f"nonroot: {'; '.join(reasons)}; nothing was written; run again with --overwrite to "
                  f"{' and '.join(then)}", file=sys.stderr)
            return 2
        # nonroot's .dockerignore replaces the repository's; its own entries are put back on top.
        dockerignore = (dest / ".dockerignore").read_text() if ".dockerignore" in replaced else ""
        try:
            place(rendered, dest, remove=tuple(sorted(generated_files - set(files))))
        except CannotWrite as error:
            print(f"nonroot: {error}", file=sys.stderr)
            return 2
    verify = bool(answers.get("verify", True))
    if verify:
        status = _build_and_verify(source, dest, typed_data(answers, types), vcs_ref, quiet, notices, recorded,
                                   after=lambda: _keep_own_files(dest, own, dockerignore, built=True))
        if status is not None:
            return status
    else:
        _record_source(dest, recorded)
        _keep_own_files(dest, own, dockerignore, built=False)
        # The task did not run, so it did not warn: say it here.
        for line in collision_warnings(answers):
            print(line, file=sys.stderr)
    what = "regenerated" if generated else "generated"
    print(f"nonroot: {what} {dest}" + (f" (replaced {', '.join(replaced)})" if replaced else ""), file=sys.stderr)
    print(next_steps(dest), file=sys.stderr)
    return 0


def _build_and_verify(source: str, dest: Path, answers: dict[str, object], vcs_ref: str | None, quiet: bool,
                      notices: io.StringIO, recorded: SourceChoice, after=lambda: None) -> int | None:
    """Copier on DEST, where every file is in place and identical: it runs the template's task
    (build and verify); then the template's URL is recorded and AFTER runs (what became of the
    repository's own files). The exit status after a failure (its advice printed last), else None."""
    from copier.errors import CopierError, TaskError

    try:
        # The task learns the folder as given (for its "nonroot check" advice) and -q from
        # Copier's own settings (copier.yml passes --folder and --quiet): a change to
        # os.environ here would not reach it, Copier runs tasks with the environment it started with.
        # Ctrl-C reaches the task too (the terminal signals its whole process group): it stops
        # the build or the verification, cleans up, and says once what was done and what is left.
        with contextlib.redirect_stderr(notices), warnings.catch_warnings(), _ctrl_c_left_to_the_task():
            warnings.simplefilter("ignore")
            _copy(source, dest, answers, vcs_ref, overwrite=True, cleanup_on_error=False, quiet=quiet)
    except TaskError as error:
        _record_source(dest, recorded)
        after()
        if error.returncode == 130:  # interrupted: the task said what was done and what is left
            return 130
        print(f"nonroot: the build or verification failed (exit {error.returncode}, reason above); "
              f"the generated files are kept in {dest}; to change an answer, run: "
              f"{new_command(dest)} -d NAME=VALUE (your other answers are kept); or fix the cause "
              f"otherwise, then run: nonroot check {shlex.quote(str(dest))}", file=sys.stderr)
        return 1
    except (ValueError, CopierError, OSError) as error:
        print(f"nonroot: {one_line(str(error))}; the generated files are kept in {dest}", file=sys.stderr)
        return 2
    _record_source(dest, recorded)
    after()
    return None


@contextlib.contextmanager
def _ctrl_c_left_to_the_task():
    """SIGINT does nothing here while the task runs (a handler, not SIG_IGN, which the task would
    inherit): Copier waits for the task instead of killing it 0.25 s after Ctrl-C."""
    import signal

    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def new_command(dest: Path) -> str:
    """The command that regenerates DEST with other answers (while its files are unchanged)."""
    return f"nonroot new {shlex.quote(str(dest))} --defaults"


def _in_git_repository(folder: Path) -> bool:
    import subprocess

    try:
        return subprocess.run(["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
                              capture_output=True, check=False).returncode == 0
    except OSError:
        return False


def commit_command(dest: Path) -> str:
    """The command that commits everything in DEST (making it a repository where it is none)."""
    init = "" if _in_git_repository(dest) else "git init -q && "
    cd = "" if str(dest) == "." else f"cd {shlex.quote(str(dest))} && "  # `nonroot new .`: already there
    return f"{cd}{init}git add -A && git commit -m 'nonroot: container files'"


def changed_since(dest: Path, changed: tuple[str, ...]) -> str:
    """The one line for a folder nonroot generated whose files were changed since."""
    names = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return (f"nonroot: {dest} was generated by nonroot and has changed since ({names}), so nonroot new "
            f"leaves it alone; to change an answer, commit everything in it first (copier update needs a git "
            f"repository with nothing uncommitted): {commit_command(dest)}; then run: cd {shlex.quote(str(dest))} "
            f"&& {UPDATE} --vcs-ref=:current: --defaults -d NAME=VALUE (without --vcs-ref=:current: it also "
            "takes the newest template)")


def next_steps(dest: Path) -> str:
    """What to do after `nonroot new`: commit, run, update."""
    return "\n".join((
        "Next steps:",
        f"  1. commit the files, {ANSWERS_FILE} included (copier update needs them committed):",
        f"       {commit_command(dest)}",
        f"  2. run it:  docker compose -f compose.yaml up --build    verify it again:  "
        f"nonroot check {shlex.quote(str(dest))}",
        "     (details in CONTAINER.md)",
        f"  3. take later template fixes:  {UPDATE}",
    ))


def _keep_own_files(dest: Path, own: OwnFiles, dockerignore: str, built: bool) -> None:
    """Say what became of the repository's own files; put its .dockerignore entries back."""
    kept = merge_dockerignore(dest / ".dockerignore", dockerignore) if dockerignore else []
    if kept:
        later = f" (the build above ran without them: nonroot check {dest} builds with them)" if built else ""
        print(f"nonroot: .dockerignore: kept your own entries at its top: {', '.join(kept)}{later}",
              file=sys.stderr)
    for note in (compose_note(own), workflows_note(own)):
        if note:
            print(f"nonroot: {note}", file=sys.stderr)


def typed_data(answers: dict[str, object], types: dict[str, str]) -> dict[str, object]:
    """Answers already typed (detected, or read back from the dry run's answers file) as Copier
    data. Copier reads a str given for a yaml question as YAML text (as -d gives it), so a string
    answer there (a shell line such as build_command's, or "") goes as a quoted YAML string:
    never read again as null, a list or a mapping."""
    return {key: json.dumps(value) if types.get(key) == "yaml" and isinstance(value, str) else value
            for key, value in answers.items()}


def _record_source(dest: Path, recorded: SourceChoice) -> None:
    """Record the template as a URL `copier update` and Renovate both accept (source.py)."""
    answers = dest / ANSWERS_FILE
    if answers.is_file():
        record_source(answers, recorded.url)
    if recorded.warning:
        print(recorded.warning, file=sys.stderr)


def template_config(template: Path) -> dict:
    """The template's copier.yml, or {} for a template given as a URL."""
    path = template / "copier.yml"
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


def detected_answers(dest: Path, given: dict[str, object], config: dict) -> dict[str, object]:
    """What the repository at `dest` tells (printed with its sources), for the questions the
    template has and the answers not given with -d / --data-file."""
    if not dest.is_dir():
        return {}
    detection = detect(dest)
    print(f"nonroot: {detection.summary()}", file=sys.stderr)
    if detection.own_files.names():
        print(f"nonroot: the repository's own files: {', '.join(detection.own_files.names())}", file=sys.stderr)
    for warning in detection.warnings:
        print(f"nonroot: warning: {warning}", file=sys.stderr)
    detected_port = detection.get("port")
    port_question = config.get("port")
    default_port = port_question.get("default", 8080) if isinstance(port_question, dict) else 8080
    port = given.get("port", detected_port if detected_port is not None else default_port)
    answers = detection.answers(int(port) if str(port).strip().lstrip("+").isdigit() else default_port)
    return {key: value for key, value in answers.items() if key in config and (key not in given or key in MERGED)}


# Answers a -d adds to instead of replacing: the variables the repository's Dockerfile sets stay,
# each given one wins.
MERGED = ("env",)


def merged_answers(detected: dict[str, object], given: dict[str, object]) -> dict[str, object]:
    data = {**detected, **given}
    for key in MERGED:
        found, told = _mapping(detected.get(key)), _mapping(given.get(key))
        if found is not None and told is not None:
            data[key] = {**found, **told}
    return data


def _mapping(value: object) -> dict | None:
    """An answer given as a YAML mapping (typed after -d as text), else None."""
    if isinstance(value, str):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            return None
    return value if isinstance(value, dict) else None


def _differs(rendered: Path, existing: Path) -> bool:
    return existing.is_file() and existing.read_bytes() != rendered.read_bytes()


def _copy(source: str, dest: Path, answers: dict[str, object], vcs_ref: str | None, **options: object):
    from copier import run_copy

    return run_copy(source, str(dest), data=answers, defaults=True, unsafe=True, vcs_ref=vcs_ref, **options)
