"""What a row of the support table says: a distro family (families/<name>/), a stack
(stacks/<name>/) and a privilege-drop tool (drop_tools.py). Each folder states its row
once; the plan, copier.yml's checks and choices, the detector, the README's tables and the
tests read it (catalog.py finds the folders). Standard library only."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ANY_FAMILY = ("*",)  # a stack's families: every family (catalog.py resolves it)


@dataclass(frozen=True)
class DropTool:
    """A tool that drops from root to the service's account for good: its command line
    (up to the program to run), one tuple per printed line; `{uid}` and `{gid}` are the
    account's IDs."""

    name: str
    title: str  # the choice's label
    lines: tuple[tuple[str, ...], ...]

    def argv(self, uid: int, gid: int) -> tuple[str, ...]:
        return tuple(word.format(uid=uid, gid=gid) for line in self.lines for word in line)


@dataclass(frozen=True)
class Family:
    """A distro family: its macros (families/<macros>/macros.jinja), whether the runtime has
    a shell, the drop tools it packages, where tini lands (None: no tini)."""

    name: str
    order: int  # place among the distro choices
    title: str  # the distro choice's label
    image: str  # the runtime image of a stack that runs on any image of the family (go, generic)
    account_tool: str  # how the account is made (the choice's label, the README)
    package_tool: str = ""  # its package manager ("": none)
    macros: str = ""  # the family folder whose macros it uses ("": its own)
    shell_less: bool = False
    drop_tools: tuple[str, ...] = ()
    builtin_drop_tools: tuple[str, ...] = ()  # already in the family's images (nothing to install)
    init_path: str | None = None
    no_init: str = ""  # why init is refused (init_path None)
    tool_refusals: Mapping[str, str] = field(default_factory=dict)  # why a drop tool is not offered
    installs_python: bool = False  # has install_python: some images lack python3 (ubuntu)
    lacks_python: bool = False  # its base image has no python3: the runtime installs it too
    runtime_prelude: bool = False  # has runtime_prelude: lines right after the runtime FROM
    reads_runtime_accounts: bool = False  # the builder appends to the runtime image's passwd
    builder_family: str = ""  # the family of its builder stages ("": its own)
    scratch: bool = False  # the empty image: no files of its own (base_image scratch goes with it)
    image_account: tuple[str, int] | None = None  # the images' own account it may reuse (name, uid=gid)
    # The stacks whose runtime images it has, beyond those that run on any family: stack -> image.
    stack_images: Mapping[str, str] = field(default_factory=dict)

    @property
    def include(self) -> str:
        return self.macros or self.name

    @property
    def choice_label(self) -> str:
        tools = [self.account_tool, " or ".join(self.drop_tools), self.package_tool]
        return f"{self.title} ({', '.join(t for t in tools if t)})"


@dataclass(frozen=True)
class Stack:
    """A stack: its default images per family, its builder, its layouts (the default first),
    the command and health probe of its sample, and its capabilities (the macros it has)."""

    name: str
    order: int  # place among the stack choices
    title: str  # the stack choice's label
    help: str  # one line of the stack question's help
    families: tuple[str, ...]  # the families it runs on, in order (ANY_FAMILY: every one)
    images: Mapping[str, str] = field(default_factory=dict)  # runtime image per family (else the family's)
    builds: bool = True  # has a build in a builder stage (generic: its artifact is built elsewhere)
    builder_image: str = ""  # the builder's image whatever the runtime ("": the runtime's)
    shell_less_builder: str = ""  # the builder's image for a shell-less runtime
    builder_family: str = ""  # the family of its builder whatever the runtime ("": the runtime's)
    layouts: tuple[str, ...] = ("multi",)
    layout_refusal: str = ""  # why it has only its layouts
    command: Callable[[Mapping[str, Any]], list[str]] = lambda answers: []  # the sample's (or artifact's)
    health_path: str = "/healthz"  # the sample's probe ("": none)
    command_is_sample: bool = False  # its command starts the sample: none without it
    # How its own runtime probes a URL: argv with {url} ({interpreter}: the runtime's,
    # {probe}: probe_binary); () none. tcp_probe: a TCP connection to {port} (health_path tcp).
    health_probe: tuple[str, ...] = ()
    tcp_probe: tuple[str, ...] = ()
    probe_binary: str = ""  # a probe built in the builder, at this path in the image
    interpreters: tuple[str, ...] = ()  # the command words that name its interpreter
    shell_less_interpreter: str = ""  # that interpreter's path in a shell-less image
    runtime_env: bool = False  # has runtime_env: ENV lines of the runtime stage
    runtime_install: bool = False  # has runtime_install: installs in the runtime stage
    build_step: bool = False  # has build_step: runs build_command where the code and dependencies are
    build_prunes: bool = False  # its build step has every dependency (dev too); the production ones stay
    # The base images' own account it may reuse (name, uid): node 1000.
    image_account: tuple[str, int] | None = None
    build_args: tuple[str, ...] = ()  # package index settings a build may need (--build-arg)
    copies_context: bool = False  # the builder copies the build context (minus build_ca_cert) for the runtime
    needs_ca_bundle: bool = False  # its outgoing TLS needs a CA bundle (scratch has none: the builder's)
    dev_mounts: tuple[str, ...] = ()  # compose.dev.yaml's source bind mounts
    dev_volumes: tuple[str, ...] = ()  # their named volumes
    base_image_names: tuple[str, ...] = ()  # an existing Dockerfile's FROM that names the stack
    refusals: Mapping[str, str] = field(default_factory=dict)  # why a family is not among `families`
    questions: tuple[str, ...] = ()  # copier.yml's questions of this stack only
    # Its own answers as plan fields (python_deps, package_manager, ...), from the answers.
    own_answers: Callable[[Mapping[str, Any]], Mapping[str, Any]] = lambda answers: {}
    # The sample app's files: a path in the service (read from sample/<path>.jinja), or
    # (path, source) with source relative to stacks/ (another stack's sample file).
    sample: Callable[[Mapping[str, Any]], list[Any]] = lambda answers: []
    # Answer checks of its own questions: question -> check(answers, destination) -> refusal or "".
    checks: Mapping[str, Callable[[Mapping[str, Any], str], str]] = field(default_factory=dict)
    runtime_name: str = ""  # what its runtime images are called in comments ("": language)
    shell_less_family_macros: tuple[str, ...] = ()  # what its build asks of a shell-less family
