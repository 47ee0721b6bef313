"""`nonroot new`: generate a service through Copier's API, with one-line errors instead of
tracebacks, and the generated files kept when the build or verification fails."""
from __future__ import annotations

import contextlib
import io
import sys
import warnings
from pathlib import Path

import yaml

from .answers import check_types, question_types
from .errors import NonrootError


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


def generate(dest: Path, data_items: list[str], data_file: Path | None, defaults: bool,
             template: str | None, vcs_ref: str | None) -> int:
    from copier import run_copy
    from copier.errors import CopierError, TaskError

    data = parse_data(data_items, data_file)
    source = template or str(template_root())
    if Path(source, "copier.yml").is_file():
        check_types(data, question_types(Path(source)))
    # Copier's own notices and warnings go to sys.stderr; keep them out of the way so an
    # error is one line. The task runs as a subprocess and prints straight to the terminal.
    notices = io.StringIO()
    try:
        with contextlib.redirect_stderr(notices), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_copy(source, str(dest), data=data, defaults=defaults, unsafe=True,
                     cleanup_on_error=False, vcs_ref=vcs_ref)
    except TaskError as error:
        print(f"nonroot: the build or verification failed (exit {error.returncode}, reason above); "
              f"the generated files are kept in {dest}; fix the cause, then run: nonroot check {dest}",
              file=sys.stderr)
        return 1
    except (ValueError, CopierError) as error:
        message = " ".join(str(error).split())
        print(f"nonroot: {message}; nothing was written", file=sys.stderr)
        return 2
    print(f"nonroot: generated {dest}", file=sys.stderr)
    return 0
