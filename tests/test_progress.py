"""Progress of the long steps: build steps streamed and a spinner on a terminal, one plain line
per step in a log, only the summaries with --quiet; every mode ends in a summary."""
from __future__ import annotations

import io
import os
import sys
import time

import pytest

from helpers import remove_images, run_nonroot
from nonroot.scaffold.progress import PLAIN, QUIET, TTY, Progress, choose_mode

BUILD_OUTPUT = [
    "Step 1/3 : FROM debian:12",
    " ---> de562ae4c7ba",
    "Step 2/3 : RUN useradd app",
    " ---> Using cache",
    " ---> 5cc15f2027ce",
    "Step 3/3 : USER 10001:10001",
    " ---> Running in 061513688a94",
    "Removing intermediate container 061513688a94",
    " ---> 61d7184b5760",
    "Successfully built 61d7184b5760",
]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_build(mode: str, seconds: float = 0.0) -> str:
    stream = Terminal() if mode == TTY else io.StringIO()
    progress = Progress(stream=stream, mode=mode)
    with progress.phase("building the image t:dev") as phase:
        for line in BUILD_OUTPUT:
            progress.on_build_line(line)
        time.sleep(seconds)
        phase.summary = progress.build_summary("t:dev")
    return stream.getvalue()


def test_mode_follows_the_stream_and_quiet():
    assert choose_mode(Terminal(), quiet=False) == TTY
    assert choose_mode(io.StringIO(), quiet=False) == PLAIN
    assert choose_mode(Terminal(), quiet=True) == QUIET


def test_plain_mode_prints_a_line_per_step_and_a_summary():
    lines = run_build(PLAIN).splitlines()
    assert lines[:4] == ["nonroot: building the image t:dev ...", "  Step 1/3 : FROM debian:12",
                         "  Step 2/3 : RUN useradd app", "  Step 3/3 : USER 10001:10001"]
    assert lines[4].startswith("nonroot: built t:dev (3 steps, 1 cached) in ")
    assert len(lines) == 5


def test_plain_mode_writes_no_carriage_return_or_escape():
    output = run_build(PLAIN, seconds=0.3)
    assert "\r" not in output and "\x1b" not in output


def test_quiet_mode_prints_the_summary_only():
    lines = run_build(QUIET, seconds=0.3).splitlines()
    assert len(lines) == 1 and lines[0].startswith("nonroot: built t:dev (3 steps, 1 cached) in ")


def test_tty_mode_spins_while_the_step_runs_and_clears_the_line():
    output = run_build(TTY, seconds=0.5)
    assert "\r| building the image t:dev" in output and "\r/ building the image t:dev" in output
    assert "  Step 3/3 : USER 10001:10001\n" in output
    # the spinner's line is cleared before the summary, which ends the output
    assert output.rsplit("\r\x1b[K", 1)[1].startswith("nonroot: built t:dev (3 steps, 1 cached) in ")
    assert output.endswith("s\n")


def test_a_failed_phase_stops_the_spinner_and_prints_no_summary():
    stream = Terminal()
    progress = Progress(stream=stream, mode=TTY)
    with pytest.raises(RuntimeError):
        with progress.phase("building the image t:dev") as phase:
            time.sleep(0.25)
            phase.summary = "never shown"
            raise RuntimeError("build failed")
    assert "never shown" not in stream.getvalue()
    assert stream.getvalue().endswith("\r\x1b[K")


# What these tests read is the progress around the build and the verification, not the
# verification itself: a short watch window and no hardened run.
FAST_VERIFY = ("--settle", "1", "--no-hardened")


@pytest.fixture(scope="module")
def service(renders, python_base, engine):
    yield renders.shared(base_image=python_base, service_name="nr-fail-progress")
    remove_images(engine, "nr-fail-progress:dev")


def test_check_in_a_log_streams_steps_line_by_line(service):
    result = run_nonroot("check", *FAST_VERIFY, str(service))
    assert result.returncode == 0, result.stderr
    assert "  Step 1/" in result.stderr
    assert "nonroot: built nr-fail-progress:dev (" in result.stderr
    assert "nonroot: verification of nr-fail-progress:dev done in " in result.stderr
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert "=> PROVEN NON-ROOT" in result.stdout


def test_check_quiet_prints_summaries_only(service):
    result = run_nonroot("check", "--quiet", *FAST_VERIFY, str(service))
    assert result.returncode == 0, result.stderr
    assert "Step " not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("nonroot: built nr-fail-progress:dev (")
    assert lines[1].startswith("nonroot: verification of nr-fail-progress:dev done in ")
    out = result.stdout.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("nonroot: nr-fail-progress:dev: => PROVEN NON-ROOT"), result.stdout


def test_check_on_a_terminal_shows_a_spinner_shows_a_spinner(service):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "nonroot.cli", "check", *FAST_VERIFY, str(service)], env=dict(os.environ),
                          encoding="utf-8", timeout=300)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before[-2000:]
    assert "\r| verifying nr-fail-progress:dev" in child.before
    assert "  Step 1/" in child.before
    assert "nonroot: verification of nr-fail-progress:dev done in " in child.before
