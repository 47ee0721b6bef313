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
import time

import pytest

import cases

pytestmark = pytest.mark.engine

# Runnable processes: enough for a load above 10 (the run queue /proc/loadavg counts), beside
# the suite's own workers.
SPINNERS = max(12, 2 * (os.cpu_count() or 2))
SPIN_SECONDS = 90                           # each ends on its own, whatever happens to the test
ROUNDS = (("entry-crlf", 4), ("health-exits", 1), ("named-user", 1))


@pytest.fixture
def cpu_load():
    spin = f"import time\nend = time.time() + {SPIN_SECONDS}\nwhile time.time() < end:\n    pass\n"
    spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(SPINNERS)]
    time.sleep(1)  # each in its loop
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def runnable() -> int:
    """The processes runnable right now (/proc/loadavg's fourth field, before the slash): the
    instant load, which the load average follows."""
    with open("/proc/loadavg") as loadavg:
        return int(loadavg.read().split()[3].split("/")[0])


def test_the_verdicts_are_the_same_under_load(verify, corpus, cpu_load):
    # the watch alone (no hardened run, no filesystem scan): that is what the load can change
    got: dict[str, list[int]] = {}
    loads: list[int] = []
    for name, times in ROUNDS:
        for _ in range(times):
            loads.append(runnable())
            got.setdefault(name, []).append(verify(name, hardened=False, scan_filesystem=False).exit_code)
    want = {name: [cases.BY_NAME[name].exit_code] * times for name, times in ROUNDS}
    assert got == want, f"runnable at each start {loads}, load average {os.getloadavg()[0]:.1f}"
    assert min(loads) > 10, f"the load was not above 10 at each start: {loads}"
