"""`nonroot new`: generate a service through Copier's API, with one-line errors instead of
tracebacks, and the generated files kept when the build or verification fails."""
from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Iterator

import yaml

from .answers import check_types, collision_warnings, question_types
from .errors import NonrootError
from .source import SourceChoice, record_source, recorded_source


def template_root() -> Path:
    """The template checkout this package was installed from (pip install -e .)."""
    root = Path(__file__).resolve().parents[2]
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
    (re.compile(r"^Invalid choice for '([^']+)': "), r"\1: not one of the choices: "),
)


def one_line(message: str) -> str:
    """Copier's error as one line that starts with the question's name."""
    text = " ".join(message.split())
    for pattern, replacement in COPIER_PREFIXES:
        text, count = pattern.subn(replacement, text, count=1)
        if count:
            break
    return text


def generate(dest: Path, data_items: list[str], data_file: Path | None, defaults: bool,
             template: str | None, vcs_ref: str | None, quiet: bool = False) -> int:
    from copier import run_copy
    from copier.errors import CopierAnswersInterrupt, CopierError, TaskError

    data = parse_data(data_items, data_file)
    source = template or str(template_root())
    recorded = recorded_source(source)
    if Path(source, "copier.yml").is_file():
        check_types(data, question_types(Path(source)))
    # Copier's own notices and warnings go to sys.stderr; keep them out of the way so an
    # error is one line. The task runs as a subprocess and prints straight to the terminal.
    notices = io.StringIO()
    try:
        with contextlib.redirect_stderr(notices), warnings.catch_warnings(), _task_environment(quiet):
            warnings.simplefilter("ignore")
            worker = run_copy(source, str(dest), data=data, defaults=defaults, unsafe=True,
                              cleanup_on_error=False, vcs_ref=vcs_ref)
    except CopierAnswersInterrupt:
        print("nonroot: interrupted while answering; nothing was written", file=sys.stderr)
        return 130
    except TaskError as error:
        _record_source(dest, recorded)
        print(f"nonroot: the build or verification failed (exit {error.returncode}, reason above); "
              f"the generated files are kept in {dest}; fix the cause, then run: nonroot check {dest}",
              file=sys.stderr)
        return 1
    except (ValueError, CopierError) as error:
        print(f"nonroot: {one_line(str(error))}; nothing was written", file=sys.stderr)
        return 2
    _record_source(dest, recorded)
    if not worker.answers.combined.get("verify", True):
        # The task did not run, so it did not warn: say it here.
        for line in collision_warnings(dict(worker.answers.combined)):
            print(line, file=sys.stderr)
    print(f"nonroot: generated {dest}", file=sys.stderr)
    return 0


def _record_source(dest: Path, recorded: SourceChoice) -> None:
    """Record the template as a URL `copier update` and Renovate both accept (source.py)."""
    from .project import ANSWERS_FILE

    answers = dest / ANSWERS_FILE
    if answers.is_file():
        record_source(answers, recorded.url)
    if recorded.warning:
        print(recorded.warning, file=sys.stderr)


@contextlib.contextmanager
def _task_environment(quiet: bool) -> Iterator[None]:
    """Tell the post-copy task (a subprocess of Copier) to print summaries only."""
    from .task import QUIET_ENV

    previous = os.environ.get(QUIET_ENV)
    if not quiet:
        yield
        return
    os.environ[QUIET_ENV] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(QUIET_ENV, None)
        else:
            os.environ[QUIET_ENV] = previous
