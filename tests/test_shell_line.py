"""A start command given as a shell line runs with sh -c, its last command exec'd so that the
service, not a shell, gets the engine's signals; refused where the runtime has no shell."""
from __future__ import annotations

import subprocess

import pytest
from copier import run_copy

from nonroot import catalog, checks
from nonroot import plan as plans
from nonroot.shell_line import argv, parse, step_commands


@pytest.mark.parametrize(("line", "script"), [
    ("gunicorn app:app", "exec gunicorn app:app"),
    ("python manage.py migrate && gunicorn site.wsgi", "python manage.py migrate && exec gunicorn site.wsgi"),
    ("flask db upgrade; flask translate compile; gunicorn app:app",
     "flask db upgrade; flask translate compile; exec gunicorn app:app"),
    ("exec node dist/index.js", "exec node dist/index.js"),
    ('LOG=debug MODE="a b" node x.js', 'LOG=debug MODE="a b" exec node x.js'),
    ('echo "a && b"; serve', 'echo "a && b"; exec serve'),
    ("serve $(cat args; echo x)", "exec serve $(cat args; echo x)"),
    ("cd src && python3 -m app # the server", "cd src && exec python3 -m app # the server"),
])
def test_the_last_command_is_execd(line, script):
    assert argv(line) == ("sh", "-c", script)


@pytest.mark.parametrize("line", ["serve | tee log", "migrate && serve &"])
def test_a_pipeline_or_background_job_is_left_as_written(line):
    assert parse(line).execs is False and argv(line)[2] == line


def test_the_steps_before_the_service_are_named():
    assert step_commands("a && b; c || d") == ["a", "b", "c"]


@pytest.mark.parametrize(("line", "variables", "expected"), [
    ("echo start >&2 && echo $MODE", {"MODE": "on"}, "on"),
    ("false || echo fallback", {}, "fallback"),
    ("X=1 printenv X", {}, "1"),
])
def test_the_script_means_what_the_line_says(line, variables, expected):
    result = subprocess.run(list(argv(line)), capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **variables})
    assert result.stdout.strip() == expected


def test_the_service_replaces_the_shell():
    """exec'd: the last command runs as the shell's own process (the PID the engine signals)."""
    probe = subprocess.Popen(list(argv("sleep 0 && exec sleep 5")))
    try:
        with open(f"/proc/{probe.pid}/cmdline", "rb") as cmdline:
            for _ in range(50):
                words = cmdline.read().split(b"\0")
                if words[0] == b"sleep":
                    break
                cmdline.seek(0)
                subprocess.run(["sleep", "0.05"])
        assert words[:2] == [b"sleep", b"5"]
    finally:
        probe.kill()
        probe.wait()


def test_the_plan_runs_a_shell_line_with_sh():
    plan = plans.build_plan({"command": "python manage.py migrate && gunicorn site.wsgi"})
    assert plan.argv == ("sh", "-c", "python manage.py migrate && exec gunicorn site.wsgi")


@pytest.mark.parametrize("distro", [d for d, family in catalog.FAMILIES.items() if family.shell_less])
def test_a_shell_line_is_refused_where_there_is_no_shell(distro):
    error = checks.command_error("migrate && serve", {"distro": distro})
    assert error.startswith(f"command: a shell line runs with sh, and {distro} has no shell")


@pytest.mark.parametrize("value", ["", "  ", [], None, 7])
def test_a_missing_command_says_how_to_answer_it(value):
    assert checks.command_error(value, {}).startswith("command: nothing tells how the service starts")


def test_a_shell_line_is_one_line():
    assert checks.command_error("migrate\nserve", {}) == \
        "command: a shell line must be one line (join the steps with && or ;)"


def test_a_word_of_an_exec_form_command_must_be_a_string():
    assert checks.command_error(["gunicorn", 3], {}) == "command: 3 must be a non-empty string"


def test_without_the_sample_python_and_node_ask_for_the_command():
    assert plans.default_command("python", {"sample_app": False}) == []
    assert plans.default_command("node", {"sample_app": False}) == []
    assert plans.default_command("go", {"sample_app": False}) == ["/app/server"]


def test_the_dockerfile_runs_a_shell_line_through_sh(generate):
    text = (generate(command="flask db upgrade && gunicorn -b 0.0.0.0:8080 app:app") / "Dockerfile").read_text()
    assert 'CMD ["sh", "-c", "flask db upgrade && exec gunicorn -b 0.0.0.0:8080 app:app"]' in text


def test_copier_refuses_a_shell_line_on_distroless(renders, tmp_path):
    with pytest.raises(ValueError, match="command: a shell line runs with sh, and distroless has no shell"):
        run_copy(str(renders.template), str(tmp_path / "svc"), data={"distro": "distroless", "verify": False,
                 "command": "migrate && serve"}, defaults=True, unsafe=True, quiet=True)
    assert not (tmp_path / "svc").exists() or not any((tmp_path / "svc").iterdir())
