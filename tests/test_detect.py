"""Detection: what an existing repository tells nonroot, one signal per test, each with its source."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nonroot.scaffold.detect import code_files, detect

APPS = Path(__file__).parent / "apps"


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
    assert found.value == "golang:1.23-bookworm" and "go 1.23" in found.source


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
    assert found.value == ["/usr/local/bin/api", "serve", "--verbose"]
    assert found.source == "the existing Dockerfile's ENTRYPOINT and CMD"


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
    assert (found.value, found.source) == (["node", "lib/app.js"], 'package.json "main"')


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


def test_no_health_route_means_no_health_answer(tmp_path):
    write(tmp_path, {"requirements.txt": "x\n", "main.py": "print('hi')\n"})
    assert finding(tmp_path, "health_path") is None


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
    ("go-templates", {"stack": "go", "port": 8080, "builder_image": "golang:1.22-bookworm"}),
    ("go-nomod", {"stack": "go", "sample_app": False, "port": 8000, "command": ["/server"]}),
    ("port80", {"stack": "python", "command": ["python3", "status.py"], "port": 80}),
])
def test_each_test_app_is_detected(app, expected):
    answers = detect(APPS / app).answers(port=8080)
    assert {key: answers.get(key) for key in expected} == expected


def test_summary_names_each_source():
    summary = detect(APPS / "express-yarn-native").summary()
    assert summary == ("detected: node (the existing Dockerfile's FROM node:20), package manager yarn (yarn.lock), "
                       "start command node src/index.js (the existing Dockerfile's CMD), port 3000 (EXPOSE), "
                       "health check /health (a /health route in src/index.js)")


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
    assert (found.value, found.source) == (["node", "dist/main"], 'package.json "scripts.start:prod"')


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
     ["gunicorn", "cookbook.wsgi", "--bind", "0.0.0.0:8080", "--access-logfile", "-"]),
])
def test_each_test_app_with_a_build_is_detected(app, build, command):
    answers = detect(APPS / app).answers(port=8080)
    assert (answers.get("build_command"), answers.get("command")) == (build, command)


def test_summary_says_the_build_step_and_its_source():
    summary = detect(APPS / "ts-yarn").summary()
    assert ('build step yarn run build (package.json "scripts.build": "tsc"), '
            "start command node dist/index.js (src/index.ts built into outDir dist (tsconfig))") in summary


def test_the_outdir_of_a_relative_base_config_is_inherited(tmp_path):
    write(tmp_path, {"package.json": json.dumps({"scripts": {"build": "tsc -p tsconfig.build.json"}}),
                     "tsconfig.base.json": '{"compilerOptions": {"outDir": "out", "rootDir": "src"}}',
                     "tsconfig.build.json": '{"extends": "./tsconfig.base", "include": ["src"]}', "src/main.ts": ""})
    assert finding(tmp_path, "command").value == ["node", "out/main.js"]
