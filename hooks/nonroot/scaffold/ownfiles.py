"""The repository's own files beside the ones `nonroot new` writes (detect.py's OwnFiles):
what nonroot says about them, and the one it merges (.dockerignore)."""
from __future__ import annotations

from pathlib import Path

from .detect import OwnFiles

RUN_COMPOSE = "docker compose -f compose.yaml up --build"
KEPT_HEADER = ("# The repository's own entries, kept by nonroot new. nonroot's entries below come\n"
               "# after them, so where both name a path nonroot's win (no secrets in the context).\n")


def compose_refusal(dest: Path, own: OwnFiles) -> str:
    """Why nonroot stops without --overwrite where another compose file would be run or merged
    ("" when the generated compose.yaml is the only one either Compose reads)."""
    readers = own.compose_readers()
    if not readers:
        return ""
    return (f"{dest} has compose files of its own ({', '.join(own.compose)}): without -f, "
            f"{'; '.join(readers)}, so the generated compose.yaml would not run as written")


def compose_note(own: OwnFiles) -> str:
    """What nonroot did beside the repository's compose files ("" when it has none)."""
    if not own.compose:
        return ""
    readers = own.compose_readers()
    why = f" (without -f, {'; '.join(readers)})" if readers else ""
    return (f"compose: kept your {', '.join(own.compose)}; run the generated service with "
            f"`{RUN_COMPOSE}`{why}, as CONTAINER.md says")


def workflows_note(own: OwnFiles) -> str:
    if not own.workflows:
        return ""
    return (f"CI: kept your workflows ({', '.join(own.workflows)}); .github/workflows/container.yml "
            "is a second workflow, run beside them")


def own_entries(existing: str, generated: str) -> list[str]:
    """The lines of the repository's .dockerignore that nonroot's lacks, in their order
    (blank lines and comments left out)."""
    ours = {line.strip() for line in generated.splitlines()}
    kept: list[str] = []
    for line in existing.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#") and entry not in ours and entry not in kept:
            kept.append(entry)
    return kept


def merge_dockerignore(path: Path, existing: str) -> list[str]:
    """Put the repository's own entries back at the top of nonroot's .dockerignore at PATH;
    returns them ([]: nothing to keep, the file is left as generated)."""
    generated = path.read_text()
    kept = own_entries(existing, generated)
    if kept:
        path.write_text(KEPT_HEADER + "\n".join(kept) + "\n\n" + generated)
    return kept
