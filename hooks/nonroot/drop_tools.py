"""The privilege-drop tools, each command line written once. A family's row names the
tools it packages; its install_drop_tool macro installs the one the plan chose."""
from __future__ import annotations

from .rows import DropTool

# setpriv (util-linux): new IDs, no supplementary groups, no inheritable capabilities, and
# no way back to privileges through setuid files (no_new_privs).
SETPRIV = DropTool("setpriv", "setpriv (util-linux)", (
    ("setpriv", "--reuid={uid}", "--regid={gid}", "--clear-groups"),
    ("--inh-caps=-all", "--no-new-privs", "--")))
GOSU = DropTool("gosu", "gosu (distro package)", (("gosu", "{uid}:{gid}"),))
SU_EXEC = DropTool("su-exec", "su-exec (Alpine package)", (("su-exec", "{uid}:{gid}"),))

DROP_TOOLS: dict[str, DropTool] = {tool.name: tool for tool in (SETPRIV, GOSU, SU_EXEC)}
