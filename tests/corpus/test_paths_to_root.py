"""Paths to root in the image's files, read without running anything in the image: the corpus
images that have one really give root to their non-root user (shown by running the way in),
and `nonroot verify` fails them as "a path to root" with the rule or file that opens it."""
from __future__ import annotations

import pytest

from cases import BY_NAME

pytestmark = pytest.mark.engine

# The way in, run as the image's own USER: each prints the UID it ends up with.
WAYS_IN = {
    "sudo-nopasswd": ["sudo", "-n", "id", "-u"],
    "doas-nopass": ["doas", "-n", "id", "-u"],
    "empty-root-password": ["su", "-c", "id -u", "root"],
    "passwd-writable": ["sh", "-c", "echo 'x::0:0::/root:/bin/sh' >> /etc/passwd && su -c 'id -u' x"],
    "cap-interpreter": ["python3", "-c", "import os; os.setuid(0); print(os.getuid())"],
    "sudo-chown-chmod": ["sh", "-c", "sudo -n /usr/bin/chmod u+s /bin/bash && bash -p -c 'id -u'"],
}


def run_as_image_user(engine, name: str, command: list[str]) -> tuple[int, str]:
    container = engine.containers.run(BY_NAME[name].tag, command, detach=True, stdin_open=False)
    try:
        code = container.wait(timeout=60)["StatusCode"]
        return code, container.logs().decode().strip()
    finally:
        container.remove(force=True)


@pytest.mark.parametrize("name", sorted(WAYS_IN))
def test_the_corpus_path_to_root_is_real(engine, corpus, name):
    assert run_as_image_user(engine, name, WAYS_IN[name]) == (0, "0")


def test_without_such_a_path_su_refuses_the_user(engine, corpus):
    code, output = run_as_image_user(engine, "named-user", WAYS_IN["empty-root-password"])
    assert code != 0 and "Authentication failure" in output


@pytest.mark.parametrize("name", sorted(WAYS_IN))
def test_a_real_path_to_root_fails_verification(corpus_reports, name):
    report = corpus_reports[name]
    assert report.exit_code == 1
    assert report.check("runtime").verdict == "pass"    # nothing runs as root: only the files tell
    assert report.check("path-to-root").verdict == "fail"
    assert report.check("path-to-root").summary.startswith("a path to root: ")


def test_debians_setuid_files_alone_are_a_warning_not_a_path(corpus_reports):
    report = corpus_reports["named-user"]
    assert report.check("path-to-root").verdict == "pass"
    assert report.check("setuid-files").verdict == "warn"


def test_strict_fails_setuid_files_without_a_path_to_root(verify):
    report = verify("named-user", strict=True)
    assert report.check("setuid-files").verdict == "fail"
    assert report.check("path-to-root").verdict == "pass"


def test_the_sudo_rule_and_the_setuid_sudo_are_the_evidence(corpus_reports):
    evidence = corpus_reports["sudo-nopasswd"].check("path-to-root").evidence
    assert any(line.endswith("/etc/sudoers.d/app:1: app ALL=(ALL) NOPASSWD:ALL") for line in evidence)
    assert any(line.endswith("/usr/bin/sudo 0:0 mode 4755 (setuid)") for line in evidence)
    assert "read: /etc/group, /etc/passwd, /etc/shadow, /etc/sudoers, /etc/sudoers.d/README, /etc/sudoers.d/app" \
        in evidence


def test_a_user_owned_config_dir_outside_the_app_paths_is_reported_writable(corpus_reports):
    check = corpus_reports["config-owned"].check("user-writable")
    assert check.verdict == "warn"
    assert "/etc/web/ 101:101 mode 0755 writable by UID 101 (+2 entries under it)" in check.evidence


def test_declaring_the_config_dir_writable_clears_it(verify):
    assert verify("config-owned", writable_paths=["/etc/web"]).check("user-writable").verdict == "pass"


def test_a_user_owned_sudoers_d_is_refused_by_sudo_and_only_warned_about(engine, corpus, corpus_reports):
    code, output = run_as_image_user(engine, "sudoers-d-owned", ["sudo", "-n", "id", "-u"])
    assert code != 0 and "/etc/sudoers.d is owned by uid 10001, should be 0" in output
    assert corpus_reports["sudoers-d-owned"].check("path-to-root").verdict == "warn"
    assert corpus_reports["sudoers-d-owned"].exit_code == 0


def test_an_accepted_root_command_is_named_in_the_verdict_instead_of_failing(verify):
    report = verify("sudo-job-late", accept_root_commands=["/usr/local/bin/rotate-logs"])
    assert report.exit_code == 0
    assert report.accepted_root_commands == ["sudo /usr/local/bin/rotate-logs"]
    runtime = report.check("runtime")
    assert "none with UID 0 outside the accepted root commands" in runtime.summary
    assert "`sudo -n /usr/local/bin/rotate-logs`" in runtime.summary
