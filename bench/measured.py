"""`nonroot verify IMAGE` run in a fresh wrapper process (bench/child.py), so its time
and peak memory are its own."""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .workspace import python

CHILD = Path(__file__).with_name("child.py")


@dataclass
class ChildRun:
    seconds: float
    cpu_seconds: float
    returncode: int
    max_rss_bytes: int


def run_verify(image: str) -> ChildRun:
    """Time `nonroot verify IMAGE`; RuntimeError unless it proves the image non-root (exit 0)."""
    done = subprocess.run([python(), str(CHILD), python(), "-m", "nonroot.cli", "verify", image],
                          capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    facts = json.loads(done.stdout)
    if facts["returncode"] != 0:
        raise RuntimeError(f"nonroot verify {image} exited {facts['returncode']}:\n{facts['output_tail']}")
    return ChildRun(seconds=facts["seconds"], cpu_seconds=facts["cpu_seconds"], returncode=facts["returncode"],
                    max_rss_bytes=facts["max_rss_bytes"])
