"""What an existing repository already tells about its service, before nonroot asks.

`detect(path)` reads the repository's own files — lockfiles and manifests, a Procfile,
an existing Dockerfile, package.json, pyproject.toml, go.mod and the framework's usual
entry files — and returns one `Finding` per answer it can give, each with the file or
convention it came from, so `nonroot new` can print why and take it as the default.
Nothing here runs, imports or writes the repository's code: it only reads text.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..plan import TCP_HEALTH
from ..shell_line import step_commands

PYTHON_MARKERS = ("pyproject.toml", "requirements.txt", "manage.py", "setup.py", "Pipfile", "uv.lock", "poetry.lock")
NODE_LOCKFILES = (("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("package-lock.json", "npm"),
                  ("npm-shrinkwrap.json", "npm"))
BASE_IMAGE_STACKS = (("python", "python"), ("node", "node"), ("golang", "go"))
# Files where a web framework's application object usually lives, at the root.
PYTHON_ENTRY_FILES = ("main.py", "app.py", "wsgi.py", "server.py", "application.py", "run.py")
HEALTH_PATHS = ("/healthz", "/health", "/livez", "/readyz", "/ping", "/status")
SOURCE_SUFFIXES = {"python": (".py",), "node": (".js", ".mjs", ".cjs", ".ts"), "go": (".go",)}
SKIPPED_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", "vendor", "dist", "build", ".tox"}
MAX_SOURCE_FILES = 400
TEST_DIRS = {"test", "tests", "__tests__", "spec", "specs", "e2e", "testdata", "fixtures"}
TEST_FILE = re.compile(r"^(test_.*\.py|.*_test\.(py|go)|conftest\.py|.*\.(test|spec)\.[cm]?[jt]sx?)$")
# The lines that start a server, for a repository with no other start signal: the file
# holding one is the command.
SERVER_STARTS = {
    "python": re.compile(r"\.run\(|uvicorn\.run\(|serve_forever\(|web\.run_app\(|waitress\.serve\(|make_server\("),
    "node": re.compile(r"\.listen\(|createServer\("),
}
# What says a folder holds someone's code, whatever its language: nonroot then writes no
# sample file there (a sample's main.go or package.json must never land on the user's).
CODE_SUFFIXES = frozenset((
    ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".vue", ".svelte", ".go", ".rb", ".java", ".kt",
    ".scala", ".groovy", ".php", ".rs", ".c", ".cc", ".cpp", ".h", ".hpp", ".cs", ".fs", ".ex", ".exs", ".erl",
    ".hs", ".clj", ".swift", ".dart", ".lua", ".pl", ".r", ".sh", ".bash"))
CODE_NAMES = frozenset((
    "Dockerfile", "Containerfile", "Procfile", "Makefile", "package.json", "package-lock.json", "yarn.lock",
    "pnpm-lock.yaml", "npm-shrinkwrap.json", "go.mod", "go.sum", "Gemfile", "Gemfile.lock", "Cargo.toml",
    "pom.xml", "build.gradle", "build.gradle.kts", "composer.json", "mix.exs", "deno.json") + PYTHON_MARKERS)
MAIN_GUARD = re.compile(r"^if __name__ == ['\"]__main__['\"]:", re.MULTILINE)
# In a detected command, where the port answer goes (exec form has no shell to expand $PORT).
PORT_PLACEHOLDER = "{port}"
# What makes a command a shell line (run with sh -c): operators, redirections, command
# substitution, variables other than $PORT (which exec form gets as the port answer).
SHELL_SYNTAX = re.compile(r"&&|\|\||[;|&<>`]|\$\(|\$(?!\{?PORT\b)[A-Za-z_{]")
SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash")
# Interpreters of a script that is not executable in the repository, by its #! line's
# program or its suffix.
SCRIPT_INTERPRETERS = {"sh": "sh", "bash": "bash", "dash": "sh", "ash": "sh", "python": "python3",
                       "python3": "python3", "node": "node"}
# A start script's lines that are no step of their own: shell set-up and control flow.
SCRIPT_SETUP_WORDS = frozenset(("set", "export", "cd", "source", ".", "if", "then", "else", "elif", "fi", "while",
                                "until", "for", "do", "done", "case", "esac", "echo", "sleep", "break", "continue",
                                "}", "{", "exit", "trap", "umask"))
# Where a stack's build puts the program it makes (an old image's binary path becomes it).
BUILT_PROGRAMS = {"go": "/app/server"}
SCRIPT_SUFFIXES = {".sh": "sh", ".py": "python3", ".js": "node", ".mjs": "node", ".cjs": "node"}


@dataclass(frozen=True)
class Finding:
    """One answer read off the repository, and where it was read."""

    question: str
    value: object
    source: str


@dataclass
class Detection:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What the folder holds that nonroot read but could not answer from (its code, a
    # Dockerfile whose stages name no stack nonroot builds): said instead of "nothing".
    unread: list[str] = field(default_factory=list)

    def answers(self, port: int) -> dict[str, object]:
        """The findings as answers; a command that follows the port (`{port}`) gets `port`,
        the port finally answered (detected, given with -d, or the template's default)."""
        found = {f.question: f.value for f in self.findings}
        if isinstance(found.get("command"), list):  # a shell line reads $PORT itself
            found["command"] = [str(w).replace(PORT_PLACEHOLDER, str(port)) for w in found["command"]]
        return found

    def get(self, question: str) -> object | None:
        return next((f.value for f in self.findings if f.question == question), None)

    def summary(self) -> str:
        """`detected: node (yarn.lock), start command node src/index.js (…), port 3000 (EXPOSE)`."""
        parts = [_describe(f) for f in self.findings if f.question in DESCRIBED]
        if parts:
            return "detected: " + ", ".join(parts)
        if self.unread:
            return "detected: no stack nonroot builds (found " + ", ".join(self.unread) + ")"
        return "detected: nothing (no manifest, lockfile or Dockerfile)"


def _describe(finding: Finding) -> str:
    label, show = DESCRIBED[finding.question]
    return f"{label}{show(finding.value)} ({finding.source})"


DESCRIBED = {
    "stack": ("", str),
    "python_deps": ("dependencies ", str),
    "package_manager": ("package manager ", str),
    "command": ("start command ", lambda command: _show_command(command)),
    "port": ("port ", str),
    "health_path": ("health check ", lambda path: "of the port, by a TCP connection" if path == TCP_HEALTH else path),
    "builder_image": ("builder ", str),
}


def _show_command(command: object) -> str:
    """The command as a reader would type it; a shell line with the start-up steps it runs
    before the service (migrations and the like, at every start)."""
    if not isinstance(command, str):
        return shlex.join([str(word) for word in command]).replace(PORT_PLACEHOLDER, "$PORT")  # type: ignore[union-attr]
    steps = step_commands(command)
    before = f"; at every start it first runs {', then '.join(steps)}" if steps else ""
    return f"sh -c {shlex.quote(command)}{before}"


# ------------------------------------------------------------------ reading files
def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _source_files(root: Path, stack: str) -> list[Path]:
    """The stack's source files, shallow first, skipping dependencies and build output."""
    suffixes = SOURCE_SUFFIXES.get(stack, ())
    found: list[Path] = []
    for path in sorted(root.rglob("*"), key=lambda p: (len(p.relative_to(root).parts), str(p))):
        rel = path.relative_to(root).parts
        if any(part in SKIPPED_DIRS for part in rel) or not path.is_file() or path.suffix not in suffixes:
            continue
        if any(part in TEST_DIRS for part in rel[:-1]) or TEST_FILE.search(path.name):
            continue  # a test's routes and ports are not the service's
        found.append(path)
        if len(found) >= MAX_SOURCE_FILES:
            break
    return found


@dataclass(frozen=True)
class Dockerfile:
    """The last stage of an existing Dockerfile: its base image, ENTRYPOINT, CMD and EXPOSE;
    and every stage's base, last first (a `FROM golang … AS build` then `FROM scratch`
    names its stack in the builder)."""

    base: str = ""
    bases: tuple[str, ...] = ()
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    exposed: list[int] = field(default_factory=list)
    shell_line: str = ""  # a CMD run by a shell (shell form with shell syntax, or sh -c LINE)
    workdir: str = "/"
    # (source in the context, destination in the image) of the last stage's COPY/ADD of the
    # build context: where the old image kept the repository's files.
    copies: tuple[tuple[str, str], ...] = ()


def _instruction_lines(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = (pending + stripped).strip()
        pending = ""
        keyword, _, rest = whole.partition(" ")
        lines.append((keyword.upper(), rest.strip()))
    return lines


def _exec_form(arguments: str) -> list[str]:
    """An ENTRYPOINT/CMD argument as argv: JSON exec form, or shell form split like sh would."""
    if arguments.startswith("["):
        try:
            value = json.loads(arguments)
        except json.JSONDecodeError:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []
    try:
        return shlex.split(arguments)
    except ValueError:
        return []


def read_dockerfile(path: Path) -> Dockerfile | None:
    if not path.is_file():
        return None
    base, entrypoint, cmd, exposed, bases = "", [], [], [], []
    workdir, copies, shell = "/", [], ""
    for keyword, rest in _instruction_lines(_read(path)):
        if keyword == "FROM":
            words = rest.split()
            base = next((w for w in words if not w.startswith("--")), "")
            bases.insert(0, base)
            entrypoint, cmd, workdir, copies, shell = [], [], "/", [], ""  # a new stage starts over
        elif keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, rest.strip().strip("\"'")))
        elif keyword in ("COPY", "ADD"):
            words = [w for w in _exec_form(rest) if not w.startswith("--")]
            if len(words) >= 2 and not re.search(r"--from\b", rest):
                dest = posixpath.normpath(posixpath.join(workdir, words[-1]))
                copies += [(posixpath.normpath(src), dest) for src in words[:-1]]
        elif keyword == "ENTRYPOINT":
            entrypoint, cmd, shell = _exec_form(rest), [], ""  # ENTRYPOINT resets an inherited CMD
        elif keyword == "CMD":
            cmd, shell = _exec_form(rest), ""
            if not rest.startswith("[") and SHELL_SYNTAX.search(rest):
                shell = rest.strip()
            elif len(cmd) == 3 and cmd[0] in SHELLS and cmd[1] == "-c":
                shell = cmd[2]
        elif keyword == "EXPOSE":
            for word in rest.split():
                number = word.split("/")[0]
                if number.isdigit():
                    exposed.append(int(number))
    return Dockerfile(base=base, bases=tuple(bases), entrypoint=entrypoint, cmd=cmd, exposed=exposed,
                      shell_line=shell if not entrypoint else "", workdir=workdir, copies=tuple(copies))


def read_procfile_web(path: Path) -> str:
    """The command of a Procfile's `web:` process, or ''."""
    for line in _read(path).splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == "web":
            return command.strip()
    return ""


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(_read(path)) if path.is_file() else {}
    except tomllib.TOMLDecodeError:
        return {}


def _package_json(root: Path) -> dict:
    try:
        value = json.loads(_read(root / "package.json") or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


# ------------------------------------------------------------------- the signals
def code_files(root: Path, most: int = 3) -> list[str]:
    """The first few files (shallowest first) that say the folder holds someone's code."""
    found: list[str] = []
    for folder, dirs, files in sorted(_walk(root), key=lambda entry: (len(entry[0].parts), str(entry[0]))):
        for name in sorted(files):
            if name in CODE_NAMES or Path(name).suffix.lower() in CODE_SUFFIXES:
                found.append(str((folder / name).relative_to(root)))
                if len(found) >= most:
                    return found
    return found


def _walk(root: Path):
    """(folder, dirs, files) below root, skipping dependencies, build output and VCS folders."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        yield Path(folder), dirs, files


def detect_stack(root: Path, dockerfile: Dockerfile | None) -> Finding | None:
    for base in dockerfile.bases if dockerfile else ():
        image = base.split("/")[-1].split(":")[0].split("@")[0]
        for prefix, stack in BASE_IMAGE_STACKS:
            if image == prefix or image.startswith(prefix + "-"):
                return Finding("stack", stack, f"the existing Dockerfile's FROM {base}")
    if (root / "go.mod").is_file():
        return Finding("stack", "go", "go.mod")
    go_files = sorted(p.name for p in root.glob("*.go"))
    if go_files:
        return Finding("stack", "go", ", ".join(go_files[:2]) + (" …" if len(go_files) > 2 else ""))
    for marker in PYTHON_MARKERS:
        if (root / marker).is_file():
            return Finding("stack", "python", marker)
    if (root / "package.json").is_file():
        return Finding("stack", "node", "package.json")
    return None


def detect_service_name(root: Path) -> Finding | None:
    """The folder's name, made a valid image name component."""
    name = re.sub(r"[^a-z0-9]+", "-", root.resolve().name.lower()).strip("-")[:63].strip("-")
    return Finding("service_name", name, "the folder's name") if name else None


def detect_python_deps(root: Path) -> Finding | None:
    pyproject = _toml(root / "pyproject.toml")
    if (root / "uv.lock").is_file():
        return Finding("python_deps", "uv", "uv.lock")
    if (root / "poetry.lock").is_file():
        return Finding("python_deps", "poetry", "poetry.lock")
    if "project" in pyproject:
        return Finding("python_deps", "pyproject", "pyproject.toml [project]")
    if (root / "requirements.txt").is_file():
        return Finding("python_deps", "requirements", "requirements.txt")
    return None


def detect_package_manager(root: Path, warnings: list[str]) -> Finding | None:
    declared = str(_package_json(root).get("packageManager", ""))
    name = declared.split("@")[0]
    if name in ("npm", "yarn", "pnpm"):
        return Finding("package_manager", name, f'package.json "packageManager": "{declared}"')
    for lockfile, manager in NODE_LOCKFILES:
        if (root / lockfile).is_file():
            return Finding("package_manager", manager, lockfile)
    warnings.append("no lockfile (package-lock.json, yarn.lock or pnpm-lock.yaml): the image runs `npm install`, "
                    "so each build may resolve other versions; commit a lockfile for reproducible builds")
    return Finding("package_manager", "npm", "no lockfile")


def detect_go_builder(root: Path, warnings: list[str]) -> Finding | None:
    if not (root / "go.mod").is_file():
        warnings.append("no go.mod: nonroot builds a Go module; run `go mod init <module path>` (then "
                        "`go mod tidy` for its imports) and commit go.mod and go.sum before generating")
        return None
    match = re.search(r"^go\s+([0-9]+)\.([0-9]+)", _read(root / "go.mod"), re.MULTILINE)
    if not match:
        return None
    version = f"{match.group(1)}.{match.group(2)}"
    return Finding("builder_image", f"golang:{version}-bookworm", f"go.mod's go {version}")


def _node_command(root: Path) -> tuple[list[str], str] | None:
    package = _package_json(root)
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
    return _server_file(root, "node", "node")


def _server_file(root: Path, stack: str, interpreter: str) -> tuple[list[str], str] | None:
    """The source file that starts a server (listen(…), app.run(…)), when nothing else tells."""
    for path in _source_files(root, stack):
        if path.suffix in (".ts", ".tsx"):
            continue  # needs a build first: the build's output is what runs
        match = SERVER_STARTS[stack].search(_read(path))
        if match and (stack != "python" or MAIN_GUARD.search(_read(path))):
            rel = str(path.relative_to(root))
            return [interpreter, rel], f"{rel}, which starts the server with {match.group(0)}…"
    return None


def _python_app_object(text: str, constructor: str) -> str | None:
    """The variable an `x = Flask(...)`-style line binds, or None."""
    match = re.search(rf"^(\w+)\s*=\s*(?:\w+\.)?{constructor}\(", text, re.MULTILINE)
    return match.group(1) if match else None


def _requirement_names(root: Path) -> set[str]:
    names: set[str] = set()
    lines = _read(root / "requirements.txt").splitlines()
    pyproject = _toml(root / "pyproject.toml")
    lines += [str(d) for d in (pyproject.get("project") or {}).get("dependencies", [])]
    lines += list(((pyproject.get("tool") or {}).get("poetry") or {}).get("dependencies", {}))
    for line in lines:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if match:
            names.add(match.group(1).lower().replace("_", "-"))
    return names


def _module_name(root: Path, path: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _python_command(root: Path) -> tuple[list[str], str] | None:
    pyproject = _toml(root / "pyproject.toml")
    scripts = (pyproject.get("project") or {}).get("scripts") or {}
    if scripts:
        name = sorted(scripts)[0]
        return [name], f"pyproject.toml [project.scripts] {name}"
    requirements = _requirement_names(root)
    if (root / "manage.py").is_file():
        settings = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)\.settings['\"]",
                             _read(root / "manage.py"))
        project = settings.group(1) if settings else ""
        if project and "gunicorn" in requirements:
            return ["gunicorn", f"{project}.wsgi", "--bind", f"0.0.0.0:{PORT_PLACEHOLDER}"], \
                "Django's manage.py, with gunicorn"
        return (["python3", "manage.py", "runserver", f"0.0.0.0:{PORT_PLACEHOLDER}", "--noreload"],
                "Django's manage.py (the development server: add gunicorn for production)")
    for path in _source_files(root, "python"):
        text = _read(path)
        for constructor, server_names in (("FastAPI", ("uvicorn",)), ("Starlette", ("uvicorn",))):
            variable = _python_app_object(text, constructor)
            if variable:
                target = f"{_module_name(root, path)}:{variable}"
                return ["uvicorn", target, "--host", "0.0.0.0", "--port", PORT_PLACEHOLDER], \
                    f"{constructor} app in {path.relative_to(root)}, under uvicorn"
        variable = _python_app_object(text, "Flask")
        if variable:
            rel = path.relative_to(root)
            if "gunicorn" in requirements:
                return ["gunicorn", "--bind", f"0.0.0.0:{PORT_PLACEHOLDER}", f"{_module_name(root, path)}:{variable}"], \
                    f"Flask app in {rel}, with gunicorn"
            if "__main__" in text:
                return ["python3", str(rel)], f"Flask app in {rel} with app.run()"
    for name in PYTHON_ENTRY_FILES:
        if (root / name).is_file() and "__main__" in _read(root / name):
            return ["python3", name], f"{name} at the root"
    scripts = [p.name for p in sorted(root.glob("*.py")) if MAIN_GUARD.search(_read(p))]
    if len(scripts) == 1:
        return ["python3", scripts[0]], f"{scripts[0]}, the root's only script with a __main__ guard"
    return _server_file(root, "python", "python3")


def _substitute_port(argv: list[str]) -> list[str]:
    """Exec form has no shell to expand $PORT: the image sets PORT, so say it literally."""
    return [re.sub(r"\$\{PORT(?::?-[0-9]*)?\}|\$PORT\b", PORT_PLACEHOLDER, word) for word in argv]


def _line_command(line: str, source: str) -> Finding | None:
    """A command written as one line (a Procfile's, a shell-form CMD): a shell line (sh -c,
    the plan execs its last command) when it uses the shell, else its words."""
    if SHELL_SYNTAX.search(line):
        return Finding("command", line.strip(), f"{source}, a shell line")
    try:
        argv = shlex.split(line)
    except ValueError:
        return None
    return Finding("command", _substitute_port(argv), source) if argv else None


def _image_path_in_repo(dockerfile: Dockerfile, root: Path, word: str) -> str | None:
    """Where the old image's path WORD came from in the repository (its COPY/ADD of the
    build context, relative to its WORKDIR), as a path relative to the repository; None
    when the old image did not copy it from the context."""
    image_path = posixpath.normpath(posixpath.join(dockerfile.workdir, word))
    for source, dest in dockerfile.copies:
        if (root / source).is_file():
            candidates = {dest: source, posixpath.join(dest, posixpath.basename(source)): source}
            if image_path in candidates:
                return candidates[image_path]
        elif image_path == dest or image_path.startswith(dest.rstrip("/") + "/"):
            rest = image_path[len(dest):].lstrip("/")
            return posixpath.normpath(posixpath.join(source, rest)) if rest else source
    return None


def _relocated(root: Path, stack: str, dockerfile: Dockerfile, argv: list[str]) -> tuple[list[str], str]:
    """The old Dockerfile's command in the new image's layout (the code at /app, the
    dependencies on PATH, a built binary where the stack's build puts it), or the reason it
    cannot be: a path that the old image made and the new one does not have."""
    moved: list[str] = []
    for index, word in enumerate(argv):
        if not ("/" in word or Path(word).suffix in SCRIPT_SUFFIXES):
            moved.append(word)
            continue
        in_repo = _image_path_in_repo(dockerfile, root, word)
        if in_repo is not None:
            if not (root / in_repo).exists():
                return argv, f"{word} is not in the repository (the old image made it)"
            new_path = "/app" if in_repo == "." else f"/app/{in_repo}"
            moved.append(new_path if word.startswith("/") else in_repo)
        elif index == 0 and word.startswith("/") and stack in BUILT_PROGRAMS:
            moved.append(BUILT_PROGRAMS[stack])
        elif index == 0 and word.startswith("/") and posixpath.basename(posixpath.dirname(word)) == "bin":
            moved.append(posixpath.basename(word))  # a program the new image has on its PATH
        elif word.startswith("/"):
            return argv, f"{word} is not in the build context (the old image put it there)"
        else:
            moved.append(word)
    return moved, ""


def _through_interpreter(root: Path, argv: list[str]) -> tuple[list[str], str]:
    """A script that is not executable in the repository (the old Dockerfile ran chmod +x)
    runs through its interpreter: its #! line's program, else its suffix's."""
    script = root / argv[0].removeprefix("/app/") if argv else None
    if script is None or not script.is_file() or script.stat().st_mode & 0o111:
        return argv, ""
    first = _read(script).splitlines()[:1]
    words = first[0][2:].split() if first and first[0].startswith("#!") else []
    program = posixpath.basename(words[1] if len(words) > 1 and words[0].endswith("/env") else words[0]) \
        if words else ""
    interpreter = SCRIPT_INTERPRETERS.get(program) or SCRIPT_SUFFIXES.get(script.suffix, "")
    if not interpreter:
        return argv, ""
    return [interpreter, *argv], f"{argv[0]} is not executable in the repository: run with {interpreter}"


def _dockerfile_command(root: Path, stack: str, dockerfile: Dockerfile,
                        warnings: list[str]) -> Finding | None:
    if dockerfile.shell_line:
        return Finding("command", dockerfile.shell_line, "the existing Dockerfile's CMD, a shell line")
    argv = dockerfile.entrypoint + dockerfile.cmd
    if not argv:
        return None
    which = "ENTRYPOINT and CMD" if dockerfile.entrypoint and dockerfile.cmd else \
        "ENTRYPOINT" if dockerfile.entrypoint else "CMD"
    if argv[0] in SHELLS and len(argv) < 2:
        return None
    moved, problem = _relocated(root, stack, dockerfile, argv)
    if problem:
        warnings.append(f"the existing Dockerfile's {which} ({shlex.join(argv)}) is not taken: {problem}; "
                        "the next signal decides the command")
        return None
    source = f"the existing Dockerfile's {which}"
    if moved != argv:
        source += f", moved to the new layout from {shlex.join(argv)}"
    return Finding("command", _substitute_port(moved), source)


def detect_command(root: Path, stack: str, dockerfile: Dockerfile | None,
                   warnings: list[str] | None = None) -> Finding | None:
    warnings = [] if warnings is None else warnings
    procfile = read_procfile_web(root / "Procfile")
    found = _line_command(procfile, "Procfile web:") if procfile else None
    if found is None and dockerfile:
        found = _dockerfile_command(root, stack, dockerfile, warnings)
    if found is None:
        result = {"node": _node_command, "python": _python_command}.get(stack, lambda _: None)(root)
        found = Finding("command", result[0], result[1]) if result else None
    if found is not None and isinstance(found.value, list):
        argv, why = _through_interpreter(root, found.value)
        steps = _script_steps(root, argv)
        notes = [why] if why else []
        if steps:
            notes.append(f"at every start it first runs {', then '.join(steps)}")
        if notes:
            found = Finding("command", argv, "; ".join([found.source, *notes]))
    return found


def _script_steps(root: Path, argv: list[str]) -> list[str]:
    """The commands a shell start script runs before its last one (migrations and the like)."""
    words = argv[1:] if argv and argv[0] in SHELLS + ("dash",) else argv
    script = root / words[0].removeprefix("/app/") if words else None
    if script is None or not script.is_file() or not (script.suffix == ".sh" or
                                                      re.match(r"#!\S*(/|env\s+)(ba|da)?sh\b", _read(script))):
        return []
    lines = [line.strip() for line in _read(script).splitlines()]
    commands = [line.rstrip(";") for line in lines
                if line and not line.startswith("#") and "()" not in line and line.split()[0].rstrip(";") not in
                SCRIPT_SETUP_WORDS]
    return commands[:-1][:4] if len(commands) > 1 else []


PORT_IN_ARGS = (re.compile(r"^(?:--port|-p|--bind|-b|--listen)=?([0-9]{2,5})$"),
                re.compile(r"^(?:[0-9.]+|\[::\]|localhost)?:([0-9]{2,5})$"))
PORT_IN_SOURCE = (
    (re.compile(r"\.run\([^)]*\bport\s*=\s*(?:int\(\s*os\.environ\.get\(\s*['\"]PORT['\"]\s*,\s*['\"]?)?([0-9]{2,5})"),
     "app.run(port=…)"),
    (re.compile(r"process\.env\.PORT\)?\s*(?:\|\||\?\?)\s*['\"]?([0-9]{2,5})"), "process.env.PORT || …"),
    (re.compile(r"Getenv\(\"PORT\"\)[\s\S]{0,200}?\"([0-9]{2,5})\""), "os.Getenv(\"PORT\") fallback"),
    (re.compile(r"\.listen\(\s*([0-9]{2,5})\b"), "listen(…)"),
    (re.compile(r"(?:HTTPServer|TCPServer|ThreadingHTTPServer)\(\s*\(\s*['\"][^'\"]*['\"]\s*,\s*([0-9]{2,5})\s*\)"),
     "HTTPServer((…, port))"),
    (re.compile(r"ListenAndServe\(\s*\"[^\"]*:([0-9]{2,5})\""), "http.ListenAndServe(\":…\")"),
)


def _port_from_args(argv: list[str]) -> int | None:
    for index, word in enumerate(argv):
        for pattern in PORT_IN_ARGS:
            match = pattern.match(word)
            if match:
                return int(match.group(1))
        if word in ("--port", "-p", "--bind", "-b") and index + 1 < len(argv):
            following = argv[index + 1].rsplit(":", 1)[-1]
            if following.isdigit():
                return int(following)
    return None


def _command_words(command: object) -> list[str]:
    """The words of a command; of a shell line, those of the command that becomes the service."""
    if not isinstance(command, str):
        return [str(word) for word in command]  # type: ignore[union-attr]
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        return []
    cuts = [index for index, word in enumerate(words) if word in ("&&", "||", ";")]
    return words[cuts[-1] + 1:] if cuts else words


def _gunicorn_bind_port(root: Path, words: list[str]) -> tuple[int, str] | None:
    """The port of `bind` in the gunicorn config the command reads (-c FILE, else the
    gunicorn.conf.py gunicorn reads from the working folder by itself)."""
    if not words or posixpath.basename(words[0]) != "gunicorn":
        return None
    config = "gunicorn.conf.py"
    for index, word in enumerate(words):
        if word in ("-c", "--config") and index + 1 < len(words):
            config = words[index + 1]
        elif word.startswith("--config="):
            config = word.split("=", 1)[1]
    config = config.removeprefix("python:").replace(".", "/") + ".py" if config.startswith("python:") else config
    match = re.search(r"^bind\s*=\s*\[?\s*['\"][^'\"]*:([0-9]{2,5})['\"]", _read(root / config), re.MULTILINE)
    return (int(match.group(1)), f"bind in {config}") if match else None


# Servers' own default ports, where the command names none (gunicorn has none to find: it
# binds 0.0.0.0:$PORT, which the image sets to the port answer).
SERVER_DEFAULT_PORTS = (("uvicorn", None, 8000), ("hypercorn", None, 8000), ("daphne", None, 8000),
                        ("flask", "run", 5000), ("manage.py", "runserver", 8000), ("next", "start", 3000))
# Servers that listen only on 127.0.0.1 unless told (unreachable from outside a container).
LOOPBACK_SERVERS = {"uvicorn": "--host 0.0.0.0", "flask": "--host 0.0.0.0", "manage.py": "0.0.0.0:PORT"}


def _server_default_port(words: list[str], warnings: list[str]) -> tuple[int, str] | None:
    names = [posixpath.basename(word) for word in words]
    for server, subcommand, port in SERVER_DEFAULT_PORTS:
        if server in names and (subcommand is None or subcommand in names):
            if server in LOOPBACK_SERVERS and not any(w.startswith(("--host", "-h", "0.0.0.0", "[::]")) for w in words):
                warnings.append(f"{server} listens on 127.0.0.1 unless told: the container's port is unreachable "
                                f"from outside; add {LOOPBACK_SERVERS[server]} to the command")
            return port, f"{server}'s default"
    return None


CONFIG_SUFFIXES = (".ini", ".cfg", ".conf", ".toml", ".yaml", ".yml")
CONFIG_DIRS = ("", "config", "conf", "etc")
# A port in a server's own configuration: a [server]/[http]/[web] section (INI, TOML) or a
# `server:` mapping (YAML), with port = N, or hosts/listen/bind = …:N.
SERVER_SECTION_PORT = re.compile(
    r"^\[(?:server|http|web)\]\s*$(?:\n(?!\[).*)*?\n\s*(?:port|hosts|listen|bind)\s*=\s*['\"]?(?:[^\s'\":]*:)?([0-9]{2,5})\b"
    r"|^server:\s*$(?:\n[ \t]+.*)*?\n[ \t]+(?:port|listen|bind):\s*['\"]?(?:[^\s'\":]*:)?([0-9]{2,5})\b",
    re.MULTILINE)


def _config_file_port(root: Path) -> tuple[int, str] | None:
    for folder in CONFIG_DIRS:
        directory = root / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path.suffix not in CONFIG_SUFFIXES and path.name != "config":
                continue
            if path.name.startswith(("docker-compose", "compose", ".")) or path.name in ("pyproject.toml",):
                continue
            match = SERVER_SECTION_PORT.search(_read(path))
            if match:
                port = int(match.group(1) or match.group(2))
                return port, f"{path.relative_to(root)}, the server's own config file"
    return None


def detect_port(root: Path, stack: str, dockerfile: Dockerfile | None, command: Finding | None,
                warnings: list[str] | None = None) -> Finding | None:
    warnings = [] if warnings is None else warnings
    if dockerfile and dockerfile.exposed:
        return Finding("port", dockerfile.exposed[0], "EXPOSE")
    words = _command_words(command.value) if command else []
    port = _port_from_args(words)
    if port:
        return Finding("port", port, f"the start command ({command.source})")  # type: ignore[union-attr]
    for found in (_gunicorn_bind_port(root, words), _server_default_port(words, warnings)):
        if found:
            return Finding("port", *found)
    for path in _source_files(root, stack):
        text = _read(path)
        for pattern, what in PORT_IN_SOURCE:
            match = pattern.search(text)
            if match and 0 < int(match.group(1)) < 65536:
                return Finding("port", int(match.group(1)), f"{what} in {path.relative_to(root)}")
    found = _config_file_port(root)
    return Finding("port", *found) if found else None


def detect_health_path(root: Path, stack: str) -> Finding | None:
    for path in _source_files(root, stack):
        text = _read(path)
        for candidate in HEALTH_PATHS:
            quoted = rf"['\"`]{re.escape(candidate)}/?['\"`]"
            # Django's path() and re_path() write routes without the leading slash.
            django = rf"\b(?:re_)?path\(\s*r?['\"]\^?{re.escape(candidate[1:])}/?\$?['\"]"
            if re.search(quoted, text) or re.search(django, text):
                return Finding("health_path", candidate, f"a {candidate} route in {path.relative_to(root)}")
    # Never an invented path: a service without one would go unhealthy.
    return Finding("health_path", TCP_HEALTH, "no health route in the code")


def detect(root: Path) -> Detection:
    """Everything the repository at `root` tells; empty when it holds no service."""
    root = Path(root)
    detection = Detection()
    dockerfile = read_dockerfile(root / "Dockerfile")
    stack = detect_stack(root, dockerfile)
    code = code_files(root)
    if stack is None:
        if code:
            detection.findings = [Finding("sample_app", False, f"the folder holds code ({', '.join(code)})")]
            if dockerfile:
                detection.unread.append("a Dockerfile FROM " + " and ".join(reversed(dockerfile.bases)))
            detection.unread += [name for name in code if name != "Dockerfile"]
        return detection
    findings: list[Finding | None] = [detect_service_name(root), stack,
                                      Finding("sample_app", False, "the repository has its own code")]
    if stack.value == "python":
        findings.append(detect_python_deps(root))
    elif stack.value == "node":
        findings.append(detect_package_manager(root, detection.warnings))
    elif stack.value == "go":
        findings.append(detect_go_builder(root, detection.warnings))
    command = detect_command(root, str(stack.value), dockerfile, detection.warnings)
    port = detect_port(root, str(stack.value), dockerfile, command, detection.warnings)
    findings += [command, port, detect_health_path(root, str(stack.value))]
    detection.findings = [f for f in findings if f is not None]
    return detection
