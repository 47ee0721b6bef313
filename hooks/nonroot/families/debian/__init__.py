"""Debian: groupadd/useradd, setpriv (util-linux, in every image) or gosu, apt."""
from ...rows import Family

RELEASE = "13"
CODENAME = "trixie"
IMAGE = f"debian:{RELEASE}-slim"

FAMILY = Family(
    "debian", order=10, title="Debian", image=IMAGE, account_tool="groupadd/useradd", package_tool="apt",
    drop_tools=("setpriv", "gosu"), builtin_drop_tools=("setpriv",), init_path="/usr/bin/tini",
    installs_python=True,
)
