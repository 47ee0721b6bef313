"""Check `-d KEY=VALUE` answers against the questions' types before Copier sees them.

Copier casts `-d` strings by the question's type: `maybe` becomes True for a bool
and `1.5` for an int fails with a bare ValueError. These checks refuse both with
the question's name and the rule.
"""
from __future__ import annotations

import re

import yaml

from ..errors import NonrootError

BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "on", "off", "1", "0"}
INT = re.compile(r"^[+-]?[0-9]+$")


def question_types(config: dict) -> dict[str, str]:
    """{question: type} from a template's parsed copier.yml (settings starting with _ are skipped)."""
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
        if kind == "yaml":
            try:
                yaml.safe_load(value)
            except yaml.YAMLError as error:
                where = getattr(error, "problem", None) or "syntax error"
                raise NonrootError(f"{key}: not valid YAML ({where}), got {value!r}") from error


# UIDs/GIDs that validators accept but that often belong to someone else already.
COLLISIONS = (
    (range(1, 1000), "is in the system range 1-999, where distros and packages create their own accounts"),
    (range(1000, 1001), "is the first regular user of many base images (ubuntu in ubuntu:24.04, node in node:*)"),
    (range(65532, 65533), "is distroless's and Chainguard's nonroot account"),
)


def collision_warnings(answers: dict[str, object]) -> list[str]:
    """One line per answered uid/gid that commonly collides with an ID the base image ships."""
    warnings: list[str] = []
    for key in ("uid", "gid"):
        value = answers.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if key == "gid" and value == answers.get("uid"):
            continue  # one warning for uid=gid is enough
        for ids, why in COLLISIONS:
            if value in ids:
                warnings.append(f"nonroot: warning: {key} {value} {why}; if the build refuses it or files "
                                "end up owned by another account, answer e.g. 10001")
    return warnings
