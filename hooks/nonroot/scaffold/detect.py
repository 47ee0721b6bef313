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
from importlib import import_module
from types import ModuleType
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog import DETECTING_STACKS, STACKS
from ..detection import PORT_PLACEHOLDER, SKIPPED_DIRS, Finding, read_text, source_files
from ..plan import TCP_HEALTH
from ..shell_line import step_commands, without_steps


def _detectors() -> dict[str, ModuleType]:
    """Each stack's detect.py (stacks/<name>/detect.py) by stack, in the order they are tried
    (PRIORITY); a stack without one (an artifact) is never detected."""
    package = __package__.rpartition(".")[0]
    found = {name: import_module(f"{package}.stacks.{name}.detect") for name in DETECTING_STACKS}
    return dict(sorted(found.items(), key=lambda item: item[1].PRIORITY))


DETECTORS = _detectors()

HEALTH_PATHS = ("/healthz", "/health", "/livez", "/readyz", "/ping", "/status")
# What says a folder holds someone's code, whatever its language: nonroot then writes no
# sample file there (a sample's main.go or package.json must never land on the user's).
CODE_SUFFIXES = frozenset((
    ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".vue", ".svelte", ".go", ".rb", ".java", ".kt",
    ".scala", ".groovy", ".php", ".rs", ".c", ".cc", ".cpp", ".h", ".hpp", ".cs", ".fs", ".ex", ".exs", ".erl",
    ".hs", ".clj", ".swift", ".dart", ".lua", ".pl", ".r", ".sh", ".bash"))
CODE_NAMES = frozenset((
    "Dockerfile", "Containerfile", "Procfile", "package.json", "package-lock.json", "yarn.lock",
    "pnpm-lock.yaml", "npm-shrinkwrap.json", "go.mod", "go.sum", "Gemfile", "Gemfile.lock", "Cargo.toml",
    "pom.xml", "build.gradle", "build.gradle.kts", "composer.json", "mix.exs", "deno.json")
    + tuple(name for detector in DETECTORS.values() for name in detector.MARKERS))
# What makes a command a shell line (run with sh -c): operators, redirections, command
# substitution, variables other than $PORT (which exec form gets as the port answer).
SHELL_SYNTAX = re.compile(r"&&|\|\||[;|&<>`]|\$\(|\$(?!\{?PORT\b)[A-Za-z_{]")
SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash")
# Interpreters of a script that is not executable in the repository, by its #! line's
# program or its suffix.
SCRIPT_INTERPRETERS = {"sh": "sh", "bash": "bash", "dash": "sh", "ash": "sh",
                       **{name: program for detector in DETECTORS.values()
                          for name, program in getattr(detector, "SCRIPT_INTERPRETERS", {}).items()}}
# The stacks' own interpreters (a console script's old interpreter in front of it goes).
_STACK_INTERPRETERS = frozenset(name for detector in DETECTORS.values()
                                for name in getattr(detector, "SCRIPT_INTERPRETERS", {}))
# The environment an image's own layout decides, never carried over from an old Dockerfile.
LAYOUT_ENV = frozenset(("PATH", "HOME", "PORT", "LANG", "LANGUAGE", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME",
                        "GOPATH", "GOROOT", "NODE_PATH", "NODE_VERSION", "YARN_VERSION", "PYTHON_VERSION",
                        "PYTHON_SHA256", "GPG_KEY", "PYTHON_PIP_VERSION", "PYTHON_GET_PIP_URL", "DEBIAN_FRONTEND"))
LAYOUT_ENV_PREFIXES = ("LC_", "PIP_", "POETRY_", "UV_", "NPM_CONFIG_", "npm_config_")
# A start script's lines that are no step of their own: shell set-up and control flow.
SCRIPT_SETUP_WORDS = frozenset(("set", "export", "cd", "source", ".", "if", "then", "else", "elif", "fi", "while",
                                "until", "for", "do", "done", "case", "esac", "echo", "sleep", "break", "continue",
                                "}", "{", "exit", "trap", "umask"))
SCRIPT_SUFFIXES = {".sh": "sh", **{suffix: program for detector in DETECTORS.values()
                                   for suffix, program in getattr(detector, "SCRIPT_SUFFIXES", {}).items()}}
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
    **{question: label for detector in DETECTORS.values() for question, label in detector.DESCRIBED.items()},
    "command": ("start command ", lambda command: _show_command(command)),
    "build_command": ("build step ", lambda step: step if isinstance(step, str) else shlex.join(step)),
    "port": ("port ", str),
    "health_path": ("health check ", lambda path: "of the port, by a TCP connection" if path == TCP_HEALTH else path),
    "writable_paths": ("writable ", lambda paths: " ".join(paths)),
    "env": ("environment ", lambda env: " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())),
    "builder_image": ("builder ", str),
    "home": ("a writable HOME", lambda value: ""),
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
    env: tuple[tuple[str, str], ...] = ()  # the last stage's ENV, in order
    volumes: tuple[str, ...] = ()  # the last stage's VOLUMEs: where the service keeps its state


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
    workdir, copies, shell, env, volumes = "/", [], "", {}, []
    for keyword, rest in _instruction_lines(read_text(path)):
        if keyword == "FROM":
            words = rest.split()
            base = next((w for w in words if not w.startswith("--")), "")
            bases.insert(0, base)
            entrypoint, cmd, workdir, copies, shell, env, volumes = [], [], "/", [], "", {}, []  # a new stage
        elif keyword == "ENV":
            env.update(_env_pairs(rest))
        elif keyword == "VOLUME":
            volumes += [posixpath.normpath(v) for v in _exec_form(rest) if v.startswith("/")]
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
                      shell_line=shell if not entrypoint else "", workdir=workdir, copies=tuple(copies),
                      env=tuple(env.items()), volumes=tuple(volumes))


def _env_pairs(arguments: str) -> dict[str, str]:
    """ENV's KEY=value pairs (quoted as sh would), or the legacy `ENV KEY value`."""
    try:
        words = shlex.split(arguments)
    except ValueError:
        return {}
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words if "=" in word)


def read_procfile_web(path: Path) -> str:
    """The command of a Procfile's `web:` process, or ''."""
    for line in read_text(path).splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == "web":
            return command.strip()
    return ""


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
    """An existing Dockerfile's FROM that names a stack (its row's base_image_names), else
    the first detector, by priority, that finds its marker at the root."""
    for base in dockerfile.bases if dockerfile else ():
        image = base.split("/")[-1].split(":")[0].split("@")[0]
        for name, stack in STACKS.items():
            if any(image == prefix or image.startswith(prefix + "-") for prefix in stack.base_image_names):
                return Finding("stack", name, f"the existing Dockerfile's FROM {base}")
    for name, detector in DETECTORS.items():
        source = detector.marker(root)
        if source:
            return Finding("stack", name, source)
    return None


def _detector(stack: str) -> ModuleType | None:
    return DETECTORS.get(stack)


def _suffixes(stack: str) -> tuple[str, ...]:
    detector = _detector(stack)
    return detector.SOURCE_SUFFIXES if detector else ()


def detect_service_name(root: Path) -> Finding | None:
    """The folder's name, made a valid image name component."""
    name = re.sub(r"[^a-z0-9]+", "-", root.resolve().name.lower()).strip("-")[:63].strip("-")
    return Finding("service_name", name, "the folder's name") if name else None


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
    scripts = _console_scripts(root)
    for index, word in enumerate(argv):
        if not ("/" in word or Path(word).suffix in SCRIPT_SUFFIXES):
            moved.append(word)
            continue
        in_repo = _image_path_in_repo(dockerfile, root, word)
        if posixpath.basename(word) in scripts and (in_repo is None or not (root / in_repo).exists()):
            # the project's console script, which the new image installs on its PATH (run
            # by itself: the old interpreter in front of it goes)
            if len(moved) == 1 and posixpath.basename(moved[0]) in _STACK_INTERPRETERS:
                moved = []
            moved.append(posixpath.basename(word))
        elif in_repo is not None:
            if not (root / in_repo).exists():
                return argv, f"{word} is not in the repository (the old image made it)"
            new_path = "/app" if in_repo == "." else f"/app/{in_repo}"
            moved.append(new_path if word.startswith("/") else in_repo)
        elif index == 0 and word.startswith("/") and getattr(_detector(stack), "BUILT_PROGRAM", ""):
            moved.append(_detector(stack).BUILT_PROGRAM)  # type: ignore[union-attr]
        elif index == 0 and word.startswith("/") and posixpath.basename(posixpath.dirname(word)) == "bin":
            moved.append(posixpath.basename(word))  # a program the new image has on its PATH
        elif word.startswith("/"):
            return argv, f"{word} is not in the build context (the old image put it there)"
        else:
            moved.append(word)
    return moved, ""


def _console_scripts(root: Path) -> set[str]:
    """The programs the project installs on the image's PATH (a stack's detector tells:
    python's console scripts)."""
    return {name for detector in DETECTORS.values() if hasattr(detector, "console_scripts")
            for name in detector.console_scripts(root)}


def _through_interpreter(root: Path, argv: list[str]) -> tuple[list[str], str]:
    """A script that is not executable in the repository (the old Dockerfile ran chmod +x)
    runs through its interpreter: its #! line's program, else its suffix's."""
    script = root / argv[0].removeprefix("/app/") if argv else None
    if script is None or not script.is_file() or script.stat().st_mode & 0o111:
        return argv, ""
    first = read_text(script).splitlines()[:1]
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


def detect_env(root: Path, dockerfile: Dockerfile | None, warnings: list[str]) -> Finding | None:
    """The old Dockerfile's ENV that the service itself reads (FLASK_APP, NODE_ENV, ...): not
    what the image's own layout decides (PATH, HOME, PORT, the locale, a venv), not a value
    that names a path the new image does not have."""
    kept: dict[str, str] = {}
    for key, value in dockerfile.env if dockerfile else ():
        if key in LAYOUT_ENV or key.startswith(LAYOUT_ENV_PREFIXES) or "$" in value:
            continue
        if value.startswith("/"):
            in_repo = _image_path_in_repo(dockerfile, root, value)  # type: ignore[arg-type]
            if in_repo is None or not (root / in_repo).exists():
                warnings.append(f"the existing Dockerfile's ENV {key}={value} is not kept: the new image has no "
                                f"{value} (answer env to set it)")
                continue
            value = "/app" if in_repo == "." else f"/app/{in_repo}"
        kept[key] = value
    return Finding("env", kept, "the existing Dockerfile's ENV") if kept else None


def detect_writable_paths(dockerfile: Dockerfile | None) -> Finding | None:
    """Where the old image kept the service's state (its VOLUMEs): the paths the user may write."""
    if not dockerfile or not dockerfile.volumes:
        return None
    return Finding("writable_paths", list(dict.fromkeys(dockerfile.volumes)), "the existing Dockerfile's VOLUME")


def detect_command(root: Path, stack: str, dockerfile: Dockerfile | None,
                   warnings: list[str] | None = None) -> Finding | None:
    warnings = [] if warnings is None else warnings
    procfile = read_procfile_web(root / "Procfile")
    found = _line_command(procfile, "Procfile web:") if procfile else None
    if found is None and dockerfile:
        found = _dockerfile_command(root, stack, dockerfile, warnings)
    if found is None:
        detector = _detector(stack)
        result = detector.command(root) if detector else None
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
                                                      re.match(r"#!\S*(/|env\s+)(ba|da)?sh\b", read_text(script))):
        return []
    lines = [line.strip() for line in read_text(script).splitlines()]
    commands = [line.rstrip(";") for line in lines
                if line and not line.startswith("#") and "()" not in line and line.split()[0].rstrip(";") not in
                SCRIPT_SETUP_WORDS]
    return commands[:-1][:4] if len(commands) > 1 else []


PORT_IN_ARGS = (re.compile(r"^(?:--port|-p|--bind|-b|--listen)=?([0-9]{2,5})$"),
                re.compile(r"^(?:[0-9.]+|\[::\]|localhost)?:([0-9]{2,5})(?:,.*)?$"))
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
        if word in ("--port", "-p", "--bind", "-b", "--hosts", "--listen") and index + 1 < len(argv):
            following = argv[index + 1].split(",")[0].rsplit(":", 1)[-1]
            if following.isdigit():
                return int(following)
    return None


# The verbs of a build step: a start line's step with the same verb is that build, which the
# image has done already (and cannot do at start: /app is read-only).
BUILD_VERBS = frozenset(("collectstatic", "compile", "compilemessages", "build"))


def _without_the_build(command: Finding | None, build: Finding | None) -> Finding | None:
    """A shell line's start-up steps that the build step does already, taken out of it."""
    if command is None or build is None or not isinstance(command.value, str):
        return command
    build_words = build.value.split() if isinstance(build.value, str) else [str(w) for w in build.value]  # type: ignore[union-attr]
    verbs = BUILD_VERBS.intersection(build_words)
    line, dropped = without_steps(command.value, lambda step: bool(verbs.intersection(step.split())))
    if not dropped:
        return command
    return Finding("command", line, f"{command.source}, without {' and '.join(dropped)}: the build step does it, "
                                    "and /app is read-only at run time")


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
    match = re.search(r"^bind\s*=\s*\[?\s*['\"][^'\"]*:([0-9]{2,5})['\"]", read_text(root / config), re.MULTILINE)
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
            match = SERVER_SECTION_PORT.search(read_text(path))
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
        return Finding("port", port, "the start command")
    for found in (_gunicorn_bind_port(root, words), _server_default_port(words, warnings)):
        if found:
            return Finding("port", *found)
    for path in source_files(root, _suffixes(stack)):
        text = read_text(path)
        for pattern, what in PORT_IN_SOURCE:
            match = pattern.search(text)
            if match and 0 < int(match.group(1)) < 65536:
                return Finding("port", int(match.group(1)), f"{what} in {path.relative_to(root)}")
    found = _config_file_port(root)
    return Finding("port", *found) if found else None


def detect_health_path(root: Path, stack: str) -> Finding | None:
    for path in source_files(root, _suffixes(stack)):
        text = read_text(path)
        for candidate in HEALTH_PATHS:
            quoted = rf"['\"`]{re.escape(candidate)}/?['\"`]"
            # Django's path() and re_path() write routes without the leading slash.
            django = rf"\b(?:re_)?path\(\s*r?['\"]\^?{re.escape(candidate[1:])}/?\$?['\"]"
            if re.search(quoted, text) or re.search(django, text):
                return Finding("health_path", candidate, f"a {candidate} route in {path.relative_to(root)}")
    # Never an invented path: a service without one would go unhealthy.
    return Finding("health_path", TCP_HEALTH, "no health route in the code")


def _home(detector: ModuleType, root: Path, own: list[Finding | None]) -> Finding | None:
    """A writable HOME, where the stack's detector tells its tools write under it."""
    home = getattr(detector, "home", None)
    return home(root, own) if home else None


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
    detector = _detector(str(stack.value))
    own = detector.answers(root, detection.warnings)  # type: ignore[union-attr]
    findings += own
    command = _without_the_build(detect_command(root, str(stack.value), dockerfile, detection.warnings),
                                 next((f for f in findings if f is not None and f.question == "build_command"), None))
    port = detect_port(root, str(stack.value), dockerfile, command, detection.warnings)
    findings += [command, port, detect_health_path(root, str(stack.value)),
                 detect_env(root, dockerfile, detection.warnings), detect_writable_paths(dockerfile),
                 _home(detector, root, own)]
    detection.findings = [f for f in findings if f is not None]
    return detection

