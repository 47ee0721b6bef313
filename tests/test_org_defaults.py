"""Organisation defaults (examples/org-defaults.yml): pinned base images from a registry
mirror and a UID range, as a data file for new services and as Copier settings
`defaults:` for every copy and update on a machine."""
from __future__ import annotations

import yaml

from helpers import ROOT, run_copier, run_nonroot

ORG_DEFAULTS = ROOT / "examples" / "org-defaults.yml"
MIRROR = "registry.example.org/mirror/library/python:3.12-slim-bookworm"


def org_settings(tmp_path) -> dict[str, str]:
    """The example file as Copier settings `defaults:`, for COPIER_SETTINGS_PATH."""
    settings = tmp_path / "copier-settings.yml"
    settings.write_text(yaml.safe_dump({"defaults": yaml.safe_load(ORG_DEFAULTS.read_text())}))
    return {"COPIER_SETTINGS_PATH": str(settings)}


def test_org_data_file_pins_the_mirror_images_and_the_first_uid_of_the_range(renders, tmp_path):
    dest = tmp_path / "billing"
    result = run_nonroot("new", str(dest), "--defaults", "--template", str(renders.template), "--data-file", str(ORG_DEFAULTS),
                         "-d", "service_name=billing", "-d", "verify=false")
    assert result.returncode == 0, result.stderr
    dockerfile = (dest / "Dockerfile").read_text()
    assert f"FROM {MIRROR} AS builder" in dockerfile
    assert f"FROM {MIRROR}\n" in dockerfile
    assert "USER 20000:20000" in dockerfile


def test_a_uid_outside_the_org_range_is_refused_naming_the_range(renders, tmp_path):
    dest = tmp_path / "billing"
    result = run_nonroot("new", str(dest), "--defaults", "--template", str(renders.template), "--data-file", str(ORG_DEFAULTS),
                         "-d", "uid=10001", "-d", "verify=false")
    assert result.returncode == 2
    assert "uid: 10001 is outside your organisation's range 20000-29999 (uid_min, uid_max)" in result.stderr
    assert not dest.exists()


def test_org_settings_defaults_apply_to_a_plain_copier_copy(renders, tmp_path):
    dest = tmp_path / "billing"
    result = run_copier("copy", "--trust", "--defaults", "-d", "verify=false", str(renders.template), str(dest),
                        env=org_settings(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    answers = yaml.safe_load((dest / ".copier-answers.nonroot.yml").read_text())
    assert (answers["uid"], answers["gid"], answers["base_image"]) == (20000, 20000, MIRROR)


def test_without_an_org_range_the_default_uid_is_still_10001(generate):
    assert "USER 10001:10001" in (generate() / "Dockerfile").read_text()
