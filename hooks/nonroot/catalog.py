"""The support table's rows, found by discovery: every folder of stacks/ and families/
holding an __init__.py with a STACK or FAMILY row is one; their order is the rows' `order`.
Adding a stack or a family is adding its folder (see the README, "Adding a family or a
stack")."""
from __future__ import annotations

import os
from dataclasses import replace
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from .drop_tools import DROP_TOOLS
from .rows import ANY_FAMILY, DropTool, Family, Stack

HERE = Path(__file__).resolve().parent


def stack_module(name: str) -> ModuleType:
    """A stack's folder, as a module (its row, TEST_ROWS, ...)."""
    return import_module(f"{__package__}.stacks.{name}")


def _rows(kind: str, attribute: str) -> list[Any]:
    rows = []
    for folder in sorted((HERE / kind).iterdir()):
        if (folder / "__init__.py").is_file():
            module = import_module(f"{__package__}.{kind}.{folder.name}")
            row = getattr(module, attribute)
            if row.name != folder.name:
                raise ValueError(f"{kind}/{folder.name}: its {attribute} row is named {row.name!r}")
            rows.append(row)
    return sorted(rows, key=lambda row: (row.order, row.name))


def _resolved(stack: Stack, families: dict[str, Family]) -> Stack:
    """The stack's families and images, with those a family's row adds (its stack_images)."""
    own = tuple(families) if stack.families == ANY_FAMILY else stack.families
    added = {name: family.stack_images[stack.name] for name, family in families.items()
             if stack.name in family.stack_images}
    return replace(stack, families=own + tuple(name for name in added if name not in own),
                   images={**added, **stack.images})


FAMILIES: dict[str, Family] = {family.name: family for family in _rows("families", "FAMILY")}
STACKS: dict[str, Stack] = {stack.name: _resolved(stack, FAMILIES) for stack in _rows("stacks", "STACK")}
DEFAULT_STACK = next(iter(STACKS))
DEFAULT_FAMILY = next(iter(FAMILIES))

# Read off the folders once, with the rows; nothing reads them later. Copier renders from a
# fresh clone of the template each time, and the extension imports one version's code once
# per process (extensions/nonroot_plan.py): a later render may come from another clone.
TEMPLATE_ROOT = HERE.parent.parent
EXECUTABLE_FILES = frozenset(str(path.relative_to(TEMPLATE_ROOT)) for path in sorted((HERE / "stacks").rglob("*"))
                             if path.is_file() and os.access(path, os.X_OK))  # a sample's scripts
DETECTING_STACKS = tuple(name for name in STACKS if (HERE / "stacks" / name / "detect.py").is_file())


def macros_path(kind: str, name: str) -> str:
    """The template-relative path of a folder's macros (Copier's loader reads from the
    template's root)."""
    return f"hooks/nonroot/{kind}/{name}/macros.jinja"


def sample_folder(stack: str) -> str:
    return f"hooks/nonroot/stacks/{stack}/sample"


def drop_tool(name: str) -> DropTool:
    return DROP_TOOLS[name]


def stacks_on(family: str) -> tuple[str, ...]:
    return tuple(name for name, stack in STACKS.items() if family in stack.families)


# The macros a family's macros.jinja defines: those of its kind (with a shell, or
# shell-less), plus one per capability its row declares; a stack's: STACK_MACROS plus one
# per capability of its row. Each takes the plan.
SHELL_FAMILY_MACROS = ("create_account", "install_packages", "install_drop_tool")
SHELL_LESS_MACROS = ("builder_account", "copy_account")
STACK_MACROS = ("builder_purpose", "build", "copy_app")


def family_macros(family: Family) -> set[str]:
    """The macros the family's macros.jinja must define, and no others."""
    names = set(SHELL_LESS_MACROS if family.shell_less else SHELL_FAMILY_MACROS)
    if family.init_path:
        names.add("install_init")
    if family.installs_python:
        names.add("install_python")
    if family.runtime_prelude or family.reads_runtime_accounts:
        names.add("runtime_prelude")
    if family.shell_less:
        names.update(m for stack in stacks_on(family.name) for m in STACKS[stack].shell_less_family_macros)
    return names


def stack_macros(stack: Stack) -> set[str]:
    names = set(STACK_MACROS)
    if stack.runtime_env:
        names.add("runtime_env")
    if stack.runtime_install:
        names.add("runtime_install")
    if stack.image_account:
        names.add("reuse_account")
    if stack.build_step:
        names.add("build_step")
    return names
