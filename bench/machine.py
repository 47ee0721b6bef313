"""The facts of the machine a run was measured on, printed and saved with the figures."""
from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib.metadata import version


@dataclass
class Machine:
    cores: int
    engine_version: str
    engine_cpus: int
    engine_memory_bytes: int
    storage_driver: str
    kernel: str
    python: str
    copier: str
    load_average_1m: float
    load_average_1m_end: float = 0.0


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def machine_facts(client) -> Machine:
    info = client.info()
    return Machine(cores=os.cpu_count() or 0, engine_version=client.version().get("Version", "?"),
                   engine_cpus=int(info.get("NCPU", 0)), engine_memory_bytes=int(info.get("MemTotal", 0)),
                   storage_driver=info.get("Driver", "?"), kernel=platform.release(),
                   python=platform.python_version(), copier=version("copier"),
                   load_average_1m=load_average())
