"""A new user's first run: the interactive `copier copy` driven like a person on a terminal,
and the README's first command in a clean virtual environment. Both end with a built and
verified service. The default base image needs a registry, so its prompt is answered with
the offline image (as the README tells users without one)."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import yaml

from helpers import ROOT

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# prompt_toolkit asks the terminal for the cursor position (ESC [6n) as each new prompt starts;
# the question's help follows Copier's microphone mark, its count "(4 of 15)" first.
NEW_PROMPT = re.compile("\x1b\\[6n.*?\U0001f3a4[^ ]* ([^\r\n]+)[\r\n]+([^\r\n]+)", re.S)
DONE = "no process runs as root"


def answer(child, help_text: str, offline_image: str) -> list[str]:
    """Answer one prompt as a person would; return what was seen (for the test's assertions)."""
    clear = "\x15"  # Ctrl-U: erase the default shown in the input line
    if help_text.startswith("Numeric user ID"):
        child.send(clear + "0")
        child.send("\r")
        child.expect(r"uid: must be 1-2147483647 \(0 is\s+root\)")  # shown, and Enter refused
        child.send(clear + "20001\r")
        return ["uid refused 0", "uid 20001"]
    if help_text.startswith("The runtime stage's FROM"):
        child.send(clear + offline_image + "\r")
        return ["base image"]
    child.send("\r")  # accept the default
    return []


@pytest.mark.engine
def test_interactive_copy_with_a_wrong_uid_corrected_ends_verified(tmp_path, python_base, built_tags):
    pexpect = pytest.importorskip("pexpect")
    built_tags.append("my-service:dev")  # the default service_name, which this run accepts
    dest = tmp_path / "first-service"
    env = {**os.environ, "TERM": "xterm", "NONROOT_QUIET": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "copier", "copy", "--trust", "-C", "--vcs-ref=HEAD", str(ROOT), str(dest)],
                          env=env, encoding="utf-8", timeout=30, dimensions=(50, 250))
    seen: list[str] = []
    prompts = 0
    try:
        while True:
            index = child.expect([NEW_PROMPT, DONE, pexpect.EOF], timeout=600 if prompts > 10 else 30)
            if index != 0:
                break
            prompts += 1
            seen += answer(child, ANSI.sub("", child.match.group(2)).strip(), python_base)
        assert index == 1, ANSI.sub("", child.before)[-3000:]
        child.expect(pexpect.EOF, timeout=120)
    finally:
        child.close(force=True)
    assert seen == ["base image", "uid refused 0", "uid 20001"]
    assert child.exitstatus == 0
    answers = yaml.safe_load((dest / ".copier-answers.nonroot.yml").read_text())
    assert (answers["uid"], answers["gid"], answers["base_image"]) == (20001, 20001, python_base)
    assert "USER 20001:20001" in (dest / "Dockerfile").read_text()
    built_tags.append(f"{answers['service_name']}:dev")


def readme_first_command() -> str:
    """The command under "# 1." in the README's first code block."""
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh", 1)[1].split("```", 1)[0]
    lines = block.strip().splitlines()
    return next(lines[i + 1] for i, line in enumerate(lines) if line.startswith("# 1."))


@pytest.mark.engine
def test_the_readme_command_in_a_clean_venv_builds_and_verifies(tmp_path, python_base, built_tags):
    built_tags.append("nr-fail-readme:dev")
    command = readme_first_command()
    assert ".venv/bin/nonroot new ../my-service --defaults" in command, command
    # The same command, with the venv and the service in this test's folder, and the base image
    # the engine has here (the README's advice for a machine without a registry).
    # It runs in a copy of the checkout, as a fresh clone would (pip install -e writes egg-info there).
    checkout = shutil.copytree(ROOT, tmp_path / "nonroot", ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "__pycache__", ".pytest_cache", "build"))
    venv, dest = tmp_path / "venv", tmp_path / "my-service"
    command = command.replace(".venv", shlex.quote(str(venv))).replace("../my-service", shlex.quote(str(dest)))
    command += f" -d base_image={python_base} -d service_name=nr-fail-readme"
    result = subprocess.run(["bash", "-c", command], cwd=checkout, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=900, env={**os.environ, "VIRTUAL_ENV": ""})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "nonroot: image nr-fail-readme:dev, user app (10001:10001):" in result.stderr
    assert DONE in result.stderr
    assert f"nonroot: generated {dest}" in result.stderr
    assert (dest / "Dockerfile").is_file()


def test_ctrl_c_while_answering_writes_nothing(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    dest = tmp_path / "svc"
    child = pexpect.spawn(sys.executable, ["-m", "nonroot.cli", "new", str(dest), "--vcs-ref", "HEAD"],
                          env={**os.environ, "TERM": "xterm"}, encoding="utf-8", timeout=60)
    child.expect(NEW_PROMPT)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "nonroot: interrupted while answering; nothing was written" in child.before
    assert "Traceback" not in child.before
    assert not dest.exists()
