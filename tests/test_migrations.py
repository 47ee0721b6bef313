"""Migrations across the version that needs them: 0.2.0 added the organisation UID range
(uid_min, uid_max); a service made by 0.1.0, updated unattended on a machine whose Copier
settings pin a range that excludes its UID, keeps its UID and GID."""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from gitrepos import commit_all, git, make_service, template_repo
from helpers import run_copier
from test_org_defaults import org_settings
from test_update import ANSWERS, renovate_update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hooks" / "migrations"))
from v0_2_0_record_uid_range import record_range  # noqa: E402

MIGRATION = '''  # 0.2.0 added uid_min/uid_max.'''
ORGANISATION = "# ----------------------------------------------------------- organisation\n"
END_OF_ORGANISATION = "# ------------------------------------------------ end of organisation\n"
NEXT_MIGRATION = '''  # Unversioned, after'''  # the first unversioned migration: the keep_ids guard


def as_released_0_1_0(template: Path) -> None:
    """0.1.0 had no organisation questions: they are removed, and the range checks they
    feed become the range 0.1.0's validators enforced (1-2147483647)."""
    text = (template / "copier.yml").read_text()
    start, end = text.index(ORGANISATION), text.index(END_OF_ORGANISATION) + len(END_OF_ORGANISATION)
    text = (text[:start] + text[end:]).replace("uid_min", "1").replace("uid_max", "2147483647")
    (template / "copier.yml").write_text(text)
    commit_all(template, "0.1.0", "v0.1.0")


def service_at_0_1_0(tmp_path: Path, migrations: bool = True) -> tuple[Path, Path]:
    """A service with UID/GID 1000 made at v0.1.0, and the template then released as v0.2.0."""
    template = template_repo(tmp_path / "template", "dev")
    as_released_0_1_0(template)
    service = make_service(template, tmp_path / "svc", "v0.1.0", uid=1000, gid=1000)
    git_checkout_current_copier_yml(template)
    if not migrations:
        text = (template / "copier.yml").read_text()
        start, end = text.index(MIGRATION), text.index(NEXT_MIGRATION)
        (template / "copier.yml").write_text(text[:start] + text[end:])
    commit_all(template, "0.2.0", "v0.2.0")
    return template, service


def git_checkout_current_copier_yml(template: Path) -> None:
    from helpers import ROOT

    (template / "copier.yml").write_text((ROOT / "copier.yml").read_text())


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
    result = renovate_update(service, "v0.2.0", env=org_settings(tmp_path))
    assert result.returncode != 0
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
