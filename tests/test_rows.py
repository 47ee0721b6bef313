"""The rows are the one place a stack or a family is stated: nothing shared names one, every
field of a row is read, and the README's tables are printed from them."""
from __future__ import annotations

import dataclasses
import re

import pytest

from helpers import ROOT
from nonroot import catalog, rows

NAMES = sorted({*catalog.STACKS, *catalog.FAMILIES})
# What every stack and family shares: the template, copier.yml, the shared includes, the
# plan and its checks, the detector. A name in quotes there would be a branch on it.
SHARED = [*(path for path in (ROOT / "template").rglob("*") if path.is_file()), *(ROOT / "includes").glob("*.jinja"),
          ROOT / "copier.yml", ROOT / "extensions" / "nonroot_plan.py",
          *(ROOT / "hooks" / "nonroot" / name for name in ("plan.py", "checks.py", "catalog.py", "rows.py",
                                                          "drop_tools.py", "detection.py", "tables.py")),
          ROOT / "hooks" / "nonroot" / "scaffold" / "detect.py"]
QUOTED_NAME = re.compile(r"""(['"])(%s)\1""" % "|".join(map(re.escape, NAMES)))


@pytest.mark.parametrize("path", SHARED, ids=lambda path: str(path.relative_to(ROOT)))
def test_nothing_shared_names_a_stack_or_a_family(path):
    text = path.read_text()
    assert QUOTED_NAME.findall(text) == []
    assert not any(name in re.split(r"\W+", str(path.relative_to(ROOT))) for name in NAMES)


@pytest.mark.parametrize("kind", ["stacks", "families"])
def test_a_folders_macros_name_no_other_stack_or_family(kind):
    for folder in (ROOT / "hooks" / "nonroot" / kind).iterdir():
        macros = folder / "macros.jinja"
        if macros.is_file():
            assert [m[1] for m in QUOTED_NAME.findall(macros.read_text()) if m[1] != folder.name] == [], macros


READERS = [*(ROOT / "hooks" / "nonroot").rglob("*.py"), *(ROOT / "hooks" / "nonroot").rglob("*.jinja"),
           *(ROOT / "template").rglob("*.jinja"), *(ROOT / "includes").glob("*.jinja"), ROOT / "copier.yml",
           ROOT / "tests" / "support_table.py"]


@pytest.mark.parametrize("row", [rows.Stack, rows.Family, rows.DropTool], ids=lambda row: row.__name__)
def test_every_field_of_a_row_is_read(row):
    """A field that nothing reads would be a rule stated and never enforced."""
    # The rows' own folders set the fields (their macros and detection read them).
    text = "\n".join(path.read_text() for path in READERS
                     if not ("/stacks/" in str(path) or "/families/" in str(path)) or path.suffix == ".jinja"
                     or path.name == "detect.py")
    unread = [f.name for f in dataclasses.fields(row) if not re.search(rf"\.{f.name}\b", text)]
    assert unread == []


def test_the_tables_name_every_stack_and_family():
    from nonroot.tables import TABLES

    for name, table in TABLES.items():
        text = table()
        assert text.startswith("| ") and text.count("\n| --- |") == 1, name
    assert all(f"`{name}`" in TABLES["stacks"]() for name in catalog.STACKS)
    assert all(f"`{name}`" in TABLES["families"]() for name in catalog.FAMILIES)
