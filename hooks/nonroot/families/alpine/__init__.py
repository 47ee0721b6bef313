"""Alpine: BusyBox addgroup/adduser, su-exec or gosu, apk."""
from ...rows import Family

RELEASE = "3.23"

FAMILY = Family(
    "alpine", order=30, title="Alpine", image=f"alpine:{RELEASE}", account_tool="BusyBox addgroup/adduser",
    package_tool="apk", drop_tools=("su-exec", "gosu"), init_path="/sbin/tini",
    tool_refusals={"setpriv": "Alpine's BusyBox has no full setpriv"},
)
