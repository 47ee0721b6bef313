"""Detection: what an existing repository tells nonroot, one signal per test, each with its source."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from adoption import app_copy
from nonroot.families.debian import CODENAME  # the go row builds on golang:<version>-<Debian codename>
from nonroot.scaffold.detect import code_files, detect


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def finding(root: Path, question: str):
    return next((f for f in detect(root).findings if f.question == question), None)


# ------------------------------------------------------------------ stack
@pytest.mark.parametrize(("files", "stack", "source"), [
    ({"go.mod": "module x\n\ngo 1.22\n"}, "go", "go.mod"),
    ({"requirements.txt": "flask\n"}, "python", "requirements.txt"),
    ({"pyproject.toml": "[project]\nname = 'x'\n"}, "python", "pyproject.toml"),
    ({"manage.py": "import django\n"}, "python", "manage.py"),
    ({"package.json": "{}"}, "node", "package.json"),
])
def test_stack_comes_from_the_manifest(tmp_path, files, stack, source):
    found = finding(write(tmp_path, files), "stack")
    assert (found.value, found.source) == (stack, source)


def test_stack_of_an_existing_dockerfile_wins_over_a_frontend_package_json(tmp_path):
    write(tmp_path, {"package.json": "{}", "Dockerfile": "FROM python:3.12-slim\nCMD [\"python3\", \"app.py\"]\n"})
    found = finding(tmp_path, "stack")
    assert found.value == "python" and "FROM python:3.12-slim" in found.source


def test_python_wins_over_a_package_json_for_assets(tmp_path):
    write(tmp_path, {"package.json": "{}", "requirements.txt": "django\n"})
    assert finding(tmp_path, "stack").value == "python"


def test_an_empty_folder_tells_nothing(tmp_path):
    detection = detect(tmp_path)
    assert detection.findings == []
    assert detection.summary().startswith("detected: nothing")


def test_an_adopted_repository_needs_no_sample_app(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\n"})
    assert finding(tmp_path, "sample_app").value is False


def test_service_name_is_the_folder_name_made_valid(tmp_path):
    root = tmp_path / "My_Shop API"
    root.mkdir()
    write(root, {"go.mod": "module x\n"})
    assert finding(root, "service_name").value == "my-shop-api"


# ------------------------------------------------------ dependencies and managers
@pytest.mark.parametrize(("files", "deps"), [
    ({"requirements.txt": "flask\n"}, "requirements"),
    ({"pyproject.toml": "[project]\nname = 'x'\n", "requirements.txt": "x\n"}, "pyproject"),
    ({"pyproject.toml": "[tool.black]\n", "requirements.txt": "flask\n"}, "requirements"),
    ({"pyproject.toml": "[project]\nname = 'x'\n", "uv.lock": ""}, "uv"),
    ({"pyproject.toml": "[tool.poetry]\nname = 'x'\n", "poetry.lock": ""}, "poetry"),
])
def test_python_dependencies_come_from_the_lockfile_or_manifest(tmp_path, files, deps):
    assert finding(write(tmp_path, files), "python_deps").value == deps


@pytest.mark.parametrize(("lockfile", "manager"), [
    ("package-lock.json", "npm"), ("yarn.lock", "yarn"), ("pnpm-lock.yaml", "pnpm")])
def test_package_manager_comes_from_the_lockfile(tmp_path, lockfile, manager):
    found = finding(write(tmp_path, {"package.json": "{}", lockfile: ""}), "package_manager")
    assert (found.value, found.source) == (manager, lockfile)


def test_package_manager_field_wins_over_the_lockfile(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"packageManager": "pnpm@9.12.0"}), "yarn.lock": ""})
    assert finding(tmp_path, "package_manager").value == "pnpm"


def test_no_lockfile_means_npm_install_with_a_warning(tmp_path):
    write(tmp_path, {"package.json": "{}"})
    detection = detect(tmp_path)
    assert detection.get("package_manager") == "npm"
    assert "reproducible" in detection.warnings[0]


def test_go_builder_follows_the_go_line(tmp_path):
    found = finding(write(tmp_path, {"go.mod": "module x\n\ngo 1.23.4\n"}), "builder_image")
    assert found.value == f"golang:1.23-{CODENAME}" and "go 1.23" in found.source


# ---------------------------------------------------------------- command
def test_procfile_web_line_is_the_command_and_port_follows_the_answer(tmp_path):
    write(tmp_path, {"requirements.txt": "gunicorn\n", "Procfile": "web: gunicorn app:app --bind 0.0.0.0:$PORT\n"
                     "worker: celery -A app worker\n"})
    detection = detect(tmp_path)
    assert detection.answers(port=9000)["command"] == ["gunicorn", "app:app", "--bind", "0.0.0.0:9000"]
    assert finding(tmp_path, "command").source == "Procfile web:"


def test_existing_dockerfile_entrypoint_and_cmd_of_the_last_stage(tmp_path):
    write(tmp_path, {"go.mod": "module x\n", "Dockerfile": (
        "FROM golang:1.22 AS build\nCMD [\"go\", \"run\", \".\"]\n"
        "FROM debian:12-slim\nENTRYPOINT [\"/usr/local/bin/api\"]\nCMD [\"serve\", \\\n  \"--verbose\"]\n")})
    found = finding(tmp_path, "command")
    assert found.value == ["/app/server", "serve", "--verbose"]  # the binary nonroot's go build makes
    assert found.source == ("the existing Dockerfile's ENTRYPOINT and CMD, moved to the new layout from "
                            "/usr/local/bin/api serve --verbose")


def test_shell_form_cmd_is_split_like_sh(tmp_path):
    write(tmp_path, {"package.json": "{}", "Dockerfile": "FROM node:20\nCMD node 'src/main server.js'\n"})
    assert finding(tmp_path, "command").value == ["node", "src/main server.js"]


def test_node_start_script_is_the_command(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"start": "node src/index.js --trace-warnings"}})})
    found = finding(tmp_path, "command")
    assert found.value == ["node", "src/index.js", "--trace-warnings"]
    assert found.source == 'package.json "scripts.start"'


def test_a_start_script_that_is_not_plain_node_falls_back_to_main(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"main": "lib/app.js", "scripts": {"start": "nodemon lib/app.js"}}),
                     "lib/app.js": ""})
    found = finding(tmp_path, "command")
    assert (found.value, found.source) == (
        ["node", "lib/app.js"], 'package.json "main"; not "scripts.start" (nodemon lib/app.js): the image runs node '
                                'itself, as PID 1')


@pytest.mark.parametrize("start", ["npm run start-server", "npm run-script start-server", "yarn start-server",
                                   "pnpm run start-server"])
def test_a_start_script_that_runs_another_script_is_followed_to_its_node_command(tmp_path, start):
    scripts = {"start": start, "start-server": "node server/server.js", "dev": "nodemon server/server.js"}
    write(tmp_path, {"package.json": json.dumps({"scripts": scripts}), "server/server.js": "",
                     "tools/dns.js": "require('dgram').createSocket('udp4'); http.createServer()\n"})
    found = finding(tmp_path, "command")
    assert (found.value, found.source) == (["node", "server/server.js"],
                                           'package.json "scripts.start" -> "scripts.start-server"')


def test_scripts_that_run_each_other_in_a_loop_fall_back_to_main(tmp_path):
    scripts = {"start": "npm run serve", "serve": "npm start"}
    write(tmp_path, {"package.json": json.dumps({"main": "app.js", "scripts": scripts}), "app.js": ""})
    assert finding(tmp_path, "command").value == ["node", "app.js"]


def test_a_script_run_with_more_arguments_is_not_followed(tmp_path):
    scripts = {"start": "npm run serve -- --inspect", "serve": "node other.js"}
    write(tmp_path, {"package.json": json.dumps({"main": "app.js", "scripts": scripts}), "app.js": ""})
    assert finding(tmp_path, "command").value == ["node", "app.js"]


def test_pyproject_console_script_is_the_command(tmp_path):
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'q'\n[project.scripts]\nq-serve = 'q.server:main'\n"})
    assert finding(tmp_path, "command").value == ["q-serve"]


def test_django_with_gunicorn_serves_the_wsgi_module(tmp_path):
    write(tmp_path, {"requirements.txt": "Django\ngunicorn\n",
                     "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"})
    assert detect(tmp_path).answers(port=8080)["command"] == ["gunicorn", "shop.wsgi", "--bind", "0.0.0.0:8080"]


def test_fastapi_in_a_package_runs_under_uvicorn(tmp_path):
    write(tmp_path, {"requirements.txt": "fastapi\n", "api/__init__.py": "",
                     "api/main.py": "from fastapi import FastAPI\n\nservice = FastAPI()\n"})
    command = detect(tmp_path).answers(port=8000)["command"]
    assert command == ["uvicorn", "api.main:service", "--host", "0.0.0.0", "--port", "8000"]


def test_flask_with_app_run_is_started_as_a_script(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\n",
                     "main.py": "app = Flask(__name__)\nif __name__ == '__main__':\n    app.run()\n"})
    assert finding(tmp_path, "command").value == ["python3", "main.py"]


def test_flask_with_gunicorn_in_the_requirements_runs_under_gunicorn(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\ngunicorn\n", "app.py": "app = Flask(__name__)\n"})
    assert detect(tmp_path).answers(port=8080)["command"] == ["gunicorn", "--bind", "0.0.0.0:8080", "app:app"]


# ------------------------------------------------------------------- port
def test_expose_is_the_port(tmp_path):
    write(tmp_path, {"go.mod": "module x\n", "Dockerfile": "FROM scratch\nEXPOSE 9090/tcp 9091\n"})
    found = finding(tmp_path, "port")
    assert (found.value, found.source) == (9090, "EXPOSE")


def test_port_from_the_command_line(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "Procfile": "web: uvicorn app:app --port 7000\n"})
    assert finding(tmp_path, "port").value == 7000


@pytest.mark.parametrize(("name", "text", "port"), [
    ("server.js", "const port = process.env.PORT || 3000;\n", 3000),
    ("main.py", "app.run(host='0.0.0.0', port=int(os.environ.get('PORT', 5000)))\n", 5000),
    ("main.go", 'port := os.Getenv("PORT")\nif port == "" {\n\tport = "8081"\n}\n', 8081),
    ("status.py", "ThreadingHTTPServer(('0.0.0.0', 80), Handler).serve_forever()\n", 80),
])
def test_port_from_the_source(tmp_path, name, text, port):
    manifest = {".js": "package.json", ".py": "requirements.txt", ".go": "go.mod"}[Path(name).suffix]
    write(tmp_path, {manifest: "{}" if manifest == "package.json" else "module x\n", name: text})
    assert finding(tmp_path, "port").value == port


# ----------------------------------------------------------- health check
def test_health_route_in_the_source(tmp_path):
    write(tmp_path, {"package.json": "{}", "src/index.js": "app.get('/health', (req, res) => res.send('ok'))\n"})
    found = finding(tmp_path, "health_path")
    assert found.value == "/health" and "src/index.js" in found.source


def test_django_route_without_leading_slash(tmp_path):
    write(tmp_path, {"manage.py": "", "site/urls.py": "urlpatterns = [path('healthz', views.healthz)]\n"})
    assert finding(tmp_path, "health_path").value == "/healthz"


# ------------------------------------------- code nonroot builds no stack for
def test_a_builder_stage_names_the_stack_when_the_image_runs_from_scratch(tmp_path):
    write(tmp_path, {"main.go": "package main\n", "Dockerfile": "FROM golang:1.18 AS build\nRUN go build\n"
                     "FROM scratch\nCOPY --from=build /server /server\n"})
    found = finding(tmp_path, "stack")
    assert (found.value, found.source) == ("go", "the existing Dockerfile's FROM golang:1.18")


def test_go_files_without_go_mod_are_go(tmp_path):
    write(tmp_path, {"main.go": "package main\n", "util.go": "package main\n"})
    found = finding(tmp_path, "stack")
    assert (found.value, found.source) == ("go", "main.go, util.go")


def test_go_without_go_mod_says_what_to_add(tmp_path):
    write(tmp_path, {"main.go": "package main\n"})
    assert any("go mod init" in warning for warning in detect(tmp_path).warnings)


@pytest.mark.parametrize("files", [
    {"app.rb": "puts 1\n", "Gemfile": "source 'https://rubygems.org'\n"},
    {"src/Main.java": "class Main {}\n"},
    {"Dockerfile": "FROM ruby:3.3\nCMD [\"ruby\", \"app.rb\"]\n"},
])
def test_a_folder_with_code_of_any_language_gets_no_sample_app(tmp_path, files):
    write(tmp_path, files)
    assert finding(tmp_path, "sample_app").value is False


def test_a_dockerfile_nonroot_cannot_read_is_named_never_called_missing(tmp_path):
    write(tmp_path, {"app.rb": "puts 1\n", "Dockerfile": "FROM ruby:3.3\nCMD [\"ruby\", \"app.rb\"]\n"})
    summary = detect(tmp_path).summary()
    assert summary == "detected: no stack nonroot builds (found a Dockerfile FROM ruby:3.3, app.rb)"


def test_only_files_without_code_leave_the_sample_on(tmp_path):
    write(tmp_path, {"README.md": "# x\n", "docs/index.md": "x\n", ".gitignore": "*.pyc\n"})
    assert finding(tmp_path, "sample_app") is None


def test_dependencies_and_build_output_are_not_the_users_code(tmp_path):
    write(tmp_path, {"node_modules/x/index.js": "1\n", ".venv/lib/a.py": "1\n", "README.md": "x\n"})
    assert code_files(tmp_path) == []


def test_no_health_route_means_a_check_of_the_port_never_an_invented_path(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "main.py": "print('hi')\n"})
    found = finding(tmp_path, "health_path")
    assert (found.value, found.source) == ("tcp", "no health route in the code")
    assert "health check of the port, by a TCP connection (no health route in the code)" in detect(tmp_path).summary()


# ---------------------------------------------------- the test apps, whole
@pytest.mark.parametrize(("app", "expected"), [
    ("flask-root", {"stack": "python", "python_deps": "requirements", "command": ["python3", "main.py"],
                    "port": 5000, "health_path": "/healthz"}),
    ("fastapi-package", {"stack": "python", "python_deps": "pyproject", "health_path": "/health",
                         "command": ["uvicorn", "shortener.api:app", "--host", "0.0.0.0", "--port", "8080"]}),
    ("django-site", {"stack": "python", "health_path": "/healthz",
                     "command": ["gunicorn", "mysite.wsgi", "--bind", "0.0.0.0:8080", "--log-file", "-"]}),
    ("pyproject-script", {"stack": "python", "python_deps": "pyproject", "command": ["quotes-serve"]}),
    ("express-nolock", {"stack": "node", "package_manager": "npm", "command": ["node", "server.js"],
                        "port": 3000}),
    ("express-yarn-native", {"stack": "node", "package_manager": "yarn", "command": ["node", "src/index.js"],
                             "port": 3000, "health_path": "/health"}),
    ("go-templates", {"stack": "go", "port": 8080, "builder_image": f"golang:1.22-{CODENAME}"}),
    ("go-nomod", {"stack": "go", "sample_app": False, "port": 8000, "command": ["/app/server"]}),
    ("flask-boot", {"stack": "python", "command": ["sh", "boot.sh"], "port": 5000, "health_path": "tcp"}),
    ("agenda-server", {"stack": "python", "python_deps": "pyproject", "command": ["agenda-server"], "port": 5232}),
    ("node-nostart", {"stack": "node", "command": ["node", "lib/serve.js"], "port": 4100, "health_path": "tcp"}),
    ("port80", {"stack": "python", "command": ["python3", "status.py"], "port": 80}),
])
def test_each_test_app_is_detected(app, expected, tmp_path):
    answers = detect(app_copy(app, tmp_path / app)).answers(port=8080)
    assert {key: answers.get(key) for key in expected} == expected


def test_summary_names_each_source(tmp_path):
    summary = detect(app_copy("express-yarn-native", tmp_path / "express-yarn-native")).summary()
    assert summary == ("detected: node (the existing Dockerfile's FROM node:20), package manager yarn (yarn.lock), "
                       "start command node src/index.js (the existing Dockerfile's CMD), port 3000 (EXPOSE), "
                       "health check /health (a /health route in src/index.js), "
                       "a writable HOME (yarn keeps its cache and settings under HOME)")


# ---------------------------------------------- start commands that mean what they say
def test_a_procfile_line_with_shell_operators_is_a_shell_line(tmp_path):
    line = "python manage.py migrate && python manage.py collectstatic --no-input && gunicorn site.wsgi"
    write(tmp_path, {"requirements.txt": "django\n", "Procfile": f"web: {line}\n"})
    found = finding(tmp_path, "command")
    assert (found.value, found.source) == (line, "Procfile web:, a shell line")


def test_the_summary_names_the_start_up_steps_of_a_shell_line(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\n", "Procfile": "web: flask db upgrade; gunicorn -b :$PORT app:app\n"})
    summary = detect(tmp_path).summary()
    assert ("start command sh -c 'flask db upgrade; gunicorn -b :$PORT app:app'; at every start it first runs "
            "flask db upgrade (Procfile web:, a shell line)") in summary


def test_a_shell_line_keeps_port_for_the_shell(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "Procfile": "web: cd src && gunicorn -b 0.0.0.0:$PORT app:app\n"})
    assert detect(tmp_path).answers(port=9000)["command"] == "cd src && gunicorn -b 0.0.0.0:$PORT app:app"


def test_port_alone_is_no_reason_for_a_shell(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "Procfile": "web: gunicorn -b 0.0.0.0:${PORT} app:app\n"})
    assert detect(tmp_path).answers(port=9000)["command"] == ["gunicorn", "-b", "0.0.0.0:9000", "app:app"]


@pytest.mark.parametrize("cmd", ['CMD ["sh", "-c", "alembic upgrade head && uvicorn app:app"]',
                                 "CMD alembic upgrade head && uvicorn app:app"])
def test_a_dockerfile_cmd_run_by_a_shell_is_a_shell_line(tmp_path, cmd):
    write(tmp_path, {"requirements.txt": "x\n", "Dockerfile": f"FROM python:3.12\nCOPY . /app\n{cmd}\n"})
    assert finding(tmp_path, "command").value == "alembic upgrade head && uvicorn app:app"


def test_a_command_naming_the_old_images_venv_runs_the_console_script_with_its_arguments(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'caldav'\n[project.scripts]\ncaldav-server = 'caldav.main:run'\n",
        "Dockerfile": "FROM python:3.12-alpine\nCOPY . /app/src\nRUN python -m venv /app && /app/bin/pip install /app/src\n"
                      'ENTRYPOINT ["/app/bin/python", "/app/bin/caldav-server"]\nCMD ["--hosts", "0.0.0.0:5232,[::]:5232"]\n'})
    detection = detect(tmp_path)
    assert detection.get("command") == ["caldav-server", "--hosts", "0.0.0.0:5232,[::]:5232"]
    assert detection.get("port") == 5232
    assert detection.warnings == []


def test_a_command_naming_what_the_old_image_made_gives_way_to_the_next_signal(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'caldav'\n[project.scripts]\ncaldav-server = 'caldav.main:run'\n",
        "Dockerfile": "FROM python:3.12-alpine\nCOPY . /app/src\nRUN python -m venv /app && /app/bin/pip install /app/src\n"
                      'ENTRYPOINT ["/app/bin/python", "/app/bin/caldav-admin.py", "serve"]\n'})
    detection = detect(tmp_path)
    assert detection.get("command") == ["caldav-server"]
    assert any("/app/bin/caldav-admin.py" in w and "not in the build context" in w and "next signal" in w
               for w in detection.warnings)


def test_a_command_naming_a_path_outside_the_context_is_not_taken(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\n", "app.py": "app = Flask(__name__)\n",
                     "Dockerfile": "FROM python:3.12\nCOPY . /opt/webapp\nCMD [\"/opt/webapp/supervisord-startup\"]\n"})
    detection = detect(tmp_path)
    assert detection.get("command") != ["/opt/webapp/supervisord-startup"]
    assert any("supervisord-startup is not in the repository" in w for w in detection.warnings)


def test_code_paths_move_to_the_new_layout(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "src/main.py": "print(1)\n",
                     "Dockerfile": "FROM python:3.12\nWORKDIR /srv/app\nCOPY . .\n"
                                   'CMD ["/usr/local/bin/python", "/srv/app/src/main.py"]\n'})
    assert finding(tmp_path, "command").value == ["python", "/app/src/main.py"]


def test_relative_paths_follow_the_old_workdir(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "service/main.py": "print(1)\n",
                     "Dockerfile": "FROM python:3.12\nCOPY . /code\nWORKDIR /code/service\nCMD [\"python\", \"main.py\"]\n"})
    assert finding(tmp_path, "command").value == ["python", "service/main.py"]


def test_a_script_that_is_not_executable_runs_through_its_interpreter(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\n", "boot.sh": "#!/bin/bash\nflask db upgrade\nexec gunicorn app:app\n",
                     "Dockerfile": "FROM python:3.12\nWORKDIR /home/app\nCOPY . .\nRUN chmod +x boot.sh\n"
                                   'ENTRYPOINT ["./boot.sh"]\n'})
    found = finding(tmp_path, "command")
    assert found.value == ["bash", "boot.sh"]
    assert "boot.sh is not executable in the repository: run with bash" in found.source


def test_an_executable_script_runs_as_it_is(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "start.sh": "#!/bin/sh\nexec python3 main.py\n",
                     "Procfile": "web: ./start.sh\n"})
    (tmp_path / "start.sh").chmod(0o755)
    assert finding(tmp_path, "command").value == ["./start.sh"]


def test_an_env_shebang_names_the_interpreter(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "serve": "#!/usr/bin/env python3\nprint(1)\n", "Procfile": "web: serve\n"})
    assert finding(tmp_path, "command").value == ["python3", "serve"]


def test_without_a_start_signal_the_file_that_starts_the_server_is_the_command(tmp_path):
    write(tmp_path, {"package.json": '{"name": "chat", "dependencies": {"ws": "8"}}',
                     "lib/hub.js": "module.exports = {}\n",
                     "lib/serve.js": "const http = require('http')\nhttp.createServer(handler).listen(port)\n"})
    found = finding(tmp_path, "command")
    assert found.value == ["node", "lib/serve.js"]
    assert found.source == "lib/serve.js, which starts the server with createServer(…"


def test_a_python_server_file_needs_its_main_guard(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "svc/handlers.py": "def run(): server.serve_forever()\n",
                     "svc/daemon.py": "import x\nif __name__ == '__main__':\n    make_server('', 8000, app).serve_forever()\n"})
    assert finding(tmp_path, "command").value == ["python3", "svc/daemon.py"]


def test_nothing_to_start_gives_no_command(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "lib/util.py": "def f(): pass\n"})
    assert finding(tmp_path, "command") is None


@pytest.mark.parametrize("test_file", ["tests/test_api.py", "app/conftest.py", "api_test.py"])
def test_a_test_file_never_gives_the_health_path(tmp_path, test_file):
    write(tmp_path, {"requirements.txt": "x\n", "app.py": "app = Flask(__name__)\n",
                     test_file: "def test_health(client):\n    assert client.get('/healthz').status_code == 200\n"})
    assert finding(tmp_path, "health_path").value == "tcp"


def test_a_test_of_a_node_server_never_gives_the_port(tmp_path):
    write(tmp_path, {"package.json": "{}", "server.js": "require('./app')\n",
                     "test/server.spec.js": "app.listen(4567)\n"})
    assert finding(tmp_path, "port") is None


# ------------------------------------------------------------ ports from what the code says
def test_bind_in_the_gunicorn_config_is_the_port(tmp_path):
    write(tmp_path, {"requirements.txt": "gunicorn\n", "gunicorn.conf.py": "workers = 2\nbind = '0.0.0.0:8001'\n",
                     "Procfile": "web: gunicorn api.wsgi\n"})
    found = finding(tmp_path, "port")
    assert (found.value, found.source) == (8001, "bind in gunicorn.conf.py")


def test_bind_in_a_config_named_on_the_command_line(tmp_path):
    write(tmp_path, {"requirements.txt": "gunicorn\n", "deploy/gunicorn.py": 'bind = ["0.0.0.0:9100"]\n',
                     "Procfile": "web: gunicorn -c deploy/gunicorn.py api.wsgi\n"})
    assert finding(tmp_path, "port").value == 9100


@pytest.mark.parametrize(("line", "port"), [("uvicorn api:app --host 0.0.0.0", 8000),
                                            ("flask run --host 0.0.0.0", 5000),
                                            ("python manage.py migrate && python manage.py runserver 0.0.0.0", 8000)])
def test_a_servers_own_default_port(tmp_path, line, port):
    write(tmp_path, {"requirements.txt": "x\n", "Procfile": f"web: {line}\n"})
    assert finding(tmp_path, "port").value == port


def test_a_server_that_listens_on_loopback_is_warned_about(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "Procfile": "web: uvicorn api:app\n"})
    assert any("uvicorn listens on 127.0.0.1" in w and "--host 0.0.0.0" in w for w in detect(tmp_path).warnings)


def test_gunicorn_without_bind_takes_the_port_answer(tmp_path):
    write(tmp_path, {"requirements.txt": "gunicorn\n", "Procfile": "web: gunicorn api.wsgi\n"})
    assert finding(tmp_path, "port") is None  # it binds 0.0.0.0:$PORT, and the image sets PORT


@pytest.mark.parametrize(("name", "text"), [
    ("config", "[server]\n# where to listen\nhosts = 0.0.0.0:5232\n\n[storage]\nfilesystem_folder = /data\n"),
    ("config/settings.toml", "[database]\nport = 5432\n\n[server]\nport = 7070\n"),
    ("settings.yaml", "db:\n  port: 5432\nserver:\n  host: 0.0.0.0\n  port: 7070\n"),
])
def test_a_port_in_the_servers_own_config_file(tmp_path, name, text):
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", name: text})
    found = finding(tmp_path, "port")
    assert found.value in (5232, 7070) and found.source == f"{name}, the server's own config file"


def test_a_database_port_in_a_config_is_not_the_services(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "app.ini": "[database]\nport = 5432\n",
                     "docker-compose.yml": "services:\n  db:\n    ports: ['5432:5432']\n"})
    assert finding(tmp_path, "port") is None


def test_a_start_scripts_steps_before_the_server_are_named(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\n", "Procfile": "web: ./boot.sh\n", "boot.sh": (
        "#!/usr/bin/env bash\nsource venv/bin/activate\nwhile true; do\n    flask db upgrade\n"
        "    if [[ \"$?\" == \"0\" ]]; then\n        break\n    fi\n    sleep 5\ndone\nflask translate compile\n"
        "exec gunicorn -b :5000 app:app\n")})
    (tmp_path / "boot.sh").chmod(0o755)
    found = finding(tmp_path, "command")
    assert found.value == ["./boot.sh"]
    assert found.source == "Procfile web:; at every start it first runs flask db upgrade, then flask translate compile"


# ------------------------------------------------------- the old Dockerfile's environment
def test_the_old_dockerfiles_env_for_the_service_is_kept(tmp_path):
    write(tmp_path, {"requirements.txt": "flask\n", "Dockerfile": (
        "FROM python:slim\nCOPY . /srv\nENV FLASK_APP microblog.py\n"
        "ENV PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH LANG=C.UTF-8 SETTINGS=/srv/conf/prod.py\n")})
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "prod.py").write_text("DEBUG = False\n")
    found = finding(tmp_path, "env")
    assert found.value == {"FLASK_APP": "microblog.py", "PYTHONUNBUFFERED": "1", "SETTINGS": "/app/conf/prod.py"}
    assert found.source == "the existing Dockerfile's ENV"


def test_an_env_path_the_new_image_lacks_is_dropped_with_a_warning(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "Dockerfile": "FROM python:3.12\nENV AGENDA_CONFIG=/etc/agenda/config\n"})
    detection = detect(tmp_path)
    assert detection.get("env") is None
    assert any("ENV AGENDA_CONFIG=/etc/agenda/config is not kept" in w for w in detection.warnings)


def test_the_old_images_volumes_are_the_writable_paths(tmp_path):
    write(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", "Dockerfile": (
        "FROM python:3-alpine AS build\nVOLUME /tmp/build\nFROM python:3-alpine\n"
        "VOLUME /var/lib/radicale\nVOLUME [\"/var/log/radicale\", \"/var/lib/radicale/\"]\n")})
    found = finding(tmp_path, "writable_paths")
    assert (found.value, found.source) == (["/var/lib/radicale", "/var/log/radicale"], "the existing Dockerfile's VOLUME")


# ------------------------------------------------------- the build step (issue 22)
@pytest.mark.parametrize(("lockfile", "manager"), [
    ("package-lock.json", "npm"), ("yarn.lock", "yarn"), ("pnpm-lock.yaml", "pnpm")])
def test_a_build_script_is_the_build_step_run_by_the_package_manager(tmp_path, lockfile, manager):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "tsc"}}), lockfile: ""})
    found = finding(tmp_path, "build_command")
    assert (found.value, found.source) == ([manager, "run", "build"], 'package.json "scripts.build": "tsc"')


@pytest.mark.parametrize("scripts", [{"start": "node index.js"}, {"build": ""}, {"build": "   "}])
def test_no_build_script_means_no_build_step(tmp_path, scripts):
    write(tmp_path, {"package.json": json.dumps({"scripts": scripts}), "index.js": ""})
    assert finding(tmp_path, "build_command") is None


TSCONFIG_WITH_COMMENTS = """{
  // compiled for Node 18
  "compilerOptions": {
    "rootDir": "./src", /* the sources */
    "outDir": "./dist/",
    "paths": {"@/*": ["src/*"]},
  },
}
"""


def test_typescripts_outdir_makes_the_start_command(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "tsc"}}), "tsconfig.json": TSCONFIG_WITH_COMMENTS,
                     "src/index.ts": "", "src/routes.ts": ""})
    found = finding(tmp_path, "command")
    assert (found.value, found.source) == (["node", "dist/index.js"], "src/index.ts built into outDir dist (tsconfig)")


def test_an_outdir_without_rootdir_mirrors_src(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "tsc"}}),
                     "tsconfig.json": '{"compilerOptions": {"outDir": "build"}}', "src/server.ts": ""})
    assert finding(tmp_path, "command").value == ["node", "build/server.js"]


def test_main_inside_the_outdir_is_the_command_before_it_is_built(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"main": "build/api.js", "scripts": {"build": "tsc -p ."}}),
                     "tsconfig.json": '{"compilerOptions": {"outDir": "build"}}', "src/api.ts": "", "src/index.ts": ""})
    found = finding(tmp_path, "command")
    assert (found.value, found.source) == (["node", "build/api.js"], 'package.json "main", built into outDir build (tsconfig)')


def test_main_inside_an_outdir_is_not_taken_without_a_build_script(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"main": "dist/index.js"}),
                     "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}', "src/index.ts": ""})
    assert finding(tmp_path, "command") is None


def test_an_outdir_outside_the_repository_is_refused(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "tsc"}}),
                     "tsconfig.json": '{"compilerOptions": {"outDir": "../out"}}', "src/index.ts": ""})
    assert finding(tmp_path, "command") is None


def test_an_unreadable_tsconfig_gives_no_command(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "tsc"}}), "tsconfig.json": "{ outDir: dist",
                     "src/index.ts": ""})
    assert finding(tmp_path, "command") is None


def test_a_plain_node_start_script_wins_over_the_outdir(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "tsc", "start": "node dist/cli.js serve"}}),
                     "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}', "src/index.ts": ""})
    assert finding(tmp_path, "command").value == ["node", "dist/cli.js", "serve"]


def test_a_start_prod_script_starts_a_nestjs_build(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "nest build", "start": "nest start",
                                                             "start:prod": "node dist/main"},
                                                 "dependencies": {"@nestjs/core": "^10.4.9"}})})
    found = finding(tmp_path, "command")
    assert (found.value, found.source) == (
        ["node", "dist/main"], 'package.json "scripts.start:prod"; not "scripts.start" (nest start): the image runs '
                               'node itself, as PID 1')


def test_nestjs_without_start_prod_runs_its_entry_file_from_the_outdir(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "nest build", "start": "nest start"},
                                                 "dependencies": {"@nestjs/core": "^10.4.9"}}),
                     "tsconfig.json": '{"compilerOptions": {"outDir": "./dist"}}',
                     "nest-cli.json": '{"sourceRoot": "src", "entryFile": "server"}', "src/server.ts": ""})
    found = finding(tmp_path, "command")
    assert found.value == ["node", "dist/server.js"] and "NestJS" in found.source


def test_nextjs_runs_next_start_under_node_on_the_answered_port(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "next build", "start": "next start"},
                                                 "dependencies": {"next": "15.5.0", "react": "19.1.0"}})})
    detection = detect(tmp_path)
    assert detection.answers(port=3000)["command"] == ["node", "node_modules/next/dist/bin/next", "start", "-p", "3000"]
    assert detection.get("build_command") == ["npm", "run", "build"]


DJANGO_MANAGE = "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"
STATICFILES = "INSTALLED_APPS = ['django.contrib.staticfiles']\n"


def test_djangos_static_root_means_collectstatic(tmp_path):
    write(tmp_path, {"requirements.txt": "Django\n", "manage.py": DJANGO_MANAGE,
                     "shop/settings.py": STATICFILES + "STATIC_ROOT = BASE_DIR / 'staticfiles'\n"})
    found = finding(tmp_path, "build_command")
    assert found.value == ["python3", "manage.py", "collectstatic", "--noinput"]
    assert found.source == "Django's STATIC_ROOT in shop/settings.py"


def test_static_root_in_a_settings_package_is_found(tmp_path):
    write(tmp_path, {"requirements.txt": "Django\n",
                     "manage.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings.production')\n",
                     "shop/settings/__init__.py": "", "shop/settings/base.py": STATICFILES + "STATIC_ROOT = '/srv/static'\n",
                     "shop/settings/production.py": "from .base import *\nDEBUG = False\n"})
    assert finding(tmp_path, "build_command").source == "Django's STATIC_ROOT in shop/settings/base.py"


@pytest.mark.parametrize("settings", [
    STATICFILES + "STATIC_ROOT = None\n",
    STATICFILES + "# STATIC_ROOT = BASE_DIR / 'static'\n",
    STATICFILES + "STATIC_URL = 'static/'\n",
    "INSTALLED_APPS = ['notes']\nSTATIC_ROOT = BASE_DIR / 'static'\n",  # no staticfiles app: no collectstatic command
])
def test_collectstatic_needs_a_static_root_and_the_staticfiles_app(tmp_path, settings):
    write(tmp_path, {"requirements.txt": "Django\n", "manage.py": DJANGO_MANAGE, "shop/settings.py": settings})
    assert finding(tmp_path, "build_command") is None


PO = 'msgid "Hello"\nmsgstr "Hallo"\n'


def test_babel_catalogs_are_compiled_in_the_build(tmp_path):
    write(tmp_path, {"requirements.txt": "Flask\nFlask-Babel\n", "app/__init__.py": "",
                     "app/translations/de/LC_MESSAGES/messages.po": PO, "babel.cfg": "[python: app/**.py]\n"})
    found = finding(tmp_path, "build_command")
    assert (found.value, found.source) == (["pybabel", "compile", "-d", "app/translations"],
                                           "Babel catalogs in app/translations/")


def test_babel_catalogs_without_babel_warn_and_build_nothing(tmp_path):
    write(tmp_path, {"requirements.txt": "Flask\n", "translations/fr/LC_MESSAGES/messages.po": PO})
    detection = detect(tmp_path)
    assert detection.get("build_command") is None
    assert any("no Babel among the dependencies" in warning for warning in detection.warnings)


def test_a_translations_folder_without_catalogs_builds_nothing(tmp_path):
    write(tmp_path, {"requirements.txt": "Babel\n", "translations/README.md": "run pybabel init\n"})
    assert finding(tmp_path, "build_command") is None


def test_collectstatic_and_catalogs_make_one_shell_line(tmp_path):
    write(tmp_path, {"requirements.txt": "Django\nBabel\n", "manage.py": DJANGO_MANAGE,
                     "shop/settings.py": STATICFILES + "STATIC_ROOT = 'static'\n",
                     "translations/de/LC_MESSAGES/messages.po": PO})
    found = finding(tmp_path, "build_command")
    assert found.value == "python3 manage.py collectstatic --noinput && pybabel compile -d translations"


def test_go_has_no_build_step_to_detect(tmp_path):
    write(tmp_path, {"go.mod": "module x\n", "package.json": json.dumps({"scripts": {"build": "vite build"}})})
    assert finding(tmp_path, "build_command") is None


@pytest.mark.parametrize(("app", "build", "command"), [
    ("ts-yarn", ["yarn", "run", "build"], ["node", "dist/index.js"]),
    ("ts-npm", ["npm", "run", "build"], ["node", "build/server.js"]),
    ("nest-pnpm", ["pnpm", "run", "build"], ["node", "dist/main"]),
    ("django-static", ["python3", "manage.py", "collectstatic", "--noinput"],
     "python manage.py migrate && gunicorn cookbook.wsgi --bind 0.0.0.0:$PORT --access-logfile -"),
])
def test_each_test_app_with_a_build_is_detected(app, build, command, tmp_path):
    answers = detect(app_copy(app, tmp_path / app)).answers(port=8080)
    assert (answers.get("build_command"), answers.get("command")) == (build, command)


def test_summary_says_the_build_step_and_its_source(tmp_path):
    summary = detect(app_copy("ts-yarn", tmp_path / "ts-yarn")).summary()
    assert ('build step yarn run build (package.json "scripts.build": "tsc"), '
            "start command node dist/index.js (src/index.ts built into outDir dist (tsconfig))") in summary


def test_the_outdir_of_a_relative_base_config_is_inherited(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "tsc -p tsconfig.build.json"}}),
                     "tsconfig.base.json": '{"compilerOptions": {"outDir": "out", "rootDir": "src"}}',
                     "tsconfig.build.json": '{"extends": "./tsconfig.base", "include": ["src"]}', "src/main.ts": ""})
    assert finding(tmp_path, "command").value == ["node", "out/main.js"]



def test_a_start_step_the_build_does_is_taken_out_of_the_start_line(tmp_path):
    write(tmp_path, {"requirements.txt": "Django\ngunicorn\n", "manage.py": (
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"),
        "shop/settings.py": "INSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_ROOT = 'static'\n",
        "Procfile": "web: python manage.py migrate && python manage.py collectstatic --no-input && gunicorn shop.wsgi\n"})
    found = finding(tmp_path, "command")
    assert found.value == "python manage.py migrate && gunicorn shop.wsgi"
    assert found.source == ("Procfile web:, a shell line, without python manage.py collectstatic --no-input: the "
                            "build step does it, and /app is read-only at run time")


def test_a_start_line_without_a_build_step_keeps_its_steps(tmp_path):
    line = "python manage.py migrate && python manage.py collectstatic --no-input && gunicorn shop.wsgi"
    write(tmp_path, {"requirements.txt": "Django\ngunicorn\n", "Procfile": f"web: {line}\n"})
    assert finding(tmp_path, "command").value == line
