"""Every corpus image gets the verdict it deserves, backed by the evidence that decides it.

The expectations live next to the Dockerfiles (cases.py): exit code 0 proven non-root,
1 root or privilege found, 2 could not tell; and, per case, the checks and the words
that must appear in them."""
from __future__ import annotations

import pytest

from cases import CASES, CORPUS_DIR, Case

pytestmark = pytest.mark.engine


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_exit_code_is_the_expected_verdict(case: Case, corpus_reports):
    report = corpus_reports[case.name]
    assert report.exit_code == case.exit_code, [(c.name, c.verdict, c.summary, c.evidence[:8])
                                                for c in report.failures()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_key_evidence_backs_the_verdict(case: Case, corpus_reports):
    report = corpus_reports[case.name]
    missing = [e for e in case.expect if not e.met_by(report.checks)]
    assert not missing, (missing, [(c.name, c.verdict, c.summary, c.evidence) for c in report.checks])


def test_every_corpus_dockerfile_has_an_expected_verdict():
    folders = {p.parent.name for p in CORPUS_DIR.glob("*/Dockerfile")}
    assert folders == {case.name for case in CASES}


def test_uids_come_from_the_kernel_with_capabilities_and_no_new_privs(corpus_reports):
    # The engine is on this machine: every process is followed through the kernel's process
    # events, and read from /proc/<pid>/status unless it ended first; never from `ps`.
    for report in corpus_reports.values():
        assert report.check("runtime").evidence and "every process, from the kernel's process events" in \
            "".join(report.check("runtime").evidence), report.image
        for proc in report.processes:
            assert proc.source in ("proc", "event"), proc
            assert proc.source == "event" or proc.no_new_privs is not None, proc


def test_a_dropped_process_next_to_a_root_one_is_judged_separately(corpus_reports):
    report = corpus_reports["root-background"]
    by_command = {p.command: p for p in report.processes}
    assert by_command["tail -f /dev/null"].uids == (0, 0, 0, 0)
    assert by_command["sleep infinity"].uids == (10001, 10001, 10001, 10001)
    assert "sleep infinity" not in report.check("runtime").summary


def test_a_setuid_binary_shows_as_effective_uid_0_with_the_real_uid_of_the_user(corpus_reports):
    report = corpus_reports["setuid-shell"]
    shell = next(p for p in report.processes if p.command.startswith("rootsh"))
    assert shell.uids[0] == 10001
    assert shell.uids[1] == 0


def test_a_name_aliasing_uid_0_is_resolved_from_the_images_own_passwd(corpus_reports):
    check = corpus_reports["root-alias"].check("config-user")
    assert "/etc/passwd: toor -> 0" in check.evidence


def test_kubernetes_run_as_non_root_is_stated_for_numbers_and_names(corpus_reports):
    assert corpus_reports["numeric-user"].check("kubernetes").verdict == "pass"
    named = corpus_reports["named-user"].check("kubernetes")
    assert named.verdict == "warn"
    assert "cannot verify" in named.summary
    assert "use USER 10001:10001" in named.summary


def test_an_image_without_a_shell_is_read_without_running_anything_in_it(corpus_reports):
    report = corpus_reports["no-shell"]
    assert [p.command for p in report.processes] == ["/bin/sleep infinity"]
    assert report.check("setuid-files").verdict == "pass"


def test_a_short_lived_image_says_what_is_and_is_not_proven(corpus_reports):
    runtime = corpus_reports["exits-at-once"].check("runtime")
    assert runtime.evidence[0].startswith("proven: ")
    assert runtime.evidence[1].startswith("not proven: ")
    # every process it ran was still followed (process events), and none had UID 0
    assert all(not p.root_uid_roles() for p in corpus_reports["exits-at-once"].processes)


def test_a_capability_that_regains_root_fails_a_non_root_process(corpus_reports):
    report = corpus_reports["file-capability"]
    proc = next(p for p in report.processes if p.command.startswith("capsleep"))
    assert proc.root_uid_roles() == []
    assert "CAP_SETUID" in proc.cap_eff
    assert report.check("capabilities").verdict == "fail"
