"""A verification Report as SARIF 2.1.0, for code scanning (GitHub's upload-sarif, and any
other SARIF reader): one result per check that failed, warned or could not tell, with its
evidence; one rule per check name.

Results are attached to the Dockerfile the image was built from (code scanning needs a
location in the repository), at line 1: the image as a whole is what was judged.
"""
from __future__ import annotations

import json
from pathlib import Path

from .. import __version__
from ..errors import NonrootError
from .model import BROKEN, FAIL, UNKNOWN, WARN, Check, Report

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {FAIL: "error", BROKEN: "error", UNKNOWN: "warning", WARN: "warning"}
MAX_EVIDENCE_LINES = 40   # evidence lines in a result's message; all of them stay in its properties

RULES = {
    "config-user": "The image config's USER starts the container as a non-root user",
    "kubernetes": "Kubernetes runAsNonRoot can verify the image's user",
    "runtime": "No process in the running container has UID 0",
    "capabilities": "No non-root process holds a capability that regains root",
    "root-group": "No process runs with GID 0 or in the root group",
    "expected-user": "Every process runs as the expected UID:GID",
    "writable-path": "Each declared writable path exists and belongs to the runtime user",
    "contract": "The image runs as its io.nonroot.user label states",
    "setuid-files": "No setuid/setgid file or file capability in the image",
    "path-to-root": "No sudo/doas rule, empty password or writable account file gives the runtime user root",
    "user-writable": "The runtime user can write nothing outside the declared writable paths",
    "world-writable": "No world-writable directory outside the temporary directories",
    "hardened-run": "The image works with --read-only, --cap-drop ALL and no-new-privileges",
    "filesystem": "The image's filesystem could be read",
}


def _rule(name: str) -> dict:
    text = RULES.get(name, f"nonroot check {name}")
    return {"id": name, "name": name, "shortDescription": {"text": text}}


def _result(check: Check, rule_index: int, artifact: str) -> dict:
    shown = check.evidence[:MAX_EVIDENCE_LINES]
    more = len(check.evidence) - len(shown)
    text = "\n".join([check.summary, *(f"- {line}" for line in shown)]
                     + ([f"- ... {more} more evidence line(s) in properties.evidence"] if more else []))
    return {
        "ruleId": check.name,
        "ruleIndex": rule_index,
        "level": LEVELS[check.verdict],
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact},
                                            "region": {"startLine": 1}}}],
        "properties": {"verdict": check.verdict, "evidence": list(check.evidence)},
    }


def to_sarif(report: Report, artifact: str = "Dockerfile") -> dict:
    """The SARIF log (as a dict) for one verification; `artifact` is the Dockerfile's path
    relative to the repository root."""
    reported = [c for c in report.checks if c.verdict in LEVELS]
    names = list(dict.fromkeys(c.name for c in reported))
    index = {name: i for i, name in enumerate(names)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "nonroot", "version": __version__, "rules": [_rule(n) for n in names]}},
            "invocations": [{"executionSuccessful": True, "exitCode": report.exit_code}],
            "results": [_result(c, index[c.name], artifact) for c in reported],
            "properties": {"image": report.image, "imageId": report.image_id, "configUser": report.config_user,
                           "exitCode": report.exit_code},
        }],
    }


def write_sarif(report: Report, path: Path, artifact: str = "Dockerfile") -> None:
    """Write the SARIF log to `path` (through a temporary file: a reader never sees half of it)."""
    text = json.dumps(to_sarif(report, artifact), indent=2) + "\n"
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text)
        partial.replace(path)
    except OSError as error:
        raise NonrootError(f"--sarif {path}: cannot write it ({error.strerror or error}); "
                           "give a path in a writable directory") from error
