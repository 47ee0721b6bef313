"""The filesystem checks read the image as the engine exports it (streamed, no shell):
setuid/setgid files and file capabilities, every file the runtime user can write,
world-writable directories."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.engine


def test_setuid_files_are_listed_as_a_warning_by_default(corpus_reports):
    check = corpus_reports["named-user"].check("setuid-files")
    assert check.verdict == "warn"
    assert "/usr/bin/su 0:0 mode 4755 (setuid)" in check.evidence


def test_setgid_directories_are_not_setuid_files(corpus_reports):
    # Debian's /var/mail and /var/local are setgid directories: group inheritance, no privilege.
    evidence = corpus_reports["named-user"].check("setuid-files").evidence
    assert not [line for line in evidence if line.startswith(("/var/mail", "/var/local"))]


def test_sticky_temporary_directories_are_not_world_writable_findings(corpus_reports):
    # /var/tmp and /run/lock are 1777 in Debian: expected, not reported.
    assert corpus_reports["named-user"].check("world-writable").verdict == "pass"


def test_application_files_owned_by_the_runtime_user_are_named_as_application_paths(corpus_reports):
    check = corpus_reports["app-writable"].check("user-writable")
    assert check.verdict == "warn"
    assert "/app/app.sh 10001:10001 mode 0644 writable by UID 10001 [application path]" in check.evidence


def test_a_world_writable_directory_is_also_writable_by_the_user(corpus_reports):
    evidence = corpus_reports["app-writable"].check("user-writable").evidence
    assert "/srv/uploads/ 0:0 mode 0777 writable by UID 10001" in evidence


def test_a_declared_writable_path_is_not_reported_as_writable(declared_report):
    assert declared_report.check("user-writable").verdict == "pass"


def test_app_writable_is_not_judged_when_every_process_is_root(corpus_reports):
    assert corpus_reports["no-user"].check("user-writable").verdict == "skip"
