"""Hostile answers: no answer can inject a Dockerfile instruction or shell, whatever the
question. Each row is refused by Copier's own validators (`copier copy`) and by `nonroot new`
(one line naming the question, exit 2), and nothing is written."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run_copier
from nonroot.cli import main

# (question, answer as typed after -d, what the refusal must name)
HOSTILE = [
    # newlines: a second Dockerfile instruction
    ("service_name", "svc\nUSER root", "service_name"),
    ("service_name", "svc\n", "service_name"),
    ("base_image", "python:3.12\n", "base_image"),
    ("builder_image", "python:3.12\nRUN id", "builder_image"),
    ("user", "app\n", "user"),
    ("user", "app\nUSER 0", "user"),
    ("group", "app\n", "group"),
    ("writable_paths", '["/data\\nUSER root"]', "writable_paths"),
    ("distro", "debian\nUSER root", "distro"),
    ("privilege", "user\nUSER root", "privilege"),
    # command substitution, backticks, quotes, separators
    ("user", "a$(id)", "user"),
    ("user", "a`id`", "user"),
    ("group", "app;id", "group"),
    ("service_name", "svc$(reboot)", "service_name"),
    ("service_name", "svc`id`", "service_name"),
    ("base_image", "python:3.12 AS root", "base_image"),
    ("base_image", "python:$(id)", "base_image"),
    ("base_image", "python:3.12'", "base_image"),
    ("builder_image", 'python:3.12"', "builder_image"),
    ("writable_paths", '["/data$(id)"]', "writable_paths"),
    ("writable_paths", '["/data`id`"]', "writable_paths"),
    ("writable_paths", "[\"/data'\"]", "writable_paths"),
    ("writable_paths", '["/data\\""]', "writable_paths"),
    ("writable_paths", '["/data; chown -R 0 /"]', "writable_paths"),
    # paths: relative, .., spaces, trailing /, not a list, not YAML
    ("writable_paths", "[/data/../etc]", "writable_paths"),
    ("writable_paths", "[/..]", "writable_paths"),
    ("writable_paths", '["/my data"]', "writable_paths"),
    ("writable_paths", "[/data/]", "writable_paths"),
    ("writable_paths", "/data", "writable_paths"),
    ("writable_paths", "{a: b}", "writable_paths"),
    ("writable_paths", "[/data", "writable_paths"),
    # ports
    ("port", "0", "port"),
    ("port", "65536", "port"),
    ("port", "-1", "port"),
    ("port", "8080; id", "port"),
    ("port", "0x50", "port"),
    # ids
    ("uid", "-1", "uid"),
    ("uid", "2147483648", "uid"),
    ("uid", "65534", "uid"),
    ("uid", "1e3", "uid"),
    ("gid", "$(id -g)", "gid"),
    # names
    ("user", "A" * 8, "user"),
    ("user", "a" * 33, "user"),
    ("user", "nobody", "user"),
    ("group", "sudo", "group"),
    ("service_name", "Svc", "service_name"),
    ("service_name", "s" * 64, "service_name"),
    ("service_name", "svc..x", "service_name"),
    # image references
    ("base_image", "Python:3.12", "base_image"),
    ("base_image", "python::3.12", "base_image"),
    ("base_image", "python@sha256:abc", "base_image"),
    ("base_image", "", "base_image"),
    # bools and choices
    ("home", "maybe", "home"),
    ("init", "1.5", "init"),
    ("distro", "gentoo", "distro"),
]


@pytest.fixture(scope="module")
def template(renders) -> Path:
    """This checkout's template without its git metadata (the session's snapshot, see
    tests/rendering.py): Copier renders the folder as it is instead of cloning it for every
    row (same copier.yml, same validators)."""
    return renders.template


def ids(rows: list[tuple[str, str, str]]) -> list[str]:
    return [f"{question}={value!r}"[:60] for question, value, _ in rows]


@pytest.mark.parametrize(("question", "value", "names"), HOSTILE, ids=ids(HOSTILE))
def test_nonroot_new_refuses_in_one_line_naming_the_question(template, tmp_path, capsys, question, value,
                                                             names):
    assert_refused_by_nonroot_new(template, tmp_path / "svc", capsys, names, {question: value})


def assert_refused_by_nonroot_new(template: Path, dest: Path, capsys, names: str, answers: dict) -> None:
    """`nonroot new` refuses ANSWERS: exit 2, one line naming the question, no DEST.
    In-process for speed; tests/test_invalid_answers.py runs the same path as a subprocess."""
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    status = main(["new", str(dest), "--defaults", "--template", str(template), *data])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"nonroot: {names}:"), lines[0]
    assert not dest.exists(), "a file was written for a hostile answer"


# Plain Copier casts -d values by type: `maybe` becomes True for a bool, so those rows are
# refused by `nonroot new` only. A value that int() or YAML cannot read is refused by Copier
# with a bare error that does not name the question (the reason `nonroot new` exists).
COPIER_ROWS = [row for row in HOSTILE if row[0] not in ("home", "init")]
UNNAMED_BY_COPIER = {("port", "8080; id"), ("port", "0x50"), ("uid", "1e3"), ("gid", "$(id -g)"),
                     ("writable_paths", "[/data")}


@pytest.mark.parametrize(("question", "value", "names"), COPIER_ROWS, ids=ids(COPIER_ROWS))
def test_copier_refuses_before_writing(template, tmp_path, question, value, names):
    from copier import run_copy
    from copier.errors import CopierError

    dest = tmp_path / "svc"
    with pytest.raises((ValueError, CopierError)) as refused:
        run_copy(str(template), str(dest), data={question: value}, defaults=True, unsafe=True, quiet=True)
    if (question, value) not in UNNAMED_BY_COPIER:
        assert names in str(refused.value)
    assert not dest.exists(), "a file was written for a hostile answer"


def test_copier_command_line_refuses_a_newline_before_writing(template, tmp_path):
    dest = tmp_path / "svc"
    result = run_copier("copy", "--trust", "--defaults", "-d", "user=app\nUSER 0", str(template), str(dest))
    assert result.returncode != 0
    assert "user: use a lowercase POSIX name" in result.stderr
    assert not dest.exists()


# Questions asked only for some stacks: (the answers that make them asked, question, value, name).
STACK_HOSTILE = [
    ({"stack": "go"}, "go_package", "./cmd\nUSER root", "go_package"),
    ({"stack": "go"}, "go_package", "./cmd/../..", "go_package"),
    ({"stack": "go"}, "go_package", "./$(id)", "go_package"),
    ({"stack": "go"}, "go_package", "/abs/path", "go_package"),
    ({"stack": "generic"}, "artifact", "dist/app\nUSER root", "artifact"),
    ({"stack": "generic"}, "artifact", "../outside", "artifact"),
    ({"stack": "generic"}, "artifact", "dist/`id`", "artifact"),
    ({"stack": "generic"}, "artifact", "dist/my app", "artifact"),
    ({"stack": "generic"}, "command", '"serve\\nUSER root"', "command"),
    ({"stack": "generic", "distro": "scratch"}, "command", '"/app/app && id"', "command"),
    ({"stack": "generic"}, "command", "[]", "command"),
    ({"stack": "generic"}, "command", '["/app/app", ""]', "command"),
    ({"stack": "python"}, "python_deps", "pip\nRUN id", "python_deps"),
    ({}, "stack", "python\nUSER root", "stack"),
    ({}, "stack", "rust", "stack"),
]


@pytest.mark.parametrize(("context", "question", "value", "names"), STACK_HOSTILE,
                         ids=[f"{q}={v!r}"[:60] for _, q, v, _ in STACK_HOSTILE])
def test_nonroot_new_refuses_hostile_stack_answers_in_one_line(template, tmp_path, capsys, context,
                                                              question, value, names):
    assert_refused_by_nonroot_new(template, tmp_path / "svc", capsys, names, {**context, question: value})


def test_a_generic_command_is_written_as_json_strings_not_as_instructions(generate):
    dest = generate(stack="generic", distro="debian", command=["/app/app", "--x\nUSER root", "$(id)"])
    dockerfile = (dest / "Dockerfile").read_text()
    assert "\nUSER root" not in dockerfile
    cmd = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]
    assert len(cmd) == 1 and '"--x\\nUSER root"' in cmd[0] and '"$(id)"' in cmd[0], cmd
