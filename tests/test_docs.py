"""The documentation: a MkDocs site (Material theme) that builds strictly (a broken link or
anchor fails), whose tables of versions and choices are the code's, whose search box works in
a real browser; and a README that stays the short front door to it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import doc_tables  # noqa: E402
import docs_screenshots  # noqa: E402

README = ROOT / "README.md"
MKDOCS = Path(sys.executable).with_name("mkdocs")
QUIET = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(MKDOCS), "build", "--strict", "--config-file", str(config), "--site-dir", str(site)],
                          capture_output=True, text=True, env=QUIET, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """This checkout's site, built once for the module."""
    site = tmp_path_factory.mktemp("site")
    result = build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr[-3000:]
    return site


def _nav_pages() -> list[str]:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"]
    return [page for entry in nav for page in entry.values()]


def test_the_site_builds_strictly(site):
    for page in _nav_pages():
        built = site / ("index.html" if page == "index.md" else f"{page.removesuffix('.md')}/index.html")
        assert built.is_file(), page


def test_a_broken_link_fails_the_strict_build(tmp_path):
    # The same site with one link to a page that does not exist: the build must refuse it.
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copy(ROOT / "copier.yml", tmp_path / "copier.yml")
    with (tmp_path / "docs" / "ci.md").open("a") as page:
        page.write("\nSee [the old page](no-such-page.md#nowhere).\n")
    result = build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "no-such-page.md" in result.stderr


def test_every_page_is_in_the_navigation():
    assert sorted(_nav_pages()) == sorted(str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").glob("*.md"))


def test_the_committed_tables_are_the_code_s():
    assert doc_tables.drifted() == [], "run: python scripts/doc_tables.py"


def test_a_table_that_drifted_from_the_code_is_found(tmp_path):
    page = tmp_path / "families-and-stacks.md"
    text = (ROOT / "docs" / "families-and-stacks.md").read_text()
    image = doc_tables.read_plan().runtime_image("python", "debian")
    assert f"`{image}`" in text
    page.write_text(text.replace(f"`{image}`", "`python:3.9-slim-bullseye`", 1))
    assert doc_tables.drifted(tmp_path) == [page]


def test_the_built_site_shows_the_code_s_default_images(site):
    html = (site / "families-and-stacks" / "index.html").read_text()
    rows = doc_tables.read_plan()
    for stack, families in rows.stacks.items():
        for family in families:
            assert rows.runtime_image(stack, family) in html, (stack, family)


def test_every_question_has_a_row_in_the_questions_page():
    questions = [name for name in yaml.safe_load((ROOT / "copier.yml").read_text()) if not name.startswith("_")]
    text = (ROOT / "docs" / "questions.md").read_text()
    table = text[text.index("## Every question"):text.index("## The choices")]
    named = {name for row in re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|", table, re.M)
             for name in re.findall(r"`([a-z_]+)`", row)}
    assert [name for name in questions if name not in named] == []


def test_readme_is_short_and_keeps_the_two_commands():
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    first_block = text.split("```sh", 1)[1].split("```", 1)[0]
    assert ("python3 -m venv .venv && .venv/bin/pip install -q -e . && "
            ".venv/bin/nonroot new ../my-service --defaults") in first_block
    assert "bash scripts/test.sh" in first_block


def test_readme_links_to_every_page_and_each_link_resolves():
    links = re.findall(r"\]\((docs/[^)#]+)", README.read_text())
    assert {link.removeprefix("docs/") for link in links} >= set(_nav_pages())
    for link in links:
        assert (ROOT / link).is_file(), link


def _needs_chromium() -> None:
    if not docs_screenshots.find_browser():
        if os.environ.get("CI"):
            pytest.fail("no Chromium in CI: scripts/test.sh installs the Debian package chromium")
        pytest.skip("no Chromium here (apt-get install chromium)")


def test_the_search_box_finds_pages_in_headless_chromium(site, tmp_path):
    _needs_chromium()
    result = docs_screenshots.check_search(site, tmp_path, "fleet")
    assert result.results > 0
    assert result.links[0] == "/updating/" and result.titles[0] == "Updating and fleets"
    for shot in result.screenshots:
        data = Path(shot).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000, shot


def test_a_search_for_a_word_in_no_page_shows_no_result(site, tmp_path):
    _needs_chromium()
    assert docs_screenshots.check_search(site, tmp_path, "qzxjvwk").results == 0
