"""The comparison in docs/verification.md comes from compare.py: hadolint, Trivy and Checkov run for real on
each corpus Dockerfile, container-structure-test on each corpus image, next to nonroot's
verdict for the image built from it. These tests pin what each peer really says on the cases
that tell them apart."""
from __future__ import annotations

import pytest

from cases import BY_NAME, CASES, CORPUS_DIR
from compare import everything_said, scores, table
from peers import checkov, hadolint, structure_test, trivy_by_folder


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


@pytest.fixture(scope="module")
def by_trivy() -> dict:
    return trivy_by_folder(CORPUS_DIR)


def test_trivy_flags_a_missing_user_but_not_a_root_alias_or_a_sudo_rule(by_trivy):
    def trivy_codes(name: str) -> set[str]:
        return {f.code for f in by_trivy.get(name, [])}

    assert "DS-0002" in trivy_codes("no-user")
    assert "DS-0002" not in trivy_codes("root-alias")
    assert "DS-0002" not in trivy_codes("sudo-nopasswd")


@pytest.fixture(scope="module")
def by_checkov() -> dict:
    return checkov(CORPUS_DIR)


def test_checkov_flags_a_missing_user_but_not_user_0_or_a_root_alias(by_checkov):
    assert "CKV_DOCKER_3" in {f.code for f in by_checkov["no-user"]}
    for name in ("user-0", "root-alias"):
        assert not {f.code for f in by_checkov.get(name, [])} & {"CKV_DOCKER_3", "CKV_DOCKER_8"}


@pytest.mark.engine
def test_structure_test_sees_the_configured_user_not_what_runs(corpus):
    # It runs `id -u` in place of the entrypoint: a gosu drop looks like root, and a root
    # process left behind by an entrypoint is never started.
    assert structure_test(BY_NAME["named-user"].tag) == []
    assert [f.message for f in structure_test(BY_NAME["drop-gosu"].tag)] == ["id -u printed 0"]
    assert structure_test(BY_NAME["root-background"].tag)[0].message == "id -u printed 0"
    assert structure_test(BY_NAME["sudo-nopasswd"].tag) == []
    assert structure_test(BY_NAME["no-shell"].tag)[0].code == "error"


@pytest.mark.engine
def test_the_comparison_table_has_a_row_per_case_with_every_tool_and_nonroots_verdict(corpus, corpus_reports,
                                                                                      by_checkov, by_trivy):
    said = everything_said(CASES, by_checkov, by_trivy)
    rows = table(CASES, corpus_reports, said).splitlines()[2:]
    assert len(rows) == len(CASES)
    for case, row in zip(CASES, rows):
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 9, row
        assert cells[0] == f"`{case.name}`"
        assert cells[6].startswith(f"**{case.exit_code}**")
        assert cells[8] == "yes"
    judged = sum(c.exit_code in (0, 1) for c in CASES)
    assert all(count < judged for count in scores(CASES, said).values())   # each peer misses some
