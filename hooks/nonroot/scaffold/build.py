"""Build a Dockerfile the way its users build it, streaming its steps.

Two builders, one log parser (`parse_line`):
- BuildKit, through a docker CLI (`DOCKER_BUILDKIT=1 docker build --progress=plain`), wherever
  the engine is Docker and a CLI that can drive BuildKit is installed: one with the buildx
  plugin, or a CLI older than 23 (BuildKit built in). `docker build` has been BuildKit since
  Docker 23, and the generated CI builds with it: what nonroot proves is what users get.
- the classic builder, through the Docker SDK, everywhere else (no such CLI; engines without
  BuildKit such as Podman's Docker-compatible API). NONROOT_BUILDER=classic|buildkit forces one.

An interrupted build (Ctrl-C, SIGTERM) leaves nothing behind: BuildKit's CLI is interrupted
and cancels the build on the engine (BuildKit adds no image before the build succeeds); a
classic build's connection is closed so the engine cancels it, its intermediate containers
are waited for and removed, and the layers it committed (not those from the cache) removed.
The finished image carries the label `io.nonroot.build=<tag>`.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..engine import is_podman_version
from ..errors import BuildFailed, EngineUnavailable

BUILD_LABEL = "io.nonroot.build"
BUILDER_ENV = "NONROOT_BUILDER"
BUILDKIT, CLASSIC = "buildkit", "classic"
TAIL = 15
PULL_ERRORS = ("pull access denied", "manifest unknown", "not found: manifest", "no such host",
               "dial tcp", "i/o timeout", "repository does not exist", "unauthorized", "TLS handshake")

# ------------------------------------------------------------------ the one log parser
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
CLASSIC_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
CLASSIC_CACHED = re.compile(r"^\s*---> Using cache$")
CLASSIC_RUNNING_IN = re.compile(r"^\s*---> Running in ([0-9a-f]{12,64})$")
CLASSIC_LAYER = re.compile(r"^\s*---> ([0-9a-f]{12,64})$")
KIT_STEP = re.compile(r"^#(\d+) \[(?:(\S+) )?(\d+)/(\d+)\] (.*)$")
KIT_VERTEX = re.compile(r"^#(\d+) (\[internal\] .*|\[[^\]]*\] .*)$")
KIT_CACHED = re.compile(r"^#(\d+) CACHED$")
KIT_ERROR = re.compile(r"^#(\d+) ERROR: (.*)$")
KIT_OUTPUT = re.compile(r"^#(\d+) \d+\.\d+ (.*)$")
KIT_METADATA = re.compile(r"^\[internal\] load metadata for (\S+)$")
EXIT_CODE = re.compile(r"(?:exit code: |non-zero code: )(\d+)")


def plain(text: str) -> str:
    """TEXT without terminal escape sequences (colours, cursor moves) and trailing blanks."""
    return ANSI.sub("", text).rstrip()


@dataclass(frozen=True)
class BuildEvent:
    """What one line of a build's log says. kind: step, cached, output, error, layer, container."""

    kind: str
    vertex: str = ""       # BuildKit's vertex number ('' for the classic builder)
    index: int = 0         # step: its number within its stage
    total: int = 0         # step: the stage's number of steps
    stage: str = ""        # step: the stage's name, if BuildKit shows one
    text: str = ""         # step: the instruction; output/error: the text; layer/container: the ID


def parse_line(line: str) -> BuildEvent | None:
    """The event on one line of either builder's log (BuildKit's plain progress or the classic
    builder's stream), or None for lines that carry none."""
    line = plain(line)
    if match := CLASSIC_STEP.match(line):
        return BuildEvent("step", index=int(match.group(1)), total=int(match.group(2)), text=match.group(3))
    if CLASSIC_CACHED.match(line):
        return BuildEvent("cached")
    if match := CLASSIC_RUNNING_IN.match(line):
        return BuildEvent("container", text=match.group(1))
    if match := CLASSIC_LAYER.match(line):
        return BuildEvent("layer", text=match.group(1))
    if match := KIT_STEP.match(line):
        return BuildEvent("step", vertex=match.group(1), stage=match.group(2) or "", index=int(match.group(3)),
                          total=int(match.group(4)), text=match.group(5))
    if match := KIT_CACHED.match(line):
        return BuildEvent("cached", vertex=match.group(1))
    if match := KIT_ERROR.match(line):
        return BuildEvent("error", vertex=match.group(1), text=match.group(2))
    if match := KIT_OUTPUT.match(line):
        return BuildEvent("output", vertex=match.group(1), text=match.group(2))
    if match := KIT_VERTEX.match(line):
        return BuildEvent("vertex", vertex=match.group(1), text=match.group(2))
    return None


@dataclass
class BuildStep:
    instruction: str
    cached: bool = False


@dataclass
class BuildResult:
    image_id: str
    tag: str
    steps: int
    log: list[str]
    builder: str = CLASSIC
    step_list: list[BuildStep] = field(default_factory=list)


class _Log:
    """Reads a build's log as it streams: steps, cache hits, and, for a failure, the failing
    step and what it printed."""

    def __init__(self, on_line: Callable[[str], None] | None) -> None:
        self.on_line = on_line
        self.lines: list[str] = []
        self.tail: deque[str] = deque(maxlen=TAIL)
        self.steps: dict[str, BuildStep] = {}  # by vertex (BuildKit) or step number (classic)
        self.vertices: dict[str, str] = {}     # BuildKit: vertex -> its name
        self.output: dict[str, deque[str]] = {}
        self.current = ""                     # classic: the step running now
        self.failed_vertex = ""
        self.error = ""
        self.containers: list[str] = []       # classic: what an interrupt must remove
        self.layers: list[str] = []
        self._cached = False

    def feed(self, raw: str) -> None:
        line = plain(raw)
        if not line.strip():
            return
        self.lines.append(line)
        event = parse_line(line)
        if event is not None:
            self._note(event)
        if event is None or not event.vertex:  # the classic builder's lines, as they are
            self.tail.append(line)
        elif event.kind == "output":           # BuildKit's `#N 0.123 text`: the text
            self.tail.append(event.text)
        if self.on_line:
            self.on_line(line)

    def _note(self, event: BuildEvent) -> None:
        if event.kind == "step":
            key = event.vertex or str(event.index)
            if event.vertex and key in self.steps:
                return  # BuildKit repeats a vertex's name when its output resumes
            self.steps[key] = BuildStep(event.text)
            self.vertices[event.vertex] = event.text
            self.current = key
        elif event.kind == "vertex":
            self.vertices.setdefault(event.vertex, event.text)
        elif event.kind == "cached":
            key = event.vertex or self.current
            if key in self.steps:
                self.steps[key].cached = True
            self._cached = True
        elif event.kind == "output":
            self.output.setdefault(event.vertex, deque(maxlen=TAIL)).append(event.text)
        elif event.kind == "error":
            self.failed_vertex, self.error = event.vertex, event.text
        elif event.kind == "container":
            self.containers.append(event.text)
        elif event.kind == "layer":
            if not self._cached:
                self.layers.append(event.text)
            self._cached = False

    @property
    def step_list(self) -> list[BuildStep]:
        return list(self.steps.values())

    def failure(self, error: str = "", code: int | None = None) -> BuildFailed:
        """A BuildFailed whose one-line message names the failing instruction and what to do.
        CODE: the step's exit status where the builder gives it as data (classic errorDetail)."""
        error = plain(error or self.error or "unknown error")
        if self.failed_vertex:  # BuildKit
            name = self.vertices.get(self.failed_vertex, "")
            tail = list(self.output.get(self.failed_vertex, ())) or list(self.tail)
            metadata = KIT_METADATA.match(name)
            if metadata:
                return _pull_failure(_short_ref(metadata.group(1)), error, tail)
            step = name
        else:
            step = self.steps[self.current].instruction if self.current in self.steps else ""
            tail = list(self.tail)
        return _failure(step, error, tail, code)


def _short_ref(ref: str) -> str:
    """docker.io/library/python:3 -> python:3; docker.io/org/app:1 -> org/app:1 (as written)."""
    for prefix in ("docker.io/library/", "docker.io/"):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


def _pull_failure(image: str, error: str, tail: list[str]) -> BuildFailed:
    first_line = error.splitlines()[0]
    return BuildFailed(
        f"base image {image} could not be pulled ({first_line}); make it available to the engine "
        f"(docker pull {image}, docker load -i FILE, or log in to its registry) or answer base_image "
        "with an image the engine has", f"FROM {image}", tail)


def _failure(step: str, error: str, tail: list[str], code: int | None = None) -> BuildFailed:
    first_line = error.splitlines()[0] if error else "unknown error"
    if step.upper().startswith("FROM") or (not step and any(e in error for e in PULL_ERRORS)):
        words = step.split()
        return _pull_failure(_short_ref(words[1]) if len(words) > 1 else "the base image", error, tail)
    if not step:
        return BuildFailed(f"build failed: {first_line}", step, tail)
    if code is None and (found := EXIT_CODE.search(error)):
        code = int(found.group(1))  # BuildKit's CLI gives the status only in its error line
    if code is not None and tail:
        # The step's exit status and the last line it printed (a refusal explains itself there).
        return BuildFailed(f"step `{step}` failed with exit code {code}: {tail[-1]}", step, tail)
    return BuildFailed(f"step `{step}` failed: {first_line}", step, tail)


# ------------------------------------------------------------------ choosing the builder
def _has_buildx(cli: str) -> bool:
    try:
        return subprocess.run([cli, "buildx", "version"], capture_output=True, timeout=30,
                              stdin=subprocess.DEVNULL, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _cli_drives_buildkit(cli: str) -> bool:
    """Whether this docker CLI builds with BuildKit: it has buildx, or it is older than 23
    (BuildKit built in, with DOCKER_BUILDKIT=1; 23+ hands `docker build` to buildx)."""
    def run(*args: str) -> subprocess.CompletedProcess | None:
        try:
            return subprocess.run([cli, *args], capture_output=True, text=True, timeout=30,
                                  stdin=subprocess.DEVNULL, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None

    if _has_buildx(cli):
        return True
    version = run("version", "--format", "{{.Client.Version}}")
    if version is None or not version.stdout.strip():
        return False
    major = re.match(r"(\d+)\.", version.stdout.strip())
    return bool(major) and int(major.group(1)) < 23


def _docker_clis() -> list[str]:
    """Every `docker` executable on PATH, first one first, then the distribution's own."""
    found: list[str] = []
    for folder in [*os.environ.get("PATH", "").split(os.pathsep), "/usr/bin"]:
        candidate = Path(folder or ".") / "docker"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            real = str(candidate.resolve())
            if real not in found:
                found.append(real)
    return found


def _engine_has_buildkit(client) -> bool:
    """Docker 18.09+ has BuildKit; Podman's Docker-compatible API has not."""
    from docker.errors import DockerException

    try:
        version = client.version()
    except DockerException:
        return False
    if is_podman_version(version):
        return False
    numbers = re.match(r"(\d+)\.(\d+)", str(version.get("Version", "")))
    return bool(numbers) and (int(numbers.group(1)), int(numbers.group(2))) >= (18, 9)


def choose_builder(client) -> tuple[str, str]:
    """(BUILDKIT, the CLI) or (CLASSIC, '') for this engine and machine."""
    forced = os.environ.get(BUILDER_ENV, "").strip().lower()
    if forced not in ("", BUILDKIT, CLASSIC):
        raise BuildFailed(f"{BUILDER_ENV}={forced!r}: use {BUILDKIT} or {CLASSIC}")
    if forced == CLASSIC:
        return CLASSIC, ""
    if forced == BUILDKIT or _engine_has_buildkit(client):
        for cli in _docker_clis():
            if _cli_drives_buildkit(cli):
                return BUILDKIT, cli
        if forced == BUILDKIT:
            raise BuildFailed(f"{BUILDER_ENV}=buildkit, but no docker CLI here drives BuildKit "
                              "(install the buildx plugin, or unset it to use the classic builder)")
    return CLASSIC, ""


# ------------------------------------------------------------------ building
def build_image(client, context: Path, tag: str, on_line: Callable[[str], None] | None = None,
                nocache: bool = False, builder: str | None = None, label: bool = True) -> BuildResult:
    """Build `context`/Dockerfile as `tag`. Raises BuildFailed with the failing step and log tail.

    BUILDER (BUILDKIT or CLASSIC) overrides the choice `choose_builder` makes; LABEL=False leaves
    out the io.nonroot.build label (the classic builder adds it as a step of its own)."""
    if not (context / "Dockerfile").is_file():
        raise BuildFailed(f"no Dockerfile in {context}")
    kind, cli = choose_builder(client) if builder is None else (builder, "")
    if kind == BUILDKIT and not cli:
        cli = next((c for c in _docker_clis() if _cli_drives_buildkit(c)), "")
        if not cli:
            raise BuildFailed("no docker CLI here drives BuildKit (install the buildx plugin)")
    log = _Log(on_line)
    labels = {BUILD_LABEL: tag} if label else {}
    if kind == BUILDKIT:
        image_id = _build_with_cli(client, cli, context, tag, log, nocache, labels)
    else:
        image_id = _build_classic(client, context, tag, log, nocache, labels)
    steps = log.step_list
    return BuildResult(image_id=image_id, tag=tag, steps=len(steps), log=log.lines, builder=kind, step_list=steps)


def _build_with_cli(client, cli: str, context: Path, tag: str, log: _Log, nocache: bool,
                    labels: dict[str, str]) -> str:
    with tempfile.TemporaryDirectory(prefix="nonroot-build-") as scratch:
        iidfile = Path(scratch) / "iid"
        # With buildx, `buildx build --load`: the image lands in the engine whichever builder
        # instance is selected. Without it (a CLI older than 23), its built-in BuildKit client.
        build = ["buildx", "build", "--load"] if _has_buildx(cli) else ["build"]
        command = [cli, *build, "--progress=plain", "--tag", tag,
                   *(arg for key, value in labels.items() for arg in ("--label", f"{key}={value}")),
                   "--iidfile", str(iidfile), *(["--no-cache"] if nocache else []), str(context)]
        env = {**os.environ, "DOCKER_BUILDKIT": "1", "BUILDKIT_PROGRESS": "plain", "NO_COLOR": "1"}
        try:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    errors="replace", stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        except OSError as error:
            raise EngineUnavailable(f"could not run {cli} to build {tag}: {error}") from error
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.feed(line)
            status = proc.wait()
        except KeyboardInterrupt:
            _cancel_cli(proc)
            raise
        if status != 0:
            last = next((line for line in reversed(log.lines) if line.lower().startswith("error")), "")
            if not log.failed_vertex and not _answers(client):
                raise EngineUnavailable(f"lost the Docker engine while building {tag}: {last or f'exit {status}'}")
            raise log.failure(log.error or last.split(":", 1)[-1].strip() or f"{cli} build exited {status}")
        return iidfile.read_text().strip() if iidfile.is_file() else ""


def _answers(client) -> bool:
    """Whether the engine still answers (a failed build with no failing step may be a lost engine)."""
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    try:
        return bool(client.ping())
    except (DockerException, RequestException, OSError):
        return False


def _cancel_cli(proc: subprocess.Popen, wait: float = 20.0) -> None:
    """Interrupt the CLI as Ctrl-C does, so that it cancels the build on the engine."""
    from ..verifier.sandbox import _block_interrupts

    previous = _block_interrupts()
    try:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    finally:
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _build_classic(client, context: Path, tag: str, log: _Log, nocache: bool, labels: dict[str, str]) -> str:
    from docker.errors import APIError, DockerException

    image_id = ""
    try:
        stream = client.api.build(path=str(context), tag=tag, rm=True, forcerm=True, decode=True, nocache=nocache,
                                  labels=labels or None)
        for chunk in stream:
            if "error" in chunk:
                message = plain(chunk["error"])
                log.lines.append(message)
                raise log.failure(message, (chunk.get("errorDetail") or {}).get("code"))
            for line in chunk.get("stream", "").splitlines():
                log.feed(line)
            image_id = (chunk.get("aux") or {}).get("ID", image_id)
    except KeyboardInterrupt:
        _cancel_classic(client, log)
        raise
    except APIError as error:
        raise log.failure(str(error.explanation or error)) from error
    except DockerException as error:
        raise EngineUnavailable(f"lost the Docker engine while building {tag}: {error}") from error
    return image_id or client.images.get(tag).id


def _cancel_classic(client, log: _Log, wait: float = 20.0) -> None:
    """Cancel a classic build on the engine and remove what it left (called on interrupt)."""
    from docker.errors import DockerException
    from requests.exceptions import RequestException

    from ..verifier.sandbox import _block_interrupts

    previous = _block_interrupts()
    try:
        # Closing the client's connections ends the streaming request: the engine cancels a
        # build whose client went away. The client opens new connections when used again.
        client.close()
        deadline = time.monotonic() + wait
        for container_id in log.containers:
            _remove_container(client, container_id, deadline)
        for layer in reversed(log.layers):
            try:
                client.images.remove(layer, noprune=False)
            except (DockerException, RequestException):
                pass  # tagged, or a parent of another build's image: not ours to remove
    finally:
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _remove_container(client, container_id: str, deadline: float) -> None:
    """Wait for the engine to remove a cancelled build's container (forcerm); force it at the deadline."""
    from docker.errors import DockerException, NotFound
    from requests.exceptions import RequestException

    while True:
        try:
            container = client.containers.get(container_id)
        except NotFound:
            return
        except (DockerException, RequestException):
            return  # the engine is gone: nothing more can be done from here
        if time.monotonic() > deadline:
            try:
                container.remove(force=True, v=True)
            except (DockerException, RequestException):
                pass
            return
        time.sleep(0.2)

