"""The documentation's tables of versions and choices, made from the code.

A page marks each table it shows with `<!-- table: NAME -->` ... `<!-- /table -->`; what
stands between the markers is this script's output, committed so that the pages read the
same on GitHub as on the site. The site's build fills them again (the MkDocs hook
scripts/mkdocs_hooks.py), and tests/test_docs.py fails when a committed table drifts from
the code.

    python scripts/doc_tables.py            # rewrite the tables in docs/*.md
    python scripts/doc_tables.py --check    # exit 1 naming each page whose tables drifted

The plan's rows are read in one place, read_plan(): the rest works on its result.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"(<!-- table: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /table -->)", re.S)


@dataclass(frozen=True)
class PlanRows:
    """What the tables need from hooks/nonroot/plan.py."""

    releases: tuple[tuple[str, str], ...]  # (what, version)
    stacks: dict[str, tuple[str, ...]]  # stack -> the families it runs on
    layouts: dict[str, tuple[str, ...]]  # stack -> its layouts
    drop_tools: dict[str, tuple[str, ...]]  # family -> the drop tools it packages
    init: dict[str, bool]  # family -> tini available
    shell_less: dict[str, bool]
    runtime_image: Callable[[str, str], str]  # (stack, family) -> default base_image
    builder_image: Callable[[str, str], str]  # (stack, family) -> default builder_image (multi)
    stacks_table: Callable[[], str]  # the stacks' own table (hooks/nonroot/tables.py)


def read_plan() -> PlanRows:
    """The one function that knows the rows' names (hooks/nonroot/stacks/, families/):
    adapt it when the rows move."""
    sys.path.insert(0, str(ROOT / "hooks"))
    from nonroot import catalog, plan
    from nonroot.families import alpine, debian, rhel
    from nonroot.stacks import go, node, python
    from nonroot.tables import TABLES

    def builder(stack: str, family: str) -> str:
        return plan.default_builder_image(stack, family, plan.default_base_image(stack, family))

    return PlanRows(
        releases=(("Debian", f"{debian.RELEASE} ({debian.CODENAME})"), ("Python", python.VERSION),
                  ("Node.js", node.VERSION), ("Go", go.VERSION), ("Alpine", alpine.RELEASE),
                  ("Red Hat UBI", rhel.UBI.rsplit("/", 1)[-1].removeprefix("ubi"))),
        stacks={name: stack.families for name, stack in catalog.STACKS.items()},
        layouts={name: stack.layouts for name, stack in catalog.STACKS.items()},
        drop_tools={name: family.drop_tools for name, family in catalog.FAMILIES.items()},
        init={name: family.init_path is not None for name, family in catalog.FAMILIES.items()},
        shell_less={name: family.shell_less for name, family in catalog.FAMILIES.items()},
        runtime_image=plan.default_base_image,
        builder_image=builder,
        stacks_table=TABLES["stacks"],
    )


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _code(items) -> str:
    return ", ".join(f"`{item}`" for item in items) or "-"


def releases_table(rows: PlanRows) -> str:
    lines = [_row("release", "version"), _row("---", "---")]
    lines += [_row(what, version) for what, version in rows.releases]
    return "\n".join(lines)


def images_table(rows: PlanRows) -> str:
    lines = [_row("stack", "distro", "`base_image` (runtime stage)", "`builder_image` (`multi`)", "layouts"),
             _row("---", "---", "---", "---", "---")]
    for stack, families in rows.stacks.items():
        for family in families:
            lines.append(_row(f"`{stack}`", f"`{family}`", f"`{rows.runtime_image(stack, family)}`",
                              f"`{rows.builder_image(stack, family)}`", _code(rows.layouts[stack])))
    return "\n".join(lines)


def families_table(rows: PlanRows) -> str:
    lines = [_row("distro", "stacks", "drop tools (`privilege: drop`)", "tini (`init`)", "shell in the runtime"),
             _row("---", "---", "---", "---", "---")]
    for family in rows.drop_tools:
        stacks = [stack for stack, families in rows.stacks.items() if family in families]
        lines.append(_row(f"`{family}`", _code(stacks), _code(rows.drop_tools[family]) if not rows.shell_less[family]
                          else "- (no shell: no drop)", "yes" if rows.init[family] else "no",
                          "no" if rows.shell_less[family] else "yes"))
    return "\n".join(lines)


def choices_table(copier_yml: Path = ROOT / "copier.yml") -> str:
    """Every question of copier.yml that has a fixed list of choices, with its values."""
    questions = yaml.safe_load(copier_yml.read_text())
    lines = [_row("question", "value", "means"), _row("---", "---", "---")]
    for name, spec in questions.items():
        if name.startswith("_") or not isinstance(spec, dict) or not spec.get("choices"):
            continue
        choices = spec["choices"]
        if isinstance(choices, str):  # printed from the rows (hooks/nonroot/checks.py's choices)
            sys.path.insert(0, str(ROOT / "hooks"))
            from nonroot.checks import choices as row_choices

            choices = json.loads(row_choices(name, {}))
        pairs = choices.items() if isinstance(choices, dict) else ((str(value), value) for value in choices)
        for label, value in pairs:
            value = value["value"] if isinstance(value, dict) else value  # a choice with its own validator
            lines.append(_row(f"`{name}`", f"`{value}`", str(label).replace("|", "\\|")))
    return "\n".join(lines)


def tables() -> dict[str, str]:
    rows = read_plan()
    return {"releases": releases_table(rows), "images": images_table(rows), "families": families_table(rows),
            "stacks": rows.stacks_table().rstrip("\n"), "choices": choices_table()}


def fill(text: str, made: dict[str, str]) -> str:
    """TEXT with each marked table replaced by MADE's; an unknown name is an error."""
    def replace(match: re.Match) -> str:
        name = match["name"]
        if name not in made:
            raise KeyError(f"unknown table {name!r} (known: {', '.join(made)})")
        return f"{match[1]}{made[name]}\n{match[4]}"
    return BLOCK.sub(replace, text)


def drifted(docs: Path = DOCS) -> list[Path]:
    """The pages whose committed tables are not what the code makes now."""
    made = tables()
    return [page for page in sorted(docs.rglob("*.md")) if fill(page.read_text(), made) != page.read_text()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report pages whose tables drifted (exit 1)")
    args = parser.parse_args(argv)
    if args.check:
        pages = drifted()
        for page in pages:
            print(f"doc_tables: {page.relative_to(ROOT)}: a table differs from the code; "
                  f"run: python scripts/doc_tables.py", file=sys.stderr)
        return 1 if pages else 0
    made = tables()
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text()
        if fill(text, made) != text:
            page.write_text(fill(text, made))
            print(f"doc_tables: rewrote {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
