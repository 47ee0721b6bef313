"""What a repository tells of a Node.js service: its package manager (packageManager or
the lockfile), its build step (scripts.build), and a start command that runs without npm
(of a built service: its build's output, from tsconfig's outDir, Next.js or NestJS)."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from ...detection import PORT_PLACEHOLDER, Finding, read_package_json, read_text, server_file

MARKERS = ("package.json",)
PRIORITY = 30  # after the others: a package.json beside a backend is often a frontend's
SOURCE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")
NODE_LOCKFILES = (("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("package-lock.json", "npm"),
                  ("npm-shrinkwrap.json", "npm"))
# The lines that start a server, for a repository with no other start signal.
SERVER_START = re.compile(r"\.listen\(|createServer\(")
DESCRIBED = {"package_manager": ("package manager ", str)}
# Where a TypeScript service's entry usually is (its build's output runs).
TS_ENTRY_FILES = ("index.ts", "server.ts", "main.ts", "app.ts")
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
    """The stack's own answers, and its build step."""
    manager = detect_package_manager(root, warnings)
    return [manager, _node_build(root, str(manager.value if manager else ""))]


def home(root: Path, own: list[Finding | None]) -> Finding | None:
    """A writable HOME where the stack's tools write under it at run time."""
    if any(f is not None and f.question == "package_manager" and f.value == "yarn" for f in own):
        return Finding("home", True, "yarn keeps its cache and settings under HOME")
    return None


RUNNERS = ("npm", "yarn", "pnpm")  # `npm run NAME`, `yarn NAME`, `pnpm run NAME`: another script


def _plain_node(text: str) -> list[str] | None:
    """TEXT as an argv when it is a plain `node …` (no environment assignments), else None."""
    try:
        argv = shlex.split(text)
    except ValueError:
        return None
    # Only a plain `node FILE …` runs without npm; `npm start` as PID 1 loses signals.
    if argv and argv[0] == "node" and not any("=" in word and not word.startswith("-") for word in argv):
        return argv
    return None


def _script_command(scripts: dict, name: str, seen: tuple[str, ...] = ()) -> tuple[list[str], list[str]] | None:
    """The plain `node …` the script NAME comes down to, following scripts that only run another
    script (`npm run start-server`, `yarn serve`), and the scripts followed; None if it is not one."""
    text = str(scripts.get(name, "") or "").strip()
    argv = _plain_node(text)
    if argv:
        return argv, [*seen, name]
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    rest = words[1:] if words and words[0] in RUNNERS else []
    if rest[:1] in (["run"], ["run-script"]):
        rest = rest[1:]
    if len(rest) == 1 and rest[0] in scripts and rest[0] not in (*seen, name):
        return _script_command(scripts, rest[0], (*seen, name))
    return None


def command(root: Path) -> tuple[list[str], str] | None:
    package = read_package_json(root)
    scripts = package.get("scripts") or {}
    start = str(scripts.get("start", "") or "").strip()
    if start:
        found = _script_command(scripts, "start")
        if found:
            return found[0], "package.json " + " -> ".join(f'"scripts.{name}"' for name in found[1])
    found = _command_without_start_script(root, package)
    if found and start:  # say why the start script the owner wrote is not the command
        return found[0], f'{found[1]}; not "scripts.start" ({start}): the image runs node itself, as PID 1'
    return found


def _command_without_start_script(root: Path, package: dict) -> tuple[list[str], str] | None:
    if _build_script(package):  # issue 22: a built service starts its build's output
        built = _built_node_command(root, package)
        if built:
            return built
    main = str(package.get("main", "")).strip()
    if main and (root / main).is_file():
        return ["node", main], 'package.json "main"'
    for name in ("server.js", "index.js", "app.js"):
        if (root / name).is_file():
            return ["node", name], f"{name} at the root"
    return server_file(root, SOURCE_SUFFIXES, SERVER_START, "node")


# ------------------------------------------------------- the build step (issue 22)
# What a service builds before it can start (answer build_command), and where the start
# command then points: at the build's output, which is not in the repository yet (dist/, .next/).
def _jsonc(text: str) -> dict:
    """tsconfig.json as TypeScript reads it: JSON with comments and trailing commas."""
    out, index, quote = [], 0, ""
    while index < len(text):
        char = text[index]
        if quote:
            out.append(char)
            if char == "\\":
                out.append(text[index + 1:index + 2])
                index += 1
            elif char == quote:
                quote = ""
        elif char == '"':
            quote = char
            out.append(char)
        elif text.startswith("//", index):
            index = text.find("\n", index)
            index = len(text) if index < 0 else index
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = len(text) if end < 0 else end + 2
            continue
        else:
            out.append(char)
        index += 1
    try:
        value = json.loads(re.sub(r",(\s*[}\]])", r"\1", "".join(out)))
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _build_script(package: dict) -> str:
    scripts = package.get("scripts")
    return str(scripts.get("build", "") or "").strip() if isinstance(scripts, dict) else ""


def _node_build(root: Path, manager: str) -> Finding | None:
    """package.json's scripts.build, run by the project's own package manager."""
    script = _build_script(read_package_json(root))
    if not script:
        return None
    return Finding("build_command", [manager or "npm", "run", "build"], f'package.json "scripts.build": "{script}"')


def _dependencies(package: dict) -> set[str]:
    names: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        if isinstance(package.get(key), dict):
            names |= set(package[key])
    return names


def _plain_node(script: str) -> list[str] | None:
    """A `node FILE …` script as argv (None for anything a shell or npm must run)."""
    try:
        argv = shlex.split(script)
    except ValueError:
        return None
    if argv and argv[0] == "node" and len(argv) > 1 and not any("=" in w and not w.startswith("-") for w in argv):
        return argv
    return None


def _ts_output(root: Path) -> tuple[str, str] | None:
    """(outDir, rootDir) of tsconfig.json (tsconfig.build.json first, as Nest builds with
    it): where tsc writes, and the source folder it mirrors there."""
    for name in ("tsconfig.build.json", "tsconfig.json"):
        config = _jsonc(read_text(root / name)) if (root / name).is_file() else {}
        options = config.get("compilerOptions") if isinstance(config.get("compilerOptions"), dict) else {}
        base = config.get("extends")
        if not options.get("outDir") and isinstance(base, str) and base.startswith("."):
            # A relative base config (a package's, such as @tsconfig/node20, is not read).
            path = root / base if (root / base).is_file() else root / f"{base}.json"
            inherited = _jsonc(read_text(path)).get("compilerOptions") if path.is_file() else None
            options = {**(inherited if isinstance(inherited, dict) else {}), **options}
        out_dir = str(options.get("outDir") or "").strip().removeprefix("./").rstrip("/")
        if out_dir and not out_dir.startswith(".."):
            source = str(options.get("rootDir") or "").strip().removeprefix("./").rstrip("/")
            if not source:  # tsc's own rule: the folder common to the inputs, usually src/
                source = "src" if (root / "src").is_dir() and not any(root.glob("*.ts")) else ""
            return out_dir, source
    return None


def _built_node_command(root: Path, package: dict) -> tuple[list[str], str] | None:
    """The start command of a service with a build step: what runs its output."""
    scripts = package.get("scripts") if isinstance(package.get("scripts"), dict) else {}
    start = str(scripts.get("start", "") or "")
    built = _plain_node(str(scripts.get("start:prod", "") or ""))
    if built:
        return built, 'package.json "scripts.start:prod"'
    build = _build_script(package)
    if "next" in _dependencies(package) and ("next start" in start or "next build" in build):
        # Next.js's own server, run by node itself (no npm or shell as PID 1); it reads $PORT.
        return (["node", "node_modules/next/dist/bin/next", "start", "-p", PORT_PLACEHOLDER],
                "Next.js (next build, then next start)")
    output = _ts_output(root)
    if not output:
        return None
    out_dir, source = output
    if "@nestjs/core" in _dependencies(package):
        entry = "main"
        nest = _jsonc(read_text(root / "nest-cli.json")) if (root / "nest-cli.json").is_file() else {}
        entry = str(nest.get("entryFile") or entry)
        return ["node", f"{out_dir}/{entry}.js"], f"NestJS (nest build) into outDir {out_dir} (tsconfig)"
    main = str(package.get("main", "") or "").strip().removeprefix("./")
    if main.startswith(out_dir + "/"):
        return ["node", main], f'package.json "main", built into outDir {out_dir} (tsconfig)'
    for name in TS_ENTRY_FILES:
        entry = Path(source, name) if source else Path(name)
        if (root / entry).is_file():
            target = f"{out_dir}/{entry.relative_to(source) if source else entry}"
            return ["node", target.removesuffix(".ts") + ".js"], f"{entry} built into outDir {out_dir} (tsconfig)"
    return None
