"""Adopting services whose start is not written down plainly (issue 22's proof, round two):
a start script that is not executable and runs migrations, an old Dockerfile whose command names
the old image's venv, a server's own config file for the port, a Node server with no start
script, Go code without go.mod. Each is adopted with answers alone (tests/adoption.py), built
with real dependencies, proven, healthy under the generated compose file, answering as non-root.
A service with no health route gets a check of its port, never an invented path."""
from __future__ import annotations

import subprocess

import pytest

from adoption import *  # noqa: F401,F403 - the behaviours every adopted app shows run here
from adoption import App, fixtures

pytestmark = pytest.mark.engine
IMPLEMENTATION = "compose"  # today's Compose (test_adoption.py runs its apps under 1.29)

PYTHON = {"base_image": "python_base"}
ROUND_TWO = [
    # ENTRYPOINT ["./boot.sh"] (chmod +x in the old Dockerfile, not in git): sh boot.sh, which
    # runs `flask db upgrade` into /data, then execs gunicorn on EXPOSE's port
    App("flask-boot", PYTHON),
    # ENTRYPOINT ["/app/bin/python", "/app/bin/agenda-server"] names the old image's venv: the
    # console script instead; the port is in the server's own config file
    App("agenda-server", PYTHON),
    # no start script, no main file: lib/serve.js, which starts the server
    App("node-nostart", {"base_image": "node_image"}),
    # go.mod made as the refusal says (go mod init); ENTRYPOINT ["/server"] is the built binary
    App("go-nomod", {"builder_image": "go_toolchain", "base_image": "python_base"}),
]


def follow_the_go_mod_advice(dest, toolchain: str) -> None:
    """`go mod init <module path>`, run with the Go toolchain image as the user would."""
    subprocess.run(["docker", "run", "--rm", "-v", f"{dest}:/src", "-w", "/src", toolchain,
                    "go", "mod", "init", "example.com/hits"], check=True, capture_output=True)


def prepare(request, app: App, dest) -> None:
    if app.name == "go-nomod":
        follow_the_go_mod_advice(dest, request.getfixturevalue("go_toolchain"))


adopted, running = fixtures(ROUND_TWO, IMPLEMENTATION, prepare)


EXPECTED = {
    "flask-boot": {"command": ["sh", "boot.sh"], "port": 5000, "health_path": "tcp"},
    "agenda-server": {"command": ["agenda-server"], "port": 5232, "health_path": "tcp"},
    "node-nostart": {"command": ["node", "lib/serve.js"], "port": 4100, "health_path": "tcp"},
    "go-nomod": {"command": ["/app/server"], "port": 8000, "health_path": "tcp"},
}


def test_detection_answered_the_start_the_port_and_the_check(adopted):
    expected = EXPECTED[adopted.app.name]
    assert {key: adopted.answers[key] for key in expected} == expected


# What each service logs once its start-up steps ran (flask-boot: the migrations, into /data).
STARTED = {
    "flask-boot": "Running upgrade  -> 200174811cfa, entries",
    "agenda-server": "agenda on 0.0.0.0:5232, calendars in /data/calendars",
    "node-nostart": "uptime board on :4100",
    "go-nomod": "listening on :8000",
}


def test_its_start_up_steps_ran(adopted, running):
    assert STARTED[adopted.app.name] in running.log, running.log
