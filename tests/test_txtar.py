"""tests/txtar.py: the text archives the test apps are stored in (tests/apps/NAME.txtar) give
back every file byte for byte, and refuse what the format cannot hold rather than write it wrong."""
from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

import txtar
from adoption import APPS

TXTAR = Path(txtar.__file__)


def files_of(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def folder(tmp_path) -> Path:
    """Nested folders, dotfiles, an empty file, a file without a final newline."""
    root = tmp_path / "app"
    for name, data in {
        "main.py": b"print('hi')\n",
        ".gitignore": b"__pycache__/\n",
        ".github/workflows/tests.yml": b"on: push\n",
        "pkg/__init__.py": b"",
        "pkg/deep/er/config": b"port = 5232",
        "notes.md": b"-- not a marker\nnor this --\n--  --\n\n\n",
        "windows.txt": b"line\r\n-- x --\r\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def test_a_packed_folder_extracts_to_the_same_files(folder, tmp_path):
    txtar.write(tmp_path / "app.txtar", txtar.pack(folder, "An app.\n"))
    out = txtar.extract(tmp_path / "app.txtar", tmp_path / "out")
    assert files_of(out) == files_of(folder)


def test_the_archive_is_gos_format_with_the_comment_first(folder, tmp_path):
    txtar.write(tmp_path / "app.txtar", txtar.pack(folder, "An app.\n"))
    text = (tmp_path / "app.txtar").read_text()
    assert text.startswith("An app.\n-- .github/workflows/tests.yml --\non: push\n-- .gitignore --\n")
    assert "-- pkg/__init__.py --\n-- pkg/deep/er/config (no final newline) --\nport = 5232\n" in text


def test_read_gives_the_comment_and_the_files_in_order(folder, tmp_path):
    txtar.write(tmp_path / "app.txtar", txtar.pack(folder, "An app."))
    archive = txtar.read(tmp_path / "app.txtar")
    assert archive.comment == "An app.\n"
    assert [name for name, _ in archive.files] == sorted(files_of(folder))
    assert archive.get("pkg/deep/er/config") == b"port = 5232" and archive.get("missing") is None


def test_an_executable_file_keeps_its_bit(folder, tmp_path):
    script = folder / "boot.sh"
    script.write_text("#!/bin/sh\nexec true\n")
    script.chmod(0o755)
    txtar.write(tmp_path / "app.txtar", txtar.pack(folder))
    assert "-- boot.sh (executable) --\n" in (tmp_path / "app.txtar").read_text()
    out = txtar.extract(tmp_path / "app.txtar", tmp_path / "out")
    assert (out / "boot.sh").stat().st_mode & stat.S_IXUSR
    assert not (out / "main.py").stat().st_mode & stat.S_IXUSR


def test_a_content_line_that_looks_like_a_marker_is_refused(folder, tmp_path):
    (folder / "docs.txt").write_text("intro\n-- main.py --\n")
    with pytest.raises(ValueError, match=r"docs.txt, line 2, looks like a txtar file marker"):
        txtar.pack(folder)
    archive = txtar.Archive("", [("docs.txt", b"-- main.py --")])
    with pytest.raises(ValueError, match="looks like a txtar file marker"):
        txtar.write(tmp_path / "bad.txtar", archive)
    assert not (tmp_path / "bad.txtar").exists()


def test_a_file_that_is_not_utf8_text_is_refused(folder):
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n")
    with pytest.raises(ValueError, match="logo.png is not UTF-8 text"):
        txtar.pack(folder)


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/etc/x"])
def test_extract_refuses_a_path_outside_the_destination_and_writes_nothing(tmp_path, name):
    archive = tmp_path / "evil.txtar"
    archive.write_text(f"-- ok.txt --\nfine\n-- {name} --\nboo\n")
    with pytest.raises(ValueError, match=rf"evil.txtar: refusing to extract '{name}'"):
        txtar.extract(archive, tmp_path / "out" / "dest")
    assert not (tmp_path / "out").exists() and not (tmp_path / "x").exists()


def test_the_command_line_extracts_and_packs_keeping_the_comment(folder, tmp_path):
    archive = tmp_path / "app.txtar"
    txtar.write(archive, txtar.pack(folder, "An app.\n"))
    extract = subprocess.run([sys.executable, TXTAR, "extract", archive, tmp_path / "out"], capture_output=True, text=True)
    assert extract.returncode == 0, extract.stderr
    (tmp_path / "out" / "main.py").write_text("print('changed')\n")
    pack = subprocess.run([sys.executable, TXTAR, "pack", tmp_path / "out", archive], capture_output=True, text=True)
    assert pack.returncode == 0, pack.stderr
    stored = txtar.read(archive)
    assert stored.comment == "An app.\n" and stored.get("main.py") == b"print('changed')\n"


def test_the_command_line_says_what_it_refuses_in_one_line(tmp_path):
    (tmp_path / "evil.txtar").write_text("-- ../x --\nboo\n")
    result = subprocess.run([sys.executable, TXTAR, "extract", tmp_path / "evil.txtar", tmp_path / "out"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("txtar: ") and result.stderr.count("\n") == 1, result.stderr


def test_every_test_app_extracts_to_files(tmp_path):
    archives = sorted(APPS.glob("*.txtar"))
    assert archives and not [path for path in APPS.iterdir() if path.suffix != ".txtar"]
    for archive in archives:
        stored = txtar.read(archive)
        assert stored.comment.strip() and stored.files, archive.name
        assert files_of(txtar.extract(archive, tmp_path / archive.stem)), archive.name
