"""Figure 3: `copier copy` of this template, render only (tasks off), against the same
Copier call on a one-file template: the template's own overhead."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .timing import interleaved_medians
from .workspace import one_file_template, render, service_answers


@dataclass
class RenderResult:
    seconds: float
    baseline_seconds: float
    repeat: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds


def measure_render(template: Path, work: Path, base: str, repeat: int) -> RenderResult:
    baseline = one_file_template(work / "one-file")
    answers = service_answers(base, service_name="nr-bench-render")
    # One call of each first, unmeasured: imports and Copier's caches are warm for both.
    render(template, work / "warm-nonroot", answers)
    render(baseline, work / "warm-one-file", {})
    seconds, baseline_seconds = interleaved_medians(lambda i: render(template, work / f"nonroot-{i}", answers),
                                                    lambda i: render(baseline, work / f"one-file-{i}", {}), repeat)
    return RenderResult(seconds=seconds, baseline_seconds=baseline_seconds, repeat=repeat)
