"""Write the README's tables of stacks, families and images from the rows (hooks/nonroot/
tables.py), between its `<!-- rows:NAME -->` and `<!-- /rows -->` markers; --check only
says whether they are current (exit 1 when not). python scripts/readme_tables.py [--check]"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))

from nonroot.tables import TABLES  # noqa: E402

MARKED = re.compile(r"(<!-- rows:(\w+) -->\n)(.*?)(<!-- /rows -->)", re.S)


def current(text: str) -> str:
    """The text with every marked table printed anew from the rows."""
    return MARKED.sub(lambda m: m.group(1) + TABLES[m.group(2)]() + m.group(4), text)


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text()
    fresh = current(text)
    if "--check" in sys.argv[1:]:
        if fresh != text:
            print("README.md: the rows' tables are out of date; run python scripts/readme_tables.py", file=sys.stderr)
            return 1
        return 0
    readme.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
