"""The one build-log parser (nonroot.scaffold.build): both builders' logs give the same steps, cache hits
and failure reasons, read from the build's own structure (step headers, exit codes), never from
what the Dockerfile echoes; no terminal colour code reaches a message."""
from __future__ import annotations

import pytest

from nonroot.scaffold.build import CLASSIC, _Log, choose_builder, parse_line, plain
from nonroot.errors import BuildFailed

BUILDKIT_FAILING = [
    "#1 [internal] load build definition from Dockerfile",
    "#1 DONE 0.0s",
    "#4 [builder 1/5] FROM docker.io/nonroot-test/python:bookworm-1",
    "#4 CACHED",
    "#5 [stage-1 2/6] RUN if grep -E '^(app|...):' /etc/passwd; then exit 1; fi",
    "#5 0.512 www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin",
    "#7 [builder 2/5] RUN python3 -m venv /opt/venv",
    "#5 0.513 \x1b[31mnonroot: the base image already has the user/group or ID above\x1b[0m",
    "#5 ERROR: process \"/bin/sh -c if grep ...\" did not complete successfully: exit code: 1",
    "#7 DONE 1.2s",
    "------",
    " > [stage-1 2/6] RUN if grep -E '^(app|...):' /etc/passwd; then exit 1; fi:",
    "------",
    "error: failed to solve: process \"/bin/sh -c if grep ...\" did not complete successfully: exit code: 1",
]


def feed(lines: list[str]) -> _Log:
    log = _Log(on_line=None)
    for line in lines:
        log.feed(line)
    return log


def test_buildkit_steps_are_read_once_each_with_their_stage():
    event = parse_line("#5 [stage-1 2/6] RUN useradd app")
    assert (event.kind, event.vertex, event.stage, event.index, event.total, event.text) == \
        ("step", "5", "stage-1", 2, 6, "RUN useradd app")
    log = feed(BUILDKIT_FAILING)
    assert [(s.instruction.split()[0], s.cached) for s in log.step_list] == [("FROM", True), ("RUN", False),
                                                                              ("RUN", False)]


def test_classic_steps_and_cache_hits_are_read_from_the_same_parser():
    log = feed(["Step 1/2 : FROM debian:12", " ---> de562ae4c7ba", "Step 2/2 : RUN true", " ---> Using cache",
                " ---> 5cc15f2027ce"])
    assert [(s.instruction, s.cached) for s in log.step_list] == [("FROM debian:12", False), ("RUN true", True)]


def test_a_failing_buildkit_step_is_named_with_its_exit_code_and_last_output_line():
    failure = feed(BUILDKIT_FAILING).failure()
    assert str(failure) == ("step `RUN if grep -E '^(app|...):' /etc/passwd; then exit 1; fi` failed with exit code 1: "
                            "nonroot: the base image already has the user/group or ID above")
    assert failure.log_tail == ["www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin",
                                "nonroot: the base image already has the user/group or ID above"]


def test_a_failing_classic_step_gives_the_same_shape_of_reason():
    log = feed(["Step 1/2 : FROM debian:12", " ---> de562ae4c7ba", "Step 2/2 : RUN echo about-to-fail && false",
                " ---> Running in 061513688a94", "about-to-fail"])
    failure = log.failure("The command '/bin/sh -c echo about-to-fail && false' returned a non-zero code: 1")
    assert str(failure) == "step `RUN echo about-to-fail && false` failed with exit code 1: about-to-fail"


def test_a_base_image_buildkit_cannot_resolve_is_named_as_written():
    log = feed(["#3 [internal] load metadata for docker.io/nonroot-test/does-not-exist:1",
                "#3 ERROR: pull access denied, repository does not exist or may require authorization"])
    assert str(log.failure()).startswith("base image nonroot-test/does-not-exist:1 could not be pulled "
                                         "(pull access denied")


def test_colour_codes_never_reach_the_log_or_a_message():
    assert plain("\x1b[1;31mERROR\x1b[0m: x\x1b]8;;http://e\x07link\x1b]8;;\x07") == "ERROR: x" + "link"
    log = feed(BUILDKIT_FAILING)
    assert not any("\x1b" in line for line in log.lines)
    assert "\x1b" not in str(log.failure())


def test_the_builder_can_be_forced_and_a_wrong_value_is_refused(monkeypatch):
    monkeypatch.setenv("NONROOT_BUILDER", "classic")
    assert choose_builder(client=None) == (CLASSIC, "")
    monkeypatch.setenv("NONROOT_BUILDER", "kaniko")
    with pytest.raises(BuildFailed, match="NONROOT_BUILDER='kaniko': use buildkit or classic"):
        choose_builder(client=None)
