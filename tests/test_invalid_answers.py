"""Invalid answers are refused before any file is written, with the question and the rule.
The template is the session's snapshot of this checkout (tests/rendering.py): what is
tested is the refusal, not Copier's clone of a git checkout."""
from __future__ import annotations

import re

import pytest

from helpers import run_copier, run_nonroot
from nonroot.cli import main

INVALID = [
    ("user", "root", "reserved"),
    ("user", "Bad Name", "lowercase POSIX name"),
    ("uid", "0", "0 is"),
    ("uid", "abc", "'abc'"),
    ("uid", "1.5", "1.5"),
    ("gid", "0", "root group"),
    ("group", "root", "reserved"),
    ("service_name", "My Service", "service_name"),
    ("base_image", "python:3.12\nUSER root", "base_image"),
    ("writable_paths", "[data]", "absolute path"),
    ("writable_paths", "[/etc]", "system or code directory"),
    ("port", "0", "port"),
    ("distro", "scratch", "scratch is an empty image with no Python runtime"),
    ("stack", "rust", "stack"),
    ("build_command", "[npm, '']", "build_command: \"\" must be a non-empty string"),
    ("build_command", "{npm: build}", "build_command: must be a YAML list"),
    ("build_command", "yarn build \\", "build_command: must be one shell line"),
]


@pytest.mark.parametrize(("question", "value", "reason"), INVALID)
def test_copier_refuses_before_writing(renders, tmp_path, question, value, reason):
    from copier import run_copy
    from copier.errors import CopierError

    dest = tmp_path / "svc"
    with pytest.raises((ValueError, CopierError), match=re.escape(reason)):
        run_copy(str(renders.template), str(dest), data={question: value}, defaults=True, unsafe=True, quiet=True)
    assert not dest.exists(), "a file was written for an invalid answer"


@pytest.mark.parametrize(("question", "value", "reason"), INVALID)
def test_nonroot_new_refuses_with_one_line(renders, tmp_path, capsys, question, value, reason):
    dest = tmp_path / "svc"
    status = main(["new", str(dest), "--defaults", "--template", str(renders.template), "-d", f"{question}={value}"])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nonroot: ") and reason in lines[0]
    assert not dest.exists()


# The same refusals through the command lines, as a user meets them (one row each: the
# rows above run in-process, the path from the answer to the message is the same).
def test_the_copier_command_line_refuses_before_writing(renders, tmp_path):
    dest = tmp_path / "svc"
    result = run_copier("copy", "--trust", "--defaults", "-d", "uid=0", str(renders.template), str(dest))
    assert result.returncode != 0
    assert "0 is root" in result.stderr
    assert not dest.exists(), "a file was written for an invalid answer"


def test_the_nonroot_command_line_refuses_in_one_line(renders, tmp_path):
    dest = tmp_path / "svc"
    result = run_nonroot("new", str(dest), "--defaults", "--template", str(renders.template), "-d", "uid=0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "nonroot: uid: must be 1-2147483647 (0 is root), got 0; nothing was written"]
    assert "Traceback" not in result.stderr
    assert not dest.exists()


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_nonroot_new_refuses_a_bool_that_is_not_true_or_false(renders, tmp_path, value):
    dest = tmp_path / "svc"
    result = run_nonroot("new", str(dest), "--defaults", "--template", str(renders.template), "-d", f"verify={value}")
    assert result.returncode == 2
    assert "verify: must be true or false" in result.stderr
    assert not dest.exists()


def test_nonroot_new_refuses_an_unknown_question(renders, tmp_path):
    result = run_nonroot("new", str(tmp_path / "svc"), "--defaults", "--template", str(renders.template), "-d", "usr=app")
    assert result.returncode == 2
    assert "-d usr: no such question" in result.stderr
