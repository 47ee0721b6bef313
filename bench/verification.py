"""Figure 4: `nonroot verify IMAGE` (the build excluded), side by side in the same run with
what a person does by hand to look at a container's processes (`docker run -d` + `docker top`
+ `docker rm -f` of the same image), and its share of the whole copy -> build -> verify run
of a new service (render, cold build, verify). The goal: verify takes at most its watch
window + 1.5 s (the filesystem scan and the hardened run go on while the watch runs).

    python bench/run.py --figure 4      # this figure alone (bench/figure4.json)
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .building import Images
from .measured import run_verify
from .workspace import render, service_answers

SERVICE = "nr-bench-verify"
TAG = f"{SERVICE}:dev"
WINDOW_SECONDS = 3.0      # nonroot verify's default watch window (VerifyOptions.settle, --watch)
GOAL_OVER_WINDOW = 1.5    # seconds verify may take beyond its window


@dataclass
class VerifyResult:
    seconds: float
    cpu_seconds: float  # the nonroot process's own CPU time (user + system): less sensitive to load
    render_seconds: float
    build_seconds: float
    first_verify_seconds: float
    repeat: int
    baseline_seconds: float = 0.0       # docker run -d + docker top + docker rm -f, same image, same run
    window_seconds: float = WINDOW_SECONDS

    @property
    def over_window(self) -> float:
        return self.seconds - self.window_seconds

    @property
    def goal_met(self) -> bool:
        return self.seconds <= self.window_seconds + GOAL_OVER_WINDOW

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
    runs, baselines = [], []
    for index in range(repeat):  # interleaved: both see the same machine load
        runs.append(run_verify(TAG))
        baselines.append(docker_run_top_rm(TAG, f"{SERVICE}-baseline-{index}"))
    return VerifyResult(seconds=statistics.median(run.seconds for run in runs),
                        cpu_seconds=statistics.median(run.cpu_seconds for run in runs), render_seconds=rendered,
                        build_seconds=build.seconds, first_verify_seconds=runs[0].seconds, repeat=repeat,
                        baseline_seconds=statistics.median(baselines))


def docker_run_top_rm(image: str, name: str) -> float:
    """Seconds for `docker run -d IMAGE`, `docker top`, `docker rm -f`: a look at the processes by hand."""
    docker = shutil.which("docker") or "docker"
    start = time.perf_counter()
    try:
        subprocess.run([docker, "run", "-d", "--name", name, image], check=True, capture_output=True)
        subprocess.run([docker, "top", name], check=True, capture_output=True)
    finally:
        subprocess.run([docker, "rm", "-f", name], check=True, capture_output=True)
    return time.perf_counter() - start
