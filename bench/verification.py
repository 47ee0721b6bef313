"""Figure 4: `nonroot verify IMAGE` (the build excluded), and its share of the whole
copy -> build -> verify run of a new service (render, cold build, verify)."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from .building import Images
from .measured import run_verify
from .workspace import render, service_answers

SERVICE = "nr-bench-verify"
TAG = f"{SERVICE}:dev"


@dataclass
class VerifyResult:
    seconds: float
    cpu_seconds: float  # the nonroot process's own CPU time (user + system): less sensitive to load
    render_seconds: float
    build_seconds: float
    first_verify_seconds: float
    repeat: int

    @property
    def whole_seconds(self) -> float:
        return self.render_seconds + self.build_seconds + self.first_verify_seconds

    @property
    def share(self) -> float:
        """The verification's part of the whole run a user waits for."""
        return self.first_verify_seconds / self.whole_seconds


def measure_verify(images: Images, template: Path, work: Path, base: str, repeat: int) -> VerifyResult:
    start = time.perf_counter()
    service = render(template, work / "verify", service_answers(base, service_name=SERVICE))
    rendered = time.perf_counter() - start
    build = images.build(service, TAG, nocache=True)
    runs = [run_verify(TAG) for _ in range(repeat)]
    return VerifyResult(seconds=statistics.median(run.seconds for run in runs),
                        cpu_seconds=statistics.median(run.cpu_seconds for run in runs), render_seconds=rendered,
                        build_seconds=build.seconds, first_verify_seconds=runs[0].seconds, repeat=repeat)
