"""Record the support table's renders as the reviewed snapshot (tests/snapshots/support-table.txt),
after an intended change to what the template renders: python scripts/update_snapshot.py
Renders this working tree (uncommitted changes included) as the tests do; then review
`git diff tests/snapshots` and commit it with the change."""
from __future__ import annotations

import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import snapshot  # noqa: E402  (tests/snapshot.py)
from rendering import Renders  # noqa: E402
from test_rendered_files import SUPPORT_TABLE, _ids, _linted_answers  # noqa: E402


def _render(shared: Path, combo: dict) -> Path:
    return Renders(shared).shared(**_linted_answers(combo))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nonroot-snapshot-") as tmp:
        shared = Path(tmp)
        Renders(shared)  # the template's copy, made once before the workers start
        with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
            folders = list(pool.map(_render, [shared] * len(SUPPORT_TABLE), SUPPORT_TABLE))
        snapshot.write([(_ids(combo), folder) for combo, folder in zip(SUPPORT_TABLE, folders)])
    print(f"{len(SUPPORT_TABLE)} rows written to {snapshot.SNAPSHOT.relative_to(snapshot.ROOT)}; "
          "review them with git diff")


if __name__ == "__main__":
    main()
