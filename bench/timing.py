"""Repeated wall-clock measurements."""
from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(action: Callable[[int], object], repeat: int) -> float:
    """Median wall-clock seconds of ACTION(i) over REPEAT runs."""
    samples = []
    for index in range(repeat):
        start = time.perf_counter()
        action(index)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
