"""Go: one static binary (CGO_ENABLED=0), built in a golang builder, that runs on any
family, scratch included."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...detection import adopted_repository
from ...families.debian import CODENAME
from ...rows import ANY_FAMILY, Stack

VERSION = "1.26"
BUILDER = f"golang:{VERSION}-{CODENAME}"
PROBE = "/usr/local/bin/nonroot-healthcheck"


def go_module_error(answers: Mapping[str, Any], destination: str) -> str:
    """go builds a module: without go.mod (and no sample to write one) say why. Checked
    only in a repository (detection.adopted_repository)."""
    folder = adopted_repository(answers, destination)
    if folder is None or (folder / "go.mod").is_file():
        return ""
    sample = "" if any(folder.glob("*.go")) else " (or answer sample_app true for the sample's)"
    return ("stack: go builds a Go module, and there is no go.mod here; run `go mod init <module path>` "
            f"first{sample}")


STACK = Stack(
    "go", order=30, title="Go (static binary, CGO_ENABLED=0)",
    help="go: a static binary (CGO_ENABLED=0) that can run on scratch or distroless.",
    families=ANY_FAMILY,
    builder_image=BUILDER, builder_family="debian",
    layout_refusal="the go stack compiles in a builder stage and ships only the binary; use multi",
    command=lambda answers: ["/app/server"],
    health_probe=("{probe}", "{url}"), tcp_probe=("{probe}", "tcp://127.0.0.1:{port}"), probe_binary=PROBE, build_args=("GOPROXY",), copies_context=True,
    needs_ca_bundle=True, base_image_names=("golang",), questions=("go_package",),
    own_answers=lambda answers: {"go_package": str(answers.get("go_package") or ".")},
    sample=lambda answers: ["go.mod", "main.go"], checks={"go_package": go_module_error},
)
