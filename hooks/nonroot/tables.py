"""Tables of stacks, families and default images, printed from the rows (each a markdown
table): `python scripts/doc_tables.py` writes the stacks' one into docs/families-and-stacks.md
between its `<!-- table: stacks -->` markers, and tests/test_docs.py fails when it drifts."""
from __future__ import annotations

from collections.abc import Callable

from .catalog import FAMILIES, STACKS
from .plan import default_base_image, default_builder_image, has_builder


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows]) + "\n"


def _code(items: object) -> str:
    return ", ".join(f"`{item}`" for item in items) if items else "none"  # type: ignore[union-attr]


def stacks_table() -> str:
    """Each stack: the families it runs on, its layouts, its sample's command and probe."""
    rows = []
    for stack in STACKS.values():
        probe = " ".join(stack.health_probe).replace("{interpreter}", (stack.interpreters or ("",))[0]) \
            .replace("{probe}", stack.probe_binary).replace("{url}", "URL")
        rows.append([f"`{stack.name}`", ", ".join(stack.families), ", ".join(stack.layouts),
                     f"`{' '.join(stack.command({}))}`", f"`{stack.health_path}`" if stack.health_path else "none",
                     f"`{probe}`" if stack.health_probe else "Kubernetes's `httpGet` only"])
    return _table(["stack", "families", "layouts (default first)", "default command", "health path",
                   "probe in the image"], rows)


def families_table() -> str:
    """Each family: how the account is made, its drop tools, its package manager, tini."""
    rows = [[f"`{f.name}`", f.account_tool, _code(f.drop_tools) if not f.shell_less else "none (no shell)",
             f.package_tool or "none", f"`{f.init_path}`" if f.init_path else f"none: {f.no_init}"]
            for f in FAMILIES.values()]
    return _table(["family", "account", "drop tools", "packages", "tini"], rows)


def images_table() -> str:
    """The default runtime image of each stack on each family, and its builder's."""
    rows = []
    for stack in STACKS.values():
        for name in stack.families:
            base = default_base_image(stack.name, name)
            builder = default_builder_image(stack.name, name, base) \
                if has_builder(stack, FAMILIES[name], "multi") else ""
            rows.append([f"`{stack.name}`", f"`{name}`", f"`{base}`",
                         f"`{builder}`" if builder else "none"])
    return _table(["stack", "family", "runtime image (base_image)", "builder image (builder_image, multi)"], rows)


TABLES: dict[str, Callable[[], str]] = {"stacks": stacks_table, "families": families_table, "images": images_table}
