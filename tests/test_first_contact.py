"""First contact: `nonroot new` driven as a new user drives it, in a pseudo-terminal of 80
columns, its screen read back through a terminal emulator (pyte): the count of questions,
a refused answer shown whole, the advanced gate, Ctrl-C; and, with the engine, the realistic
first failure (the default base image cannot be pulled here) recovered from by typing each
printed advice."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

COLUMNS, ROWS = 80, 30
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# prompt_toolkit asks the terminal for the cursor position (ESC [6n) as each new prompt starts;
# Copier's microphone mark, then the help: its first line is the count, "(4 of 15)".
NEW_PROMPT = re.compile("\x1b\\[6n.*?\U0001f3a4[^ ]* ([^\r\n]+)[\r\n]+([^\r\n]+)", re.S)
COUNT = re.compile(r"^\((\d+) of (\d+)\)$")
CLEAR = "\x15"  # Ctrl-U: erase the default shown in the input line


class Terminal:
    """`nonroot ARGS` in a pseudo-terminal of 80 columns; `screen()` is what a person sees."""

    def __init__(self, *args: str, cwd: Path) -> None:
        pexpect = pytest.importorskip("pexpect")
        pyte = pytest.importorskip("pyte")
        self.pexpect = pexpect
        self._screen = pyte.Screen(COLUMNS, ROWS)
        self._stream = pyte.Stream(self._screen)
        self.output = ""
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        self.child = pexpect.spawn(sys.executable, ["-m", "nonroot.cli", *args], cwd=str(cwd),
                                   env={**os.environ, "TERM": "xterm", "PATH": path, "COLUMNS": str(COLUMNS)},
                                   encoding="utf-8", timeout=60, dimensions=(ROWS, COLUMNS))

    def _read(self, text: str) -> None:
        self.output += text
        self._stream.feed(text)

    def expect(self, pattern, timeout: float = 60) -> int:
        index = self.child.expect(pattern, timeout=timeout)
        self._read(self.child.before + (self.child.after if isinstance(self.child.after, str) else ""))
        return index

    def screen(self) -> str:
        """The screen's lines joined as the eye reads a wrapped line: without the line breaks."""
        return "".join(line.rstrip() if len(line.rstrip()) < COLUMNS else line for line in self._screen.display)

    def next_question(self, timeout: float = 60) -> tuple[int, int, str] | None:
        """The next question's count and first line of help: (4, 15, "Numeric user ID ...");
        None once the command ended."""
        if self.expect([NEW_PROMPT, self.pexpect.EOF], timeout=timeout) == 1:
            return None
        # answer the prompt's cursor position request as a terminal does (else it waits a second)
        self.child.send(f"\x1b[{self._screen.cursor.y + 1};{self._screen.cursor.x + 1}R")
        count = COUNT.match(ANSI.sub("", self.child.match.group(1)).strip())
        assert count, f"no count in {self.child.match.group(1)!r}"
        return int(count[1]), int(count[2]), ANSI.sub("", self.child.match.group(2)).strip()

    def finish(self, timeout: float = 600) -> int:
        self.expect(self.pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus

    def plain(self) -> str:
        return ANSI.sub("", self.output)


def answer_all(term: Terminal, answers: dict[str, str]) -> list[tuple[int, int, str]]:
    """Answer each question: the text for the first of ANSWERS' keys its help starts with,
    else Enter (the default). Returns (number, of, help) for each question seen."""
    seen = []
    while (question := term.next_question()) is not None:
        seen.append(question)
        text = question[2]
        typed = next((value for start, value in answers.items() if text.startswith(start)), None)
        term.child.send("\r" if typed is None else CLEAR + typed + "\r")
    return seen


ADVANCED = "Advanced settings?"
VERIFY = "After generating, build the image"


def test_the_questions_are_counted_and_the_advanced_ones_wait_behind_one_gate(tmp_path):
    term = Terminal("new", "svc", "--vcs-ref", "HEAD", cwd=tmp_path)
    seen = answer_all(term, {VERIFY: "n"})
    assert term.finish() == 0, term.plain()[-3000:]
    numbers = [(number, total) for number, total, _ in seen]
    assert numbers == [(i, len(seen)) for i in range(1, len(seen) + 1)]  # 1 of N ... N of N, as counted
    assert len(seen) <= 16
    texts = [text for _, _, text in seen]
    assert any(text.startswith(ADVANCED) for text in texts)
    for advanced in ("Lowest UID/GID", "Path in the repository to a PEM CA bundle", "Run tini as PID 1"):
        assert not any(text.startswith(advanced) for text in texts), advanced
    answers = yaml.safe_load((tmp_path / "svc" / ".copier-answers.nonroot.yml").read_text())
    # skipped, not lost: their defaults are recorded as before
    assert (answers["uid_min"], answers["uid_max"], answers["build_ca_cert"], answers["init"]) == (1, 2147483647, "", False)
    assert answers["advanced"] is False
    # nonroot new ends with the next steps: commit, run, update
    assert re.search(r"Next steps:.*commit.*docker compose -f compose.yaml up.*copier update --trust --answers-file "
                     r"\.copier-answers\.nonroot\.yml", term.plain(), re.S)


def test_yes_at_the_gate_asks_the_advanced_questions_and_recounts(tmp_path):
    term = Terminal("new", "svc", "--vcs-ref", "HEAD", cwd=tmp_path)
    seen = []
    while (question := term.next_question()) is not None:
        seen.append(question)
        text = question[2]
        if text.startswith("Lowest UID/GID"):
            break
        term.child.send("y" if text.startswith(ADVANCED) else "\r")
    gate = next(i for i, (_, _, text) in enumerate(seen) if text.startswith(ADVANCED))
    assert seen[gate + 1][1] > seen[gate][1] + 10  # the total grows by the advanced questions
    assert seen[-1][2].startswith("Lowest UID/GID")
    term.child.sendcontrol("c")
    assert term.finish() == 130
    assert "nonroot: interrupted while answering; nothing was written" in term.plain()
    assert not (tmp_path / "svc").exists()


def test_a_refused_answer_is_shown_whole_at_80_columns_and_ctrl_c_writes_nothing(tmp_path):
    term = Terminal("new", "svc", "--vcs-ref", "HEAD", cwd=tmp_path)
    assert term.next_question()[2].startswith("Service name")
    term.child.send(CLEAR + "My_Service\r")
    term.expect(re.compile(r'got "My_Service"\)'))
    # the whole reason, wrapped over the lines it needs (it used to stop after "use lowercase letter")
    assert ("Validation error for question 'service_name': service_name: use lowercase letters, digits and "
            "single . _ - separators, starting and ending with a letter or digit, at most 63 characters "
            '(got "My_Service")') in term.screen()
    term.child.sendcontrol("c")
    assert term.finish() == 130
    lines = [line for line in term.plain().splitlines() if line.startswith("nonroot:")]
    assert lines == ["nonroot: interrupted while answering; nothing was written"]
    assert "Traceback" not in term.plain()
    assert not (tmp_path / "svc").exists()


def last_line(text: str) -> str:
    return [line for line in ANSI.sub("", text).splitlines() if line.startswith("nonroot:")][-1]


@pytest.mark.engine
def test_first_contact_a_failed_first_build_is_recovered_by_typing_each_printed_advice(
        tmp_path, python_base, engine, built_tags):
    service = "nr-first-contact"
    built_tags.append(f"{service}:dev")
    # 1. the first run, answering as a new user would: the default base image cannot be pulled here
    term = Terminal("new", "my-service", "--vcs-ref", "HEAD", cwd=tmp_path)
    answer_all(term, {"Service name": service})
    assert term.finish() == 1, term.plain()[-3000:]
    failure = last_line(term.output)
    assert "could not be pulled" in term.plain()
    dest = tmp_path / "my-service"
    assert (dest / "Dockerfile").is_file()
    # 2. its advice: another answer, by the printed command (the folder is regenerated)
    command = failure.split("to change an answer, run: ", 1)[1].split(" (your other answers are kept)")[0]
    assert command == "nonroot new my-service --defaults -d NAME=VALUE"
    argv = shlex.split(command.replace("NAME=VALUE", f"base_image={python_base} -d builder_image={python_base}"))
    # ... Ctrl-C while it verifies: one line, what was done and what is left
    term = Terminal(*argv[1:], "--vcs-ref", "HEAD", cwd=tmp_path)
    term.expect(re.compile(f"verifying {service}:dev"), timeout=600)
    term.child.sendcontrol("c")
    assert term.finish(timeout=120) == 130
    interrupted = [line for line in term.plain().splitlines() if "interrupted" in line]
    assert interrupted == [f"nonroot: interrupted while verifying {service}:dev: the verification container was "
                           "removed; the generated files are in place; to build and verify them: "
                           "nonroot check my-service"], term.plain()[-3000:]
    assert not engine.containers.list(all=True, sparse=True, filters={"ancestor": f"{service}:dev"})
    # 3. that line's advice
    check = subprocess.run(shlex.split(interrupted[0].rsplit("to build and verify them: ", 1)[1]), cwd=tmp_path,
                           capture_output=True, text=True, timeout=600,
                           env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"})
    assert check.returncode == 0, check.stdout + check.stderr
    assert "PROVEN NON-ROOT" in check.stdout
    answers = yaml.safe_load((dest / ".copier-answers.nonroot.yml").read_text())
    assert (answers["service_name"], answers["base_image"]) == (service, python_base)
