"""distroless: no shell, no user tools. A Debian builder stage writes the account lines on
top of the runtime image's own passwd and group; its nonroot account (65532) may be reused."""
from ...rows import Family
from ..debian import RELEASE

FAMILY = Family(
    "distroless", order=50, title="distroless", image=f"gcr.io/distroless/static-debian{RELEASE}:nonroot",
    account_tool="account lines written in a Debian builder stage", shell_less=True, init_path="/usr/bin/tini",
    reads_runtime_accounts=True, builder_family="debian", image_account=("nonroot", 65532),
)
