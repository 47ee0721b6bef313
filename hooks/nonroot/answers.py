"""Check `-d KEY=VALUE` answers against the questions' types before Copier sees them.

Copier casts `-d` strings by the question's type: `maybe` becomes True for a bool
and `1.5` for an int fails with a bare ValueError. These checks refuse both with
the question's name and the rule.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import NonrootError

BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "on", "off", "1", "0"}
INT = re.compile(r"^[+-]?[0-9]+$")


def question_types(template: Path) -> dict[str, str]:
    """{question: type} from a template's copier.yml (settings starting with _ are skipped)."""
    config = yaml.safe_load((template / "copier.yml").read_text()) or {}
    return {name: str(spec.get("type", "str")) for name, spec in config.items()
            if not name.startswith("_") and isinstance(spec, dict)}


def check_types(data: dict[str, object], types: dict[str, str]) -> None:
    """Raise NonrootError naming the first answer that its question's type cannot take."""
    for key, value in data.items():
        if key not in types:
            known = ", ".join(sorted(types))
            raise NonrootError(f"-d {key}: no such question (questions: {known})")
        kind = types[key]
        if not isinstance(value, str):
            continue  # from a data file: already typed by YAML, Copier's validators judge it
        if kind == "int" and not INT.match(value.strip()):
            raise NonrootError(f"{key}: must be a whole number, got {value!r}")
        if kind == "bool" and value.strip().lower() not in BOOL_WORDS:
            raise NonrootError(f"{key}: must be true or false, got {value!r}")
