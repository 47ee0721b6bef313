"""Figure 6: peak resident memory of the `nonroot` process during `nonroot verify`."""
from __future__ import annotations

from dataclasses import dataclass

from .measured import run_verify


@dataclass
class MemoryResult:
    image: str
    peak_rss_bytes: int


def measure_memory(image: str) -> MemoryResult:
    return MemoryResult(image=image, peak_rss_bytes=run_verify(image).max_rss_bytes)
