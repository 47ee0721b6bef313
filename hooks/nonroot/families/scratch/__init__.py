"""scratch: the empty image, for static binaries. A Debian builder stage writes its passwd
and group from nothing; it has no CA bundle of its own."""
from ...rows import Family

FAMILY = Family(
    "scratch", order=60, title="scratch", image="scratch",
    account_tool="passwd and group written from nothing in a Debian builder stage", shell_less=True,
    init_path="/usr/bin/tini", builder_family="debian", scratch=True,
)
