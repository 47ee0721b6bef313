"""Repeated wall-clock measurements."""
from __future__ import annotations

import statistics
import time
from typing import Callable


def interleaved_medians(first: Callable[[int], object], second: Callable[[int], object],
                        repeat: int) -> tuple[float, float]:
    """Median seconds of FIRST(i) and of SECOND(i), run in turns (first, second, first, ...)
    so that a change in the machine's load weighs on both alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    for index in range(repeat):
        for action, times in zip((first, second), samples):
            start = time.perf_counter()
            action(index)
            times.append(time.perf_counter() - start)
    return statistics.median(samples[0]), statistics.median(samples[1])

