"""generic: an artifact the team's own build made, copied as it is, and its command."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...families.debian import IMAGE as DEBIAN_IMAGE
from ...rows import ANY_FAMILY, Stack


def _command(answers: Mapping[str, Any]) -> list[str]:
    return ["/app/" + (str(answers.get("artifact") or "") or "dist/app").rstrip("/").split("/")[-1]]


STACK = Stack(
    "generic", order=40, title="generic (an existing artifact and its command)",
    help="generic: an artifact your own build made, and the command that starts it.",
    families=ANY_FAMILY,
    builds=False, builder_image=DEBIAN_IMAGE,
    layout_refusal="generic copies an artifact built elsewhere: there is nothing to build; use multi",
    command=_command, health_path="", questions=("artifact",),
    own_answers=lambda answers: {"artifact": str(answers.get("artifact") or "")},
    sample=lambda answers: ["build.sh", ("src/go.mod", "go/sample/go.mod"), ("src/main.go", "go/sample/main.go")],
)
