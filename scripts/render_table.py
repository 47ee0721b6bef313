"""Render every combination of the support table into OUT/<id>/ (a byte-identity check
of the template across refactors): python scripts/render_table.py SRC OUT [--vcs-ref REF]."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_rendered_files import COMBINATIONS, SUPPORT_TABLE, _ids  # noqa: E402

# The other renders the tests make, beyond the support table.
EXTRA = [
    {}, {"privilege": "drop"}, {"privilege": "openshift"}, {"kubernetes": True},
    {"stack": "node", "user": "node", "group": "node", "uid": 1000, "gid": 1000},
    {"stack": "go", "distro": "distroless", "user": "nonroot", "group": "nonroot", "uid": 65532, "gid": 65532},
    {"stack": "go", "go_package": "./cmd/server"},
    {"stack": "generic", "artifact": "build/libs/app.jar", "command": ["java", "-jar", "/app/app.jar"]},
    {"user": "svc", "group": "svcgrp", "uid": 20000, "gid": 20001, "home": True},
    *({"stack": s, "sample_app": False} for s in ["python", "node", "go", "generic"]),
    *({"python_deps": d} for d in ["pyproject", "uv"]),
]


def main() -> None:
    from copier import run_copy

    parser = argparse.ArgumentParser()
    parser.add_argument("src")
    parser.add_argument("out", type=Path)
    parser.add_argument("--vcs-ref")
    args = parser.parse_args()
    jobs = [(f"table-{_ids(c)}", {**c, "writable_paths": ["/data", "/var/cache/app"],
                                  "kubernetes": c.get("drop_style") != "cmd"}) for c in SUPPORT_TABLE]
    jobs += [(f"combo-{_ids(c)}", {**c, "writable_paths": ["/data", "/var/cache/app"]}) for c in COMBINATIONS]
    jobs += [(f"extra-{i}-{_ids(c)}", c) for i, c in enumerate(EXTRA)]
    for name, data in jobs:
        dest = args.out / name
        try:
            run_copy(args.src, str(dest), data={"verify": False, **data}, defaults=True, unsafe=True,
                     quiet=True, vcs_ref=args.vcs_ref)
        except Exception as error:  # noqa: BLE001 - recorded in the output for the diff
            dest.mkdir(parents=True, exist_ok=True)
            (dest / "ERROR").write_text(f"{type(error).__name__}: {error}\n")
    print(len(jobs), "renders")


if __name__ == "__main__":
    main()
