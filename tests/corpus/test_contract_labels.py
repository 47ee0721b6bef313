"""The contract an image states in its io.nonroot.* labels: the running UID must be the
labelled one, and the labelled writable paths count as declared."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.engine


def test_a_running_uid_other_than_the_label_fails(corpus_reports):
    report = corpus_reports["label-mismatch"]
    assert report.exit_code == 1
    check = report.check("contract")
    assert check.verdict == "fail"
    assert "io.nonroot.user=10001:10001" in check.summary and "uid r/e/s/fs=10002" in check.summary


def test_an_image_keeping_its_labels_passes_and_its_writable_path_is_not_reported(corpus_reports):
    report = corpus_reports["label-contract"]
    assert report.exit_code == 0
    assert report.check("contract").verdict == "pass"
    assert "/var/lib/app" in report.check("user-writable").evidence[0]


def test_an_image_without_labels_has_no_contract_check(corpus_reports):
    assert corpus_reports["named-user"].check("contract") is None
