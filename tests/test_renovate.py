"""Renovate as the scale-out engine: `nonroot new` records a template source that Renovate's
copier manager and `copier update` both accept, the generated renovate.json enables the
manager with scripts, and real Renovate (npm, --platform=local) proposes a newer tag."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import renovate as renovate_tool
from gitrepos import as_repository, commit_all, git, template_repo
from helpers import run_copier, run_nonroot, skip_here_fail_in_ci

from nonroot.scaffold.project import ANSWERS_FILE
from nonroot.scaffold.source import as_copier_url, recorded_source, split_ref

OLD, NEW = "v1.0.0", "v1.1.0"


def answers(service: Path) -> dict:
    return yaml.safe_load((service / ANSWERS_FILE).read_text())


def new_service(template: Path, dest: Path, *data: str) -> Path:
    result = run_nonroot("new", str(dest), "--defaults", "--template", str(template), "--vcs-ref", OLD,
                         "-d", "verify=false", "-q", *data)
    assert result.returncode == 0, result.stderr
    return dest


def release_newer_tag(template: Path) -> None:
    (template / "template" / "NOTES.md").write_text(f"Added in {NEW}.\n")
    commit_all(template, NEW, NEW)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> tuple[Path, Path]:
    """A template repository tagged v1.0.0, a service made from it by `nonroot new` and
    committed, then a v1.1.0 tag in the template: (template, service)."""
    base = tmp_path_factory.mktemp("fleet")
    template = template_repo(base / "nonroot", OLD)
    service = as_repository(new_service(template, base / "billing", "-d", "service_name=billing"))
    release_newer_tag(template)
    return template, service


@pytest.fixture(scope="module")
def renovate():
    try:
        return renovate_tool.ensure()
    except renovate_tool.RenovateUnavailable as error:
        skip_here_fail_in_ci(f"needs Renovate from the npm registry: {error}")


def run_renovate(renovate, service: Path, tmp_path: Path) -> dict:
    """Renovate on SERVICE as a bot would see it, its lookups as a JSON report. Only the copier
    manager: the others would look up Docker Hub and GitHub, unreachable here, and an
    unreachable host aborts the whole repository."""
    report = tmp_path / "report.json"
    result = renovate.run(service, tmp_path / "renovate-base", "--platform=local", "--enabled-managers=copier",
                          "--report-type=file", f"--report-path={report}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return renovate_tool.read_report(report)


# ------------------------------------------------------------------ the recorded source
def test_nonroot_new_records_a_checkout_without_remote_as_a_git_file_url(fleet):
    template, service = fleet
    assert answers(service)["_src_path"] == f"git+{template.resolve().as_uri()}"
    assert answers(service)["_commit"] == OLD


def test_nonroot_new_records_the_checkouts_remote_url(tmp_path):
    template = template_repo(tmp_path / "nonroot", OLD)
    git(template, "remote", "add", "origin", "https://git.example.com/platform/nonroot")
    service = new_service(template, tmp_path / "svc")
    # Copier reads an https URL outside GitHub/GitLab without .git as a path unless it has git+.
    assert answers(service)["_src_path"] == "git+https://git.example.com/platform/nonroot"


def test_nonroot_new_records_a_remote_that_is_a_directory_as_a_git_file_url(tmp_path):
    upstream = template_repo(tmp_path / "upstream", OLD)
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(upstream), str(checkout)], check=True)
    git(checkout, "remote", "set-url", "origin", "../upstream")  # relative to the checkout
    service = new_service(checkout, tmp_path / "svc")
    assert answers(service)["_src_path"] == f"git+{upstream.resolve().as_uri()}"


def test_a_checkout_without_remote_is_warned_about_with_the_template_url_fix(tmp_path):
    template = template_repo(tmp_path / "nonroot", OLD)
    result = run_nonroot("new", str(tmp_path / "svc"), "--defaults", "--template", str(template), "--vcs-ref", OLD,
                         "-d", "verify=false", "-q")
    assert result.returncode == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if line.startswith("nonroot: warning: the template"))
    assert f"git+{template.resolve().as_uri()} is on this machine" in warning
    assert "CI workflow refuses it" in warning and "nonroot new DEST --template URL@REF" in warning


def test_a_template_reachable_by_url_is_not_warned_about(tmp_path):
    template = template_repo(tmp_path / "nonroot", OLD)
    git(template, "remote", "add", "origin", "https://git.example.com/platform/nonroot.git")
    assert recorded_source(str(template)).warning == ""
    assert recorded_source("https://git.example.com/platform/nonroot.git").warning == ""


@pytest.mark.parametrize(("given", "template", "ref"), [
    ("https://git.example.com/platform/nonroot.git@v0.2.0", "https://git.example.com/platform/nonroot.git", "v0.2.0"),
    ("git@github.com:org/nonroot.git@main", "git@github.com:org/nonroot.git", "main"),
    ("git@github.com:org/nonroot.git", "git@github.com:org/nonroot.git", None),
    ("../nonroot@copy", "../nonroot@copy", None),  # a path is a path
])
def test_template_url_at_ref_names_the_template_and_its_ref(given, template, ref):
    assert split_ref(given, None) == (template, ref)


def test_template_url_at_ref_installs_that_tag(tmp_path):
    template = template_repo(tmp_path / "nonroot", OLD)
    release_newer_tag(template)
    result = run_nonroot("new", str(tmp_path / "svc"), "--defaults", "--template", f"git+{template.as_uri()}@{OLD}",
                         "-d", "verify=false", "-q")
    assert result.returncode == 0, result.stderr
    assert answers(tmp_path / "svc")["_commit"] == OLD
    assert not (tmp_path / "svc" / "NOTES.md").exists()


def test_a_template_that_is_not_a_git_repository_is_kept_and_warned_about(tmp_path):
    # No URL could update from a plain folder: nonroot new keeps its path and says so.
    folder = tmp_path / "plain"
    shutil.copytree(template_repo(tmp_path / "repo", OLD), folder, ignore=shutil.ignore_patterns(".git"))
    result = run_nonroot("new", str(tmp_path / "svc"), "--defaults", "--template", str(folder),
                         "-d", "verify=false", "-q")
    assert result.returncode == 0, result.stderr
    assert answers(tmp_path / "svc")["_src_path"] == str(folder.resolve())
    assert recorded_source(str(folder)).warning in result.stderr
    assert "is not a git repository" in result.stderr and "Renovate" in result.stderr


@pytest.mark.parametrize(("remote", "recorded"), [
    ("https://github.com/org/nonroot", "https://github.com/org/nonroot"),
    ("https://git.example.com/platform/nonroot.git", "https://git.example.com/platform/nonroot.git"),
    ("https://git.example.com/platform/nonroot", "git+https://git.example.com/platform/nonroot"),
    ("git@github.com:org/nonroot.git", "git@github.com:org/nonroot.git"),
    ("ssh://git@git.example.com/platform/nonroot", "git+ssh://git@git.example.com/platform/nonroot"),
    ("deploy@git.example.com:platform/nonroot", "git+ssh://deploy@git.example.com/~/platform/nonroot"),
    ("git.example.com:/srv/git/nonroot", "git+ssh://git.example.com/srv/git/nonroot"),
    ("file:///srv/git/nonroot", "git+file:///srv/git/nonroot"),
    ("/srv/git/nonroot", "git+file:///srv/git/nonroot"),
    # A CI checkout's token never reaches the (committed) answers file.
    ("https://x-access-token:ghs_secret@github.com/org/nonroot.git", "https://github.com/org/nonroot.git"),
    ("https://deploy:secret@git.example.com/platform/nonroot", "git+https://git.example.com/platform/nonroot"),
    ("ssh://git:secret@git.example.com/platform/nonroot.git", "git+ssh://git@git.example.com/platform/nonroot.git"),
])
def test_remote_urls_become_urls_copier_and_renovate_read(tmp_path, remote, recorded):
    assert as_copier_url(remote, tmp_path) == recorded


def test_a_template_url_is_recorded_without_its_token():
    assert recorded_source("git+https://oauth2:glpat-secret@gitlab.example.com/p/nonroot.git").url == \
        "git+https://gitlab.example.com/p/nonroot.git"


def test_copier_update_accepts_the_recorded_url(tmp_path):
    template = template_repo(tmp_path / "nonroot", OLD)
    service = as_repository(new_service(template, tmp_path / "svc"))
    release_newer_tag(template)
    result = run_copier("update", "--skip-answered", "--defaults", "--trust", "--answers-file", ANSWERS_FILE,
                        "--vcs-ref", NEW, cwd=service)
    assert result.returncode == 0, result.stderr
    assert (service / "NOTES.md").read_text() == f"Added in {NEW}.\n"
    assert answers(service)["_commit"] == NEW
    assert answers(service)["_src_path"] == f"git+{template.resolve().as_uri()}"


# ------------------------------------------------------------------ renovate.json
def test_renovate_json_enables_the_copier_manager_with_scripts(generate):
    config = json.loads((generate() / "renovate.json").read_text())
    assert config["copier"] == {"enabled": True, "ignoreScripts": False}


def test_renovate_false_writes_no_renovate_json(generate):
    assert not (generate(renovate=False) / "renovate.json").exists()


def test_renovate_config_validator_accepts_renovate_json(renovate, generate):
    result = renovate.validate_config(generate())
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


# ------------------------------------------------------------------ real Renovate
def test_renovate_proposes_the_templates_newer_tag(renovate, fleet, tmp_path):
    template, service = fleet
    deps = renovate_tool.copier_deps(run_renovate(renovate, service, tmp_path))
    assert len(deps) == 1, deps
    dep = deps[0]
    assert dep["depName"] == f"git+{template.resolve().as_uri()}"
    assert dep["currentValue"] == OLD
    assert [update["newValue"] for update in dep["updates"]] == [NEW]


def test_renovate_finds_nothing_when_the_answers_hold_a_bare_path(renovate, fleet, tmp_path):
    # The trap `nonroot new` avoids: Renovate's copier manager refuses a plain directory path.
    template, service = fleet
    bare = tmp_path / "bare"
    subprocess.run(["git", "clone", "-q", str(service), str(bare)], check=True)
    text = (bare / ANSWERS_FILE).read_text()
    (bare / ANSWERS_FILE).write_text(text.replace(f"git+{template.resolve().as_uri()}", str(template.resolve())))
    commit_all(bare, "bare path")
    assert renovate_tool.copier_deps(run_renovate(renovate, bare, tmp_path)) == []


def test_renovates_command_without_trust_changes_nothing(fleet, tmp_path):
    # What Renovate runs when the bot lacks allowScripts: true or the repository's config lacks
    # "ignoreScripts": false (its copier manager then leaves out --trust): Copier refuses the
    # template's tasks and migrations and updates nothing.
    _template, service = fleet
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(service), str(clone)], check=True)
    result = run_copier("update", "--skip-answered", "--defaults", "--answers-file", ANSWERS_FILE,
                        "--vcs-ref", NEW, cwd=clone)
    assert result.returncode != 0
    assert "unsafe features: jinja_extensions, migrations, tasks" in result.stderr
    assert git(clone, "status", "--porcelain") == ""
    assert answers(clone)["_commit"] == OLD
