"""Ubuntu: Debian's tools and macros (families/debian/macros.jinja); Python installed with apt."""
from ...rows import Family

IMAGE = "ubuntu:24.04"

FAMILY = Family(
    "ubuntu", order=20, title="Ubuntu", image=IMAGE, account_tool="groupadd/useradd", package_tool="apt",
    macros="debian", drop_tools=("setpriv", "gosu"), builtin_drop_tools=("setpriv",), init_path="/usr/bin/tini",
    installs_python=True, lacks_python=True,
)
