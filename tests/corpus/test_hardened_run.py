"""The hardened run: the image must still start and stay up with --read-only (tmpfs for
/tmp and the declared writable paths), --cap-drop ALL, no-new-privileges and, when
asked, an arbitrary UID with GID 0. What breaks is named, restriction by restriction."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.engine

ARBITRARY_UID = 1000650000


@pytest.fixture(scope="module")
def arbitrary_report(verify):
    return verify("gid-0-openshift", arbitrary_uid=ARBITRARY_UID)


def test_an_image_that_stays_up_hardened_passes(corpus_reports):
    check = corpus_reports["named-user"].check("hardened-run")
    assert check.verdict == "pass"
    assert check.summary.startswith("stays up with --read-only")


def test_a_drop_entrypoint_is_named_as_broken_by_cap_drop_all_alone(corpus_reports):
    check = corpus_reports["drop-setpriv"].check("hardened-run")
    assert check.verdict == "warn"
    assert "setresuid failed: Operation not permitted" in check.summary
    assert any(line.startswith("alone: --cap-drop ALL: breaks it") for line in check.evidence)
    assert "alone: --security-opt no-new-privileges: works" in check.evidence


def test_a_write_outside_the_declared_paths_is_named_as_broken_by_read_only(corpus_reports):
    check = corpus_reports["writes-at-start"].check("hardened-run")
    assert "Read-only file system" in check.summary
    assert "breaks with: --read-only" in check.summary


def test_declared_writable_paths_get_a_tmpfs_in_the_hardened_run(declared_report):
    check = declared_report.check("hardened-run")
    assert check.verdict == "pass", check.summary
    assert "tmpfs: /tmp, /var/lib/app (/var/lib/app owned by 10001:10001 mode 0755, as in the image)" in check.summary


def test_arbitrary_uid_runs_the_image_as_that_uid_with_gid_0(arbitrary_report):
    check = arbitrary_report.check("hardened-run")
    assert check.verdict == "pass", check.summary
    assert f"--user {ARBITRARY_UID}:0" in check.summary
    ids = f"uid r/e/s/fs={'/'.join([str(ARBITRARY_UID)] * 4)} gid r/e/s/fs=0/0/0/0"
    assert any(ids in line for line in check.evidence), check.evidence


def test_a_short_lived_image_is_compared_by_its_exit_code(corpus_reports):
    check = corpus_reports["needs-env"].check("hardened-run")
    assert check.verdict == "pass"
    assert "exits with code 3, as in the normal run" in check.summary


def test_no_hardened_run_for_an_image_that_does_not_start(corpus_reports):
    assert corpus_reports["unknown-user"].check("hardened-run") is None


def test_a_volume_gets_the_image_directorys_owner_and_mode_so_only_the_real_cause_is_named(corpus_reports):
    # postgres' shape: without USER, a root-owned tmpfs over its VOLUME made --read-only look guilty.
    check = corpus_reports["volume-owned"].check("hardened-run")
    assert check.summary.endswith("; breaks with: --cap-drop ALL")
    assert any(line.startswith("alone: --read-only") and line.endswith(": works") for line in check.evidence)


def test_labelled_writable_paths_are_mounted_without_a_writable_flag(corpus_reports):
    check = corpus_reports["label-contract"].check("hardened-run")
    assert check.verdict == "pass", check.summary
    assert "/var/lib/app owned by 10001:10001 mode 0755, as in the image" in check.summary
