"""Run one command as this process's only child and print, as JSON, its wall-clock
seconds, CPU seconds, exit status and peak resident memory (getrusage RUSAGE_CHILDREN:
the largest ru_maxrss among the children waited for, here only that one and its own
children; the CPU time is theirs summed).

    python bench/child.py CMD [ARG...]
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "returncode": done.returncode, "max_rss_bytes": usage.ru_maxrss * 1024,  # KiB on Linux
                      "output_tail": (done.stdout + done.stderr)[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
