"""Migration to 0.2.0 (copier.yml `_migrations`, stage `before`): record uid_min/uid_max.

0.2.0 added the organisation's UID/GID range (uid_min, uid_max). A service made by an
earlier version has neither in its answers file, so an unattended update
(`--skip-answered --defaults`) would take them from the organisation's defaults, and a
service whose UID lies outside that range could no longer be updated. Its IDs were
chosen, and validated, against the range 1-2147483647: that is recorded, so the update
keeps the service's UID and GID as they are. The owner may narrow the range later with
`copier update -d uid_min=... -d uid_max=...`.

Runs in the service folder with Copier's Python: ANSWERS_FILE is the only argument.
Standard library only (Copier's Python may have nothing else), so the answers file is
edited as text: Copier rewrites it in full right after this migration.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

RECORDED_RANGE = {"uid_min": 1, "uid_max": 2147483647}


def record_range(text: str) -> str:
    """TEXT with uid_min/uid_max appended where they are missing."""
    missing = [key for key in RECORDED_RANGE if not re.search(rf"^{key}:", text, re.MULTILINE)]
    if not missing:
        return text
    lines = "".join(f"{key}: {RECORDED_RANGE[key]}\n" for key in missing)
    return (text if text.endswith("\n") or not text else text + "\n") + lines


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: v0_2_0_record_uid_range.py ANSWERS_FILE", file=sys.stderr)
        return 2
    answers = Path(argv[0])
    text = answers.read_text()
    updated = record_range(text)
    if updated != text:
        answers.write_text(updated)
        print(f"nonroot: migration 0.2.0: recorded uid_min/uid_max 1-2147483647 in {answers}; "
              "this service's UID and GID stay as they are", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
