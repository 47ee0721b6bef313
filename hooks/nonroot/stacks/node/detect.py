"""What a repository tells of a Node.js service: its package manager (packageManager or
the lockfile), and a start command that runs without npm."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from ...detection import Finding, read_package_json, server_file

MARKERS = ("package.json",)
PRIORITY = 30  # after the others: a package.json beside a backend is often a frontend's
SOURCE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")
NODE_LOCKFILES = (("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("package-lock.json", "npm"),
                  ("npm-shrinkwrap.json", "npm"))
# The lines that start a server, for a repository with no other start signal.
SERVER_START = re.compile(r"\.listen\(|createServer\(")
DESCRIBED = {"package_manager": ("package manager ", str)}
# A script's interpreter, by its #! line's program or its suffix (a script that is not executable).
SCRIPT_INTERPRETERS = {"node": "node"}
SCRIPT_SUFFIXES = {".js": "node", ".mjs": "node", ".cjs": "node"}


def marker(root: Path) -> str | None:
    return next((name for name in MARKERS if (root / name).is_file()), None)


def detect_package_manager(root: Path, warnings: list[str]) -> Finding | None:
    declared = str(read_package_json(root).get("packageManager", ""))
    name = declared.split("@")[0]
    if name in ("npm", "yarn", "pnpm"):
        return Finding("package_manager", name, f'package.json "packageManager": "{declared}"')
    for lockfile, manager in NODE_LOCKFILES:
        if (root / lockfile).is_file():
            return Finding("package_manager", manager, lockfile)
    warnings.append("no lockfile (package-lock.json, yarn.lock or pnpm-lock.yaml): the image runs `npm install`, "
                    "so each build may resolve other versions; commit a lockfile for reproducible builds")
    return Finding("package_manager", "npm", "no lockfile")


def answers(root: Path, warnings: list[str]) -> list[Finding | None]:
    """The stack's own answers."""
    return [detect_package_manager(root, warnings)]


def command(root: Path) -> tuple[list[str], str] | None:
    package = read_package_json(root)
    start = str((package.get("scripts") or {}).get("start", "")).strip()
    if start:
        try:
            argv = shlex.split(start)
        except ValueError:
            argv = []
        # Only a plain `node FILE …` runs without npm; `npm start` as PID 1 loses signals.
        if argv and argv[0] == "node" and not any("=" in word and not word.startswith("-") for word in argv):
            return argv, 'package.json "scripts.start"'
    main = str(package.get("main", "")).strip()
    if main and (root / main).is_file():
        return ["node", main], 'package.json "main"'
    for name in ("server.js", "index.js", "app.js"):
        if (root / name).is_file():
            return ["node", name], f"{name} at the root"
    return server_file(root, SOURCE_SUFFIXES, SERVER_START, "node")
