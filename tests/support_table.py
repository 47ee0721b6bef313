"""The support table, made from the rows (hooks/nonroot/catalog.py): every combination the
questions accept, found by the same discovery as the plan's. A new stack or family folder
gets its rows here with nothing else to edit (tests/test_new_folders.py adds a toy of each)."""
from __future__ import annotations

from types import ModuleType
from typing import Any

from nonroot import catalog as installed

STYLES = ("entrypoint", "cmd")


def _layouts(stack: Any, family: Any) -> list[str]:
    """The layouts the stack takes on the family, the default last."""
    return [layout for layout in reversed(stack.layouts) if not (family.shell_less and layout != "multi")]


def full_table(catalog: ModuleType, stack: Any) -> list[dict]:
    """The default stack on every family it runs on: layout x privilege x tool x style x init."""
    rows = []
    for name in stack.families:
        family = catalog.FAMILIES[name]
        for layout in _layouts(stack, family):
            models: list[dict] = [{"privilege": "user"}, {"privilege": "openshift"}]
            for tool in ([] if family.shell_less else family.drop_tools):
                models += [{"privilege": "drop", "drop_tool": tool, "drop_style": style} for style in STYLES]
            for model in models:
                for init in ([False, True] if family.init_path else [False]):
                    rows.append({"distro": name, "layout": layout, **model, "init": init})
    return rows


def stack_rows(catalog: ModuleType, stack: Any) -> list[dict]:
    """Another stack on every family it runs on: each privilege model once (drop with the
    family's first tool), init with the user model; its other layouts on its first family."""
    rows = []
    for name in stack.families:
        family = catalog.FAMILIES[name]
        models = [{"privilege": "user", "init": family.init_path is not None}, {"privilege": "openshift", "init": False}]
        if not family.shell_less:
            models.append({"privilege": "drop", "drop_tool": family.drop_tools[0], "drop_style": "entrypoint",
                           "init": False})
        rows += [{"stack": stack.name, "distro": name, **model} for model in models]
    rows += [{"stack": stack.name, "distro": stack.families[0], "layout": layout, "privilege": "user", "init": False}
             for layout in stack.layouts[1:]]
    return rows


def support_table(catalog: ModuleType = installed) -> list[dict]:
    """The default stack's full table, every other stack's rows, then each stack folder's own
    TEST_ROWS (the default stack's without a `stack` answer)."""
    default, *others = catalog.STACKS.values()
    rows = full_table(catalog, default)
    for stack in others:
        rows += stack_rows(catalog, stack)
    for stack in catalog.STACKS.values():
        own = getattr(catalog.stack_module(stack.name), "TEST_ROWS", [])
        rows += [row if stack is default else {"stack": stack.name, **row} for row in own]
    return rows
