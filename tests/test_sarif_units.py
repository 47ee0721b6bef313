"""`nonroot verify --sarif`: a Report as SARIF 2.1.0, checked against the official schema."""
from __future__ import annotations

import json

import pytest

from nonroot.verifier.model import Check, Report
from nonroot.verifier.sarif import to_sarif, write_sarif
from nonroot.errors import NonrootError
from sarif_schema import sarif_errors, sarif_schema


def report() -> Report:
    return Report(image="svc:ci", image_id="sha256:" + "ab" * 32, config_user="app", checks=[
        Check("runtime", "pass", "1 process(es), none with UID 0"),
        Check("path-to-root", "fail", "a path to root: sudo gives UID 10001 app root without a password",
              ["/etc/sudoers.d/app:1: app ALL=(ALL) NOPASSWD:ALL", "/usr/bin/sudo 0:0 mode 4755 (setuid)"]),
        Check("setuid-files", "warn", "11 setuid/setgid file(s)", [f"/usr/bin/f{i} 0:0 mode 4755" for i in range(50)]),
        Check("runtime", "unknown", "short-lived"),
        Check("user-writable", "skip", "not judged"),
    ])


def test_the_schema_is_the_official_sarif_2_1_0_one():
    schema = sarif_schema()
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_the_log_is_valid_sarif_2_1_0():
    assert sarif_errors(to_sarif(report())) == []


def test_the_schema_check_can_fail():
    log = to_sarif(report())
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert sarif_errors(log)


def test_one_result_per_failed_warned_or_unknown_check_with_its_level():
    results = to_sarif(report())["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("path-to-root", "error"), ("setuid-files", "warning"), ("runtime", "warning")]


def test_rules_are_the_check_names_and_results_point_at_them():
    run = to_sarif(report())["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["path-to-root", "setuid-files", "runtime"]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_the_evidence_is_in_the_message_and_all_of_it_in_the_properties():
    results = to_sarif(report())["runs"][0]["results"]
    assert "- /etc/sudoers.d/app:1: app ALL=(ALL) NOPASSWD:ALL" in results[0]["message"]["text"]
    assert len(results[1]["properties"]["evidence"]) == 50
    assert "10 more evidence line(s)" in results[1]["message"]["text"]


def test_results_point_at_the_dockerfile_given():
    result = to_sarif(report(), "services/api/Dockerfile")["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/api/Dockerfile"


def test_a_proven_image_gives_a_valid_log_with_no_results():
    clean = Report(image="svc:ci", image_id="sha256:1", config_user="1:1", checks=[Check("runtime", "pass", "ok")])
    log = to_sarif(clean)
    assert log["runs"][0]["results"] == [] and sarif_errors(log) == []


def test_write_sarif_writes_json_and_refuses_an_unwritable_path_in_one_line(tmp_path):
    write_sarif(report(), tmp_path / "out.sarif")
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"
    with pytest.raises(NonrootError, match="--sarif .*cannot write it"):
        write_sarif(report(), tmp_path / "missing-dir" / "out.sarif")
