"""RHEL / UBI / Fedora / Rocky: shadow-utils, setpriv, microdnf. UBI's language images end
with USER 1001: the runtime stage starts with the prelude USER 0."""
from ...rows import Family

UBI = "registry.access.redhat.com/ubi9"

FAMILY = Family(
    "rhel", order=40, title="RHEL / UBI / Fedora / Rocky", image=f"{UBI}/ubi-minimal:9.7",
    account_tool="shadow-utils", package_tool="microdnf", drop_tools=("setpriv",), runtime_prelude=True,
    no_init="tini is not in the RHEL/UBI repositories; use docker run --init or compose init: true",
    tool_refusals={"gosu": "gosu is not packaged for RHEL/UBI"},
)
