"""A toy family for the tests (tests/test_new_folders.py copies it into a copy of the
template as hooks/nonroot/families/toy/): Debian's tools under another name, and a Python
image of its own, so the python stack runs on it too."""
from ...rows import Family

FAMILY = Family(
    "toy", order=70, title="Toy", image="registry.example.com/toy/base:1", account_tool="groupadd/useradd",
    package_tool="apt", drop_tools=("setpriv",), builtin_drop_tools=("setpriv",), init_path="/usr/bin/tini",
    stack_images={"python": "registry.example.com/toy/python:1"},
)
