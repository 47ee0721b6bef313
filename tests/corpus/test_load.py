"""One verdict whatever the load: the corpus cases whose verdict once depended on the machine
(an entrypoint that cannot be executed, where runc's own processes are all the container
ever runs; a service that exits before it is healthy; a plain non-root service) are verified
again and again beside a CPU load generator, and get the verdict they get on a quiet
machine every time. Kept cheap: a few verifications of the watch alone, the load bounded in
time."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import cases

pytestmark = pytest.mark.engine

SPINNERS = 2 * (os.cpu_count() or 2)   # runnable processes: twice the cores, beside the suite's own workers
SPIN_SECONDS = 90                           # each ends on its own, whatever happens to the test
ROUNDS = (("entry-crlf", 4), ("health-exits", 1), ("named-user", 1))


@pytest.fixture
def cpu_load():
    spin = f"import time\nend = time.time() + {SPIN_SECONDS}\nwhile time.time() < end:\n    pass\n"
    spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(SPINNERS)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def test_the_verdicts_are_the_same_under_load(verify, corpus, cpu_load):
    # the watch alone (no hardened run, no filesystem scan): that is what the load can change
    got = {name: [verify(name, hardened=False, scan_filesystem=False).exit_code for _ in range(times)]
           for name, times in ROUNDS}
    want = {name: [cases.BY_NAME[name].exit_code] * times for name, times in ROUNDS}
    assert got == want, f"load average {os.getloadavg()[0]:.1f}"
