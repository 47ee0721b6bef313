"""MkDocs hook (mkdocs.yml's `hooks:`): the site's tables of versions and choices are made
from the code as each page is built (scripts/doc_tables.py), so the site never shows a
stale one, whatever the committed page holds."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import doc_tables  # noqa: E402

_made: dict[str, str] = {}


def on_pre_build(config, **kwargs) -> None:
    _made.clear()
    _made.update(doc_tables.tables())


def on_page_markdown(markdown: str, **kwargs) -> str:
    return doc_tables.fill(markdown, _made)
