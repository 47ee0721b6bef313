"""Run one command as this process's only child and print, as JSON, its wall-clock
seconds, exit status and peak resident memory (getrusage RUSAGE_CHILDREN: the largest
ru_maxrss among the children waited for, here only that one and its own children).

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
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "returncode": done.returncode, "max_rss_bytes": peak_kib * 1024,
                      "output_tail": (done.stdout + done.stderr)[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
