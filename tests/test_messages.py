"""What plain Copier prints when done (copier.yml's _message_after_copy and
_message_after_update, text in includes/messages.jinja): what was written, what to commit,
how to verify. Run as a user runs it: the copier command line."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from gitrepos import as_repository, commit_all, template_repo
from helpers import run_copier

FILES_HEADER = re.compile(r"^nonroot wrote (\S+)'s container files in (.+):$", re.MULTILINE)


def copy(template: Path, dest: Path, *data: str) -> str:
    """`copier copy --trust --defaults` of TEMPLATE (the session's snapshot of this checkout)
    into DEST; Copier's stderr."""
    args = [arg for item in ("verify=false", *data) for arg in ("-d", item)]
    result = run_copier("copy", "--trust", "--defaults", *args, str(template), str(dest))
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def named_files(message: str) -> tuple[set[str], bool]:
    """The files the copy message lists, and whether it mentions a sample app."""
    start = FILES_HEADER.search(message)
    assert start, message
    block = message[start.end():message.index("\nNext:", start.end())]
    names, sample = set(), False
    for line in block.strip().splitlines():
        if line.strip().startswith("and the ") and line.strip().endswith(" sample app"):
            sample = True
            continue
        for item in re.sub(r"\s*\([^)]*\)", "", line).split(", "):
            names.add(item.strip())
    return names, sample


def written(dest: Path) -> set[str]:
    return {str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()}


@pytest.mark.parametrize("data", [
    ("sample_app=false", "command=[gunicorn, app:app]"),
    ("sample_app=false", "command=[gunicorn, app:app]", "kubernetes=true", "privilege=drop", "renovate=false"),
    ("sample_app=false", "stack=go", "distro=distroless"),
    ("sample_app=false", "command=[gunicorn, app:app]", "privilege=drop", "drop_style=cmd"),
], ids=lambda d: ",".join(d))
def test_copy_message_lists_exactly_the_files_written(renders, tmp_path, data):
    dest = tmp_path / "svc"
    names, sample = named_files(copy(renders.template, dest, *data))
    assert names == written(dest)
    assert not sample


@pytest.mark.parametrize("stack", ["python", "node", "go"])
def test_copy_message_names_the_sample_app_only_where_one_was_written(renders, tmp_path, stack):
    dest = tmp_path / "svc"
    message = copy(renders.template, dest, f"stack={stack}")
    names, sample = named_files(message)
    assert sample and f"and the {stack} sample app" in message
    assert names < written(dest)  # the rest are the sample's files


def test_copy_message_says_what_to_commit_and_how_to_verify(renders, tmp_path):
    dest = tmp_path / "svc"
    message = copy(renders.template, dest, "service_name=billing")
    assert FILES_HEADER.search(message).groups() == ("billing", str(dest))
    assert f'cd {dest} && git init && git add -A && git commit -m "nonroot: container files"' in message
    assert f"nonroot check {dest}" in message
    assert "copier update --trust --answers-file .copier-answers.nonroot.yml" in message


def test_update_message_names_the_new_version_and_how_to_verify(tmp_path):
    template = template_repo(tmp_path / "nonroot", "v1.0.0")
    service = tmp_path / "svc"
    result = run_copier("copy", "--trust", "--defaults", "-d", "verify=false", "-d", "service_name=billing",
                        f"git+{template.as_uri()}", str(service))
    assert result.returncode == 0, result.stderr[-3000:]
    as_repository(service)
    (template / "template" / "NOTES.md").write_text("v1.1.0\n")
    commit_all(template, "v1.1.0", "v1.1.0")
    result = run_copier("update", "--trust", "--defaults", "--skip-answered", "--answers-file",
                        ".copier-answers.nonroot.yml", cwd=service)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "nonroot updated billing to template version v1.1.0." in result.stderr
    assert "Commit the changes, .copier-answers.nonroot.yml included." in result.stderr
    assert "nonroot check ." in result.stderr
    assert not FILES_HEADER.search(result.stderr), "the copy message was printed during an update"
