"""Migrations across the version that needs them: 0.2.0 added the organisation UID range
(uid_min, uid_max); a service made by 0.1.0, updated unattended on a machine whose Copier
settings pin a range that excludes its UID, keeps its UID and GID."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

from gitrepos import IGNORE, commit_all, git, make_service
from helpers import ROOT, run_copier
from test_org_defaults import org_settings
from test_update import ANSWERS, renovate_update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks" / "migrations"))
from v0_2_0_record_uid_range import record_range  # noqa: E402


def released_template(tmp_path: Path, migrations: bool = True) -> Path:
    """This template's own history in a temporary clone: v0.1.0 tagged at the last commit before
    copier.yml gained uid_min/uid_max (what 0.1.0 shipped), v0.2.0 the working tree as it is now
    (with its 0.2.0 migration, or without it to show why it exists)."""
    template = tmp_path / "template"
    git(tmp_path, "clone", "-q", str(ROOT), str(template))
    added = git(template, "log", "--format=%H", "-S", "uid_min", "--", "copier.yml").split()
    assert added, "this clone has no history of copier.yml (shallow?): the migration test needs it"
    git(template, "tag", "v0.1.0", f"{added[-1]}~1")
    for tracked in git(template, "ls-files", "-z").split("\0"):
        if tracked:
            (template / tracked).unlink(missing_ok=True)
    shutil.copytree(ROOT, template, ignore=IGNORE, dirs_exist_ok=True)
    if not migrations:
        config = yaml.safe_load((template / "copier.yml").read_text())
        config["_migrations"] = [m for m in config["_migrations"] if str(m.get("version")) != "0.2.0"]
        (template / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    commit_all(template, "0.2.0", "v0.2.0")
    return template


def service_at_0_1_0(tmp_path: Path, migrations: bool = True) -> tuple[Path, Path]:
    """A service with UID/GID 1000 made at v0.1.0, and the template then released as v0.2.0."""
    template = released_template(tmp_path, migrations)
    service = make_service(template, tmp_path / "svc", "v0.1.0", uid=1000, gid=1000)
    return template, service


def test_update_to_0_2_0_keeps_the_uid_and_gid_despite_an_org_range(tmp_path):
    _, service = service_at_0_1_0(tmp_path)
    assert "uid_min" not in (service / ANSWERS).read_text()
    result = renovate_update(service, "v0.2.0", env=org_settings(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "migration 0.2.0: recorded uid_min/uid_max" in result.stderr
    answers = yaml.safe_load((service / ANSWERS).read_text())
    assert (answers["_commit"], answers["uid"], answers["gid"]) == ("v0.2.0", 1000, 1000)
    assert (answers["uid_min"], answers["uid_max"]) == (1, 2147483647)
    assert "USER 1000:1000" in (service / "Dockerfile").read_text()


def test_without_the_migration_the_update_would_change_the_uid_and_is_undone(tmp_path):
    # Why the migration exists: Copier drops a recorded uid that a new validator refuses and,
    # with --defaults, takes the default (20000 here). The keep_ids guard undoes such an update.
    _, service = service_at_0_1_0(tmp_path, migrations=False)
    outcome_file = tmp_path / "outcome.json"
    result = renovate_update(service, "v0.2.0", env={**org_settings(tmp_path), "NONROOT_OUTCOME_FILE": str(outcome_file)})
    assert result.returncode != 0
    assert yaml.safe_load(outcome_file.read_text())["status"] == "update-undone"
    assert "update undone: it would have changed uid 1000 -> 20000, gid 1000 -> 20000 without being asked" \
        in result.stderr
    assert "USER 1000:1000" in (service / "Dockerfile").read_text()
    assert git(service, "status", "--porcelain") == ""


def test_the_owner_may_change_the_uid_by_asking(tmp_path):
    _, service = service_at_0_1_0(tmp_path)
    result = run_copier("update", "--skip-answered", "--defaults", "--trust", "--answers-file", ANSWERS,
                        "--vcs-ref", "v0.2.0", "-d", "uid=20000", "-d", "gid=20000", cwd=service,
                        env=org_settings(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "USER 20000:20000" in (service / "Dockerfile").read_text()


def test_the_migration_records_only_what_is_missing():
    assert record_range("uid: 1000\n") == "uid: 1000\nuid_min: 1\nuid_max: 2147483647\n"
    assert record_range("uid: 1000\nuid_min: 500\n") == "uid: 1000\nuid_min: 500\nuid_max: 2147483647\n"
    both = "uid_min: 20000\nuid_max: 29999\n"
    assert record_range(both) == both


def test_the_printed_advice_after_an_undone_update_works_as_printed(tmp_path):
    """The undone update names two commands (keep the IDs by widening the range, or change
    them on purpose); typed as printed, in the service, the first one updates and keeps 1000."""
    import shlex

    _, service = service_at_0_1_0(tmp_path, migrations=False)
    result = renovate_update(service, "v0.2.0", env=org_settings(tmp_path))
    assert result.returncode != 0
    line = next(line for line in result.stderr.splitlines() if "update undone" in line)
    keep = line.split("widen the range: ", 1)[1].split(";", 1)[0]
    assert f"--answers-file {ANSWERS}" in keep
    argv = shlex.split(keep.replace("uid_min=...", "uid_min=1").replace("uid_max=...", "uid_max=2147483647"))
    done = run_copier(*argv[1:], cwd=service, env=org_settings(tmp_path))  # argv[0]: copier
    assert done.returncode == 0, done.stderr[-3000:]
    answers = yaml.safe_load((service / ANSWERS).read_text())
    assert (answers["_commit"], answers["uid"], answers["gid"]) == ("v0.2.0", 1000, 1000)
