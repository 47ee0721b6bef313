"""What an existing repository already tells about its service, before nonroot asks.

`detect(path)` reads the repository's own files — lockfiles and manifests, a Procfile,
an existing Dockerfile, package.json, pyproject.toml, go.mod and the framework's usual
entry files — and returns one `Finding` per answer it can give, each with the file or
convention it came from, so `nonroot new` can print why and take it as the default.
Nothing here runs, imports or writes the repository's code: it only reads text.
"""
from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

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
# The compose files each Compose looks for, in its order of preference: v1.29 (Debian's
# docker-compose) runs the first it finds, v2 too (warning about the others); both then merge
# an override file. nonroot writes compose.yaml.
GENERATED_COMPOSE = "compose.yaml"
COMPOSE_V1_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
COMPOSE_V2_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
COMPOSE_OVERRIDES = ("compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                     "docker-compose.override.yaml")
WORKFLOWS = ".github/workflows"
GENERATED_WORKFLOW = "container.yml"


@dataclass(frozen=True)
class Finding:
    """One answer read off the repository, and where it was read."""

    question: str
    value: object
    source: str


@dataclass(frozen=True)
class OwnFiles:
    """The repository's own files beside those nonroot writes: compose files (other than
    compose.yaml, which nonroot replaces), a .dockerignore, CI workflows, a Procfile."""

    compose: tuple[str, ...] = ()
    dockerignore: bool = False
    workflows: tuple[str, ...] = ()
    procfile: bool = False

    @property
    def compose_overrides(self) -> tuple[str, ...]:
        return tuple(name for name in self.compose if name in COMPOSE_OVERRIDES)

    def compose_readers(self) -> list[str]:
        """What Compose reads instead of, or merged with, the generated compose.yaml when run
        without -f; [] when both implementations run it alone."""
        said: list[str] = []
        v1 = next(name for name in COMPOSE_V1_FILES if name in {*self.compose, GENERATED_COMPOSE})
        if v1 != GENERATED_COMPOSE:  # v2 always prefers compose.yaml
            said.append(f"docker-compose 1.x runs {v1} instead")
        if self.compose_overrides:
            said.append(f"both Compose merge {self.compose_overrides[0]} into the file they run")
        return said

    def names(self) -> list[str]:
        """The files found, as the summary names them."""
        return [*self.compose, *([".dockerignore"] if self.dockerignore else []),
                *(f"{WORKFLOWS}/{name}" for name in self.workflows), *(["Procfile"] if self.procfile else [])]


def read_own_files(root: Path) -> OwnFiles:
    """The repository's own compose files, .dockerignore, CI workflows and Procfile."""
    names = (*COMPOSE_V1_FILES, *COMPOSE_OVERRIDES)
    workflows = root / WORKFLOWS
    return OwnFiles(
        compose=tuple(name for name in names if name != GENERATED_COMPOSE and (root / name).is_file()),
        dockerignore=(root / ".dockerignore").is_file(),
        workflows=tuple(sorted(path.name for path in workflows.glob("*.y*ml")
                               if path.name != GENERATED_WORKFLOW)) if workflows.is_dir() else (),
        procfile=(root / "Procfile").is_file())


@dataclass
class Detection:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What the folder holds that nonroot read but could not answer from (its code, a
    # Dockerfile whose stages name no stack nonroot builds): said instead of "nothing".
    unread: list[str] = field(default_factory=list)
    own_files: OwnFiles = field(default_factory=OwnFiles)

    def answers(self, port: int) -> dict[str, object]:
        """The findings as answers; a command that follows the port (`{port}`) gets `port`,
        the port finally answered (detected, given with -d, or the template's default)."""
        found = {f.question: f.value for f in self.findings}
        if "command" in found:
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
    "command": ("start command ", lambda argv: shlex.join(argv).replace(PORT_PLACEHOLDER, "$PORT")),
    "port": ("port ", str),
    "health_path": ("health check ", str),
    "builder_image": ("builder ", str),
    "home": ("a writable HOME", lambda value: ""),
}


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
    for keyword, rest in _instruction_lines(_read(path)):
        if keyword == "FROM":
            words = rest.split()
            base = next((w for w in words if not w.startswith("--")), "")
            bases.insert(0, base)
            entrypoint, cmd = [], []  # a new stage starts over; the last one is the image
        elif keyword == "ENTRYPOINT":
            entrypoint, cmd = _exec_form(rest), []  # ENTRYPOINT resets an inherited CMD
        elif keyword == "CMD":
            cmd = _exec_form(rest)
        elif keyword == "EXPOSE":
            for word in rest.split():
                number = word.split("/")[0]
                if number.isdigit():
                    exposed.append(int(number))
    return Dockerfile(base=base, bases=tuple(bases), entrypoint=entrypoint, cmd=cmd, exposed=exposed)


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
    import os

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
    return None


def _substitute_port(argv: list[str]) -> list[str]:
    """Exec form has no shell to expand $PORT: the image sets PORT, so say it literally."""
    return [re.sub(r"\$\{PORT(?::?-[0-9]*)?\}|\$PORT\b", PORT_PLACEHOLDER, word) for word in argv]


def detect_command(root: Path, stack: str, dockerfile: Dockerfile | None) -> Finding | None:
    procfile = read_procfile_web(root / "Procfile")
    if procfile:
        try:
            argv = shlex.split(procfile)
        except ValueError:
            argv = []
        if argv:
            return Finding("command", _substitute_port(argv), "Procfile web:")
    if dockerfile and (dockerfile.entrypoint or dockerfile.cmd):
        argv = dockerfile.entrypoint + dockerfile.cmd
        if argv and argv[0] not in ("sh", "/bin/sh", "bash", "/bin/bash"):
            which = "ENTRYPOINT and CMD" if dockerfile.entrypoint and dockerfile.cmd else \
                "ENTRYPOINT" if dockerfile.entrypoint else "CMD"
            return Finding("command", argv, f"the existing Dockerfile's {which}")
    found = {"node": _node_command, "python": _python_command}.get(stack)
    result = found(root) if found else None
    if result:
        return Finding("command", result[0], result[1])
    return None


PORT_IN_ARGS = (re.compile(r"^(?:--port|-p|--bind|-b|--listen)=?([0-9]{2,5})$"),
                re.compile(r"^(?:[0-9.]+|\[::\]|localhost)?:([0-9]{2,5})$"))
PORT_IN_SOURCE = (
    (re.compile(r"\.run\([^)]*\bport\s*=\s*(?:int\(\s*os\.environ\.get\(\s*['\"]PORT['\"]\s*,\s*['\"]?)?([0-9]{2,5})"),
     "app.run(port=…)"),
    (re.compile(r"process\.env\.PORT\s*(?:\|\||\?\?)\s*['\"]?([0-9]{2,5})"), "process.env.PORT || …"),
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


def detect_home(root: Path, stack: str, package_manager: Finding | None) -> Finding | None:
    """A writable HOME where the stack's tools write under it at run time."""
    if stack == "python" and "gunicorn" in _requirement_names(root):
        return Finding("home", True, "gunicorn keeps its control socket under HOME")
    if package_manager is not None and package_manager.value == "yarn":
        return Finding("home", True, "yarn keeps its cache and settings under HOME")
    return None


def detect_port(root: Path, stack: str, dockerfile: Dockerfile | None, command: Finding | None) -> Finding | None:
    if dockerfile and dockerfile.exposed:
        return Finding("port", dockerfile.exposed[0], "EXPOSE")
    if command:
        port = _port_from_args([str(w) for w in command.value])  # type: ignore[union-attr]
        if port:
            return Finding("port", port, f"the start command ({command.source})")
    for path in _source_files(root, stack):
        text = _read(path)
        for pattern, what in PORT_IN_SOURCE:
            match = pattern.search(text)
            if match and 0 < int(match.group(1)) < 65536:
                return Finding("port", int(match.group(1)), f"{what} in {path.relative_to(root)}")
    return None


def detect_health_path(root: Path, stack: str) -> Finding | None:
    for path in _source_files(root, stack):
        text = _read(path)
        for candidate in HEALTH_PATHS:
            quoted = rf"['\"`]{re.escape(candidate)}/?['\"`]"
            # Django's path() and re_path() write routes without the leading slash.
            django = rf"\b(?:re_)?path\(\s*r?['\"]\^?{re.escape(candidate[1:])}/?\$?['\"]"
            if re.search(quoted, text) or re.search(django, text):
                return Finding("health_path", candidate, f"a {candidate} route in {path.relative_to(root)}")
    return None


def detect(root: Path) -> Detection:
    """Everything the repository at `root` tells; empty when it holds no service."""
    root = Path(root)
    detection = Detection(own_files=read_own_files(root))
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
    manager = detect_package_manager(root, detection.warnings) if stack.value == "node" else None
    if stack.value == "python":
        findings.append(detect_python_deps(root))
    elif stack.value == "node":
        findings.append(manager)
    elif stack.value == "go":
        findings.append(detect_go_builder(root, detection.warnings))
    command = detect_command(root, str(stack.value), dockerfile)
    port = detect_port(root, str(stack.value), dockerfile, command)
    findings += [command, port, detect_health_path(root, str(stack.value)),
                 detect_home(root, str(stack.value), manager)]
    detection.findings = [f for f in findings if f is not None]
    return detection
