"""The README's comparison with hadolint comes from compare.py: hadolint run for real on
each corpus Dockerfile, next to nonroot's verdict for the image built from it."""
from __future__ import annotations

import pytest

from cases import BY_NAME, CASES
from compare import hadolint, table


def codes(name: str) -> set[str]:
    return {f.code for f in hadolint(BY_NAME[name].dockerfile)}


def test_hadolint_flags_user_0_spelled_out():
    assert "DL3002" in codes("user-0")


@pytest.mark.parametrize("name", ["root-alias", "arg-zero", "no-user", "root-background", "setuid-shell"])
def test_hadolint_does_not_see_root_that_nonroot_finds(name):
    assert "DL3002" not in codes(name)
    assert BY_NAME[name].exit_code == 1


def test_hadolint_flags_an_image_that_drops_correctly():
    assert "DL3002" in codes("drop-setpriv")
    assert BY_NAME["drop-setpriv"].exit_code == 0


@pytest.mark.engine
def test_the_comparison_table_has_a_row_per_case_with_nonroots_verdict(corpus_reports):
    findings = {case.name: hadolint(case.dockerfile) for case in CASES}
    rows = table(CASES, corpus_reports, findings).splitlines()[2:]
    assert len(rows) == len(CASES)
    for case, row in zip(CASES, rows):
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[0] == f"`{case.name}`"
        assert cells[3].startswith(f"**{case.exit_code}**")
        assert cells[5] == "yes"
