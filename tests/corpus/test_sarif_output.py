"""`nonroot verify --sarif FILE` on real images: valid SARIF 2.1.0 (the official schema),
one result per failed or warned check."""
from __future__ import annotations

import json

import pytest

from sarif_schema import sarif_errors

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def sarif_of(run_verify, tmp_path_factory):
    """(exit code, SARIF log, JSON report) of one `nonroot verify --sarif F --json` run."""
    folder = tmp_path_factory.mktemp("sarif")

    def _sarif(name: str) -> tuple[int, dict, dict]:
        path = folder / f"{name}.sarif"
        result = run_verify(name, "--sarif", str(path), "--json")
        return result.returncode, json.loads(path.read_text()), json.loads(result.stdout)

    return _sarif


def test_a_path_to_root_is_an_error_result_in_valid_sarif(sarif_of):
    code, log, _ = sarif_of("sudo-nopasswd")
    assert code == 1
    assert sarif_errors(log) == []
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    assert results["path-to-root"]["level"] == "error"
    assert "NOPASSWD:ALL" in results["path-to-root"]["message"]["text"]
    assert results["setuid-files"]["level"] == "warning"


def test_there_is_one_result_per_failed_or_warned_check_and_none_for_passed_ones(sarif_of):
    code, log, report = sarif_of("numeric-user")
    assert code == 0 and sarif_errors(log) == []
    warned = [c["name"] for c in report["checks"] if c["verdict"] in ("warn", "fail", "unknown")]
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == warned
    assert {r["level"] for r in log["runs"][0]["results"]} == {"warning"}
