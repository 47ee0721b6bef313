"""The plan: every decision the template makes, computed once from the Copier answers.

`build_plan(answers) -> Plan` is a pure function (standard library only: Copier's own
Python loads this file through extensions/plan.py). Every rendered file prints the plan;
the verifier's expectations (project.py) come from the same plan. The defaults tables
(images per stack and family) and the answer checks that are more than a pattern live
here too, so copier.yml holds only questions.

Adding a family: one row in FAMILIES, one include includes/family/<name>.jinja with the
macros FAMILY_MACROS names, and its line in copier.yml's `distro` choices. Adding a
stack: one row in STACKS, one include includes/stack/<name>.jinja with STACK_MACROS, and
its line in `stack`'s choices (see the README, "Adding a family or a stack").
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from . import shell_line

# ------------------------------------------------------------------ defaults
# Current releases, stated once (December 2026): Debian 13 (trixie) for every Debian-based
# image, Python 3.14, Node.js 24 (Active LTS), Go 1.26, Alpine 3.23, UBI 9.
DEBIAN = "13"
DEBIAN_CODENAME = "trixie"
PYTHON = "3.14"
NODE = "24"
GO = "1.26"
ALPINE = "3.23"
UBI = "registry.access.redhat.com/ubi9"

# Runtime images per stack and family; go and generic run on any image of the family.
_ANY = {
    "debian": f"debian:{DEBIAN}-slim",
    "ubuntu": "ubuntu:24.04",
    "alpine": f"alpine:{ALPINE}",
    "rhel": f"{UBI}/ubi-minimal:9.7",
    "distroless": f"gcr.io/distroless/static-debian{DEBIAN}:nonroot",
    "scratch": "scratch",
}
RUNTIME_IMAGES: dict[str, dict[str, str]] = {
    "python": {
        "debian": f"python:{PYTHON}-slim-{DEBIAN_CODENAME}",
        "ubuntu": "ubuntu:24.04",
        "alpine": f"python:{PYTHON}-alpine",
        "rhel": f"{UBI}/python-312:1",
        "distroless": f"gcr.io/distroless/python3-debian{DEBIAN}:nonroot",
    },
    "node": {
        "debian": f"node:{NODE}-{DEBIAN_CODENAME}-slim",
        "alpine": f"node:{NODE}-alpine",
        "rhel": f"{UBI}/nodejs-{NODE}-minimal:1",
        "distroless": f"gcr.io/distroless/nodejs{NODE}-debian{DEBIAN}:nonroot",
    },
    "go": _ANY,
    "generic": _ANY,
}
GO_BUILDER = f"golang:{GO}-{DEBIAN_CODENAME}"
DEBIAN_BUILDER = f"debian:{DEBIAN}-slim"

# ------------------------------------------------------------------ families
@dataclass(frozen=True)
class Family:
    """What the template needs to know about a distro family: its include, whether the
    runtime has a shell, the drop tools it packages, where tini lands (None: no tini)."""

    include: str
    shell_less: bool = False
    drop_tools: tuple[str, ...] = ()
    init_path: str | None = None
    account_tool: str = ""  # for the help text and the README
    # Drop tools that are already in the family's images (nothing to install).
    builtin_drop_tools: tuple[str, ...] = ()
    installs_python: bool = False  # has install_python: some images lack python3 (ubuntu)
    runtime_prelude: bool = False  # has runtime_prelude: lines right after the runtime FROM
    reads_runtime_accounts: bool = False  # the builder appends to the runtime image's passwd


FAMILIES: dict[str, Family] = {
    "debian": Family("debian", drop_tools=("setpriv", "gosu"), init_path="/usr/bin/tini",
                     builtin_drop_tools=("setpriv",), installs_python=True),
    "ubuntu": Family("debian", drop_tools=("setpriv", "gosu"), init_path="/usr/bin/tini",
                     builtin_drop_tools=("setpriv",), installs_python=True),
    "alpine": Family("alpine", drop_tools=("su-exec", "gosu"), init_path="/sbin/tini"),
    "rhel": Family("rhel", drop_tools=("setpriv",), runtime_prelude=True),
    # Shell-less runtimes: a Debian builder writes their account lines; tini is the
    # builder's static one.
    "distroless": Family("distroless", shell_less=True, init_path="/usr/bin/tini", reads_runtime_accounts=True),
    "scratch": Family("scratch", shell_less=True, init_path="/usr/bin/tini"),
}

# The macros a family include (includes/family/<include>.jinja) defines: those of its
# kind (with a shell, or shell-less), plus one per capability its Family row declares.
SHELL_FAMILY_MACROS = ("create_account", "install_packages", "install_drop_tool", "drop_exec", "drop_cmd")
SHELL_LESS_MACROS = ("builder_account", "copy_account")


def family_macros(family: Family) -> set[str]:
    """The macros the family's include must define, and no others."""
    names = set(SHELL_LESS_MACROS if family.shell_less else SHELL_FAMILY_MACROS)
    if family.init_path:
        names.add("install_init")
    if family.installs_python:
        names.add("install_python")
    if family.runtime_prelude:
        names.add("runtime_prelude")
    if family.reads_runtime_accounts:
        names.add("runtime_prelude")
    if family.shell_less and "python" in STACKS_ON.get(family.include, ()):
        names.add("prepare_python_builder")
    return names


# -------------------------------------------------------------------- stacks
@dataclass(frozen=True)
class Stack:
    """A stack: its include, whether it compiles/installs in a builder, and how it probes
    its health with its own runtime (argv before the URL; None: no probe in the image)."""

    include: str
    families: tuple[str, ...]
    layouts: tuple[str, ...] = ("multi",)
    runtime_env: bool = False  # has runtime_env: ENV lines of the runtime stage
    runtime_install: bool = False  # has runtime_install: installs in the runtime stage
    reuses_account: bool = False  # has reuse_account: the base image's own user (node 1000)
    build_step: bool = False  # has build_step: runs build_command where the code and dependencies are


STACKS: dict[str, Stack] = {
    "python": Stack("python", ("debian", "ubuntu", "alpine", "rhel", "distroless"), ("multi", "single"),
                    runtime_env=True, runtime_install=True, build_step=True),
    "node": Stack("node", ("debian", "alpine", "rhel", "distroless"), ("multi", "single"), runtime_env=True,
                  reuses_account=True, build_step=True),
    "go": Stack("go", tuple(FAMILIES)),
    "generic": Stack("generic", tuple(FAMILIES)),
}
# The macros every stack include defines (includes/stack/<include>.jinja), plus one per
# capability its Stack row declares.
STACK_MACROS = ("builder_purpose", "build", "copy_app")
STACKS_ON = {name: tuple(s for s, stack in STACKS.items() if name in stack.families) for name in FAMILIES}


def stack_macros(stack: Stack) -> set[str]:
    names = set(STACK_MACROS)
    if stack.runtime_env:
        names.add("runtime_env")
    if stack.runtime_install:
        names.add("runtime_install")
    if stack.reuses_account:
        names.add("reuse_account")
    if stack.build_step:
        names.add("build_step")
    return names

LABEL_PREFIX = "io.nonroot"
# Package index settings a build may need (docker build --build-arg), per stack.
BUILD_ARGS = {"python": ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"), "node": ("NPM_CONFIG_REGISTRY",),
              "go": ("GOPROXY",)}
# Where the builder keeps build_ca_cert, and the variables that make each tool trust it.
BUILD_CA_PATH = "/etc/ssl/nonroot-build-ca.pem"
BUILD_CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT", "NODE_EXTRA_CA_CERTS", "npm_config_cafile",
                      "CURL_CA_BUNDLE")


# ---------------------------------------------------------------------- plan
@dataclass(frozen=True)
class Health:
    """The HTTP probe: compose/Dockerfile run `test` (exec form, as the image's user, no
    shell); Kubernetes asks `path` with httpGet."""

    path: str
    test: tuple[str, ...] = ()
    tcp: bool = False  # no HTTP route to ask: a TCP connection to the port (health_path: tcp)

    @property
    def what(self) -> str:
        """What is probed, for the files' comments."""
        return "the port (a TCP connection)" if self.tcp else self.path


@dataclass(frozen=True)
class Plan:
    service_name: str
    stack: str
    distro: str
    family: str  # include name under includes/family/
    shell_less: bool
    installs_python: bool  # the family's install_python applies
    runtime_prelude: bool  # the family's runtime_prelude applies
    builder_prelude: bool  # the builder is the family's own image: its runtime_prelude applies there too
    runtime_base_stage: bool  # a stage named runtime-base, whose accounts the builder reads
    runtime_env: bool  # the stack's runtime_env applies
    runtime_install: bool  # the stack's runtime_install applies
    copy_ca_bundle: bool  # scratch + go: the builder's CA bundle for outgoing TLS
    layout: str
    base_image: str
    builder_image: str  # "" when there is no builder stage
    builder: bool
    user: str
    group: str
    uid: int
    gid: int
    home: bool
    home_path: str  # HOME: the account's own writable directory (home), or /nonexistent
    privilege: str
    drop_tool: str
    drop_style: str
    entrypoint_script: bool
    install_drop_tool: bool
    reuse_account: bool  # the base image's own account is the service's (node 1000, distroless 65532)
    run_uid: int  # the identity the service runs as (openshift: group 0; drop: after the drop)
    run_gid: int
    owner_gid: int  # group that owns the writable paths
    init: bool
    init_path: str  # "" without tini
    entry: tuple[str, ...]  # the interpreter (shell-less: the ENTRYPOINT)
    args: tuple[str, ...]
    writable_paths: tuple[str, ...]
    port: int
    health: Health | None
    go_probe: str = ""  # the probe binary the go builder makes (go with a health path)
    env: tuple[tuple[str, str], ...] = ()  # the running service's environment, PORT first
    builder_family: str = "debian"  # include of the builder image's family (go, shell-less: Debian)
    build_packages: tuple[str, ...] = ()  # installed in the builder stage
    runtime_packages: tuple[str, ...] = ()  # installed in the runtime stage (single: also build_packages)
    python_deps: str = ""
    installs_project: bool = False  # pyproject, poetry: the project itself goes into the venv
    package_manager: str = ""  # node: npm, yarn or pnpm
    build_ca_cert: str = ""  # a PEM bundle in the repository, trusted by the builder stages only
    build_args: tuple[str, ...] = ()  # package index settings passed to the builder, never baked in
    # The build step (build_command, python and node): an argv (exec-form RUN) or a shell
    # line; "" for none. Run where the stage has the code and every dependency (issue 22).
    build_command: str | tuple[str, ...] = ""
    go_package: str = ""
    artifact: str = ""
    kubernetes: bool = False
    labels: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def context_source(self) -> str:
        """Where the runtime's COPY of the build context reads: the context itself, or,
        with build_ca_cert, the builder's copy without the CA bundle."""
        if self.build_command and self.layout == "multi":
            return "--from=builder /app/"  # the code with the build step's outputs
        return "--from=builder /context/" if self.build_ca_cert else "."

    @property
    def build_run(self) -> str:
        """The build step as a RUN instruction's arguments: exec form for an argv (no
        shell), the line itself for a shell line ("" without a build step)."""
        if isinstance(self.build_command, tuple):
            return f"[{exec_form(self.build_command)}]"
        return self.build_command

    @property
    def build_ca_path(self) -> str:
        return BUILD_CA_PATH

    @property
    def build_ca_variables(self) -> tuple[str, ...]:
        return BUILD_CA_VARIABLES

    @property
    def low_port(self) -> bool:
        """Below 1024: needs net.ipv4.ip_unprivileged_port_start=0 (no capability)."""
        return self.port < 1024

    @property
    def owned_paths(self) -> tuple[str, ...]:
        """Every path the user owns in the image: the writable paths, then its home."""
        return self.writable_paths + ((self.home_path,) if self.home else ())

    @property
    def argv(self) -> tuple[str, ...]:
        return self.entry + self.args

    @property
    def who(self) -> str:
        return f"{self.run_uid}:{self.run_gid}"


def exec_form(items: Any) -> str:
    """Items of an exec-form array (JSON strings, comma separated), without brackets."""
    return ", ".join(json.dumps(str(item)) for item in items)


def default_base_image(stack: str, distro: str) -> str:
    return RUNTIME_IMAGES.get(stack, _ANY).get(distro, "")


def default_builder_image(stack: str, distro: str, base_image: str) -> str:
    if stack == "go":
        return GO_BUILDER
    if stack == "generic":
        return DEBIAN_BUILDER
    if distro == "distroless":
        return RUNTIME_IMAGES["node"]["debian"] if stack == "node" else DEBIAN_BUILDER
    return base_image


GO_PROBE = "/usr/local/bin/nonroot-healthcheck"
# The health_path answer for a service with no health route: a TCP check of its port.
TCP_HEALTH = "tcp"


def _health(stack: str, distro: str, port: int, path: str, privilege: str) -> Health | None:
    """The probe of `path` (None: no health_path). In the image it runs with the stack's
    own runtime (python, node) or a probe built in the go builder; generic has none, and
    under `drop` the engine would run it as root (no USER): Kubernetes's httpGet only."""
    if not path:
        return None
    if path == TCP_HEALTH:
        return _tcp_health(stack, distro, port, privilege)
    url = f"http://127.0.0.1:{port}{path}"
    if privilege == "drop":
        return Health(path)
    if stack == "python":
        python = SHELL_LESS_INTERPRETER["python"] if distro == "distroless" else "python3"
        return Health(path, (python, "-c", f"import urllib.request; urllib.request.urlopen('{url}', timeout=3)"))
    if stack == "node":
        node = SHELL_LESS_INTERPRETER["node"] if distro == "distroless" else "node"
        return Health(path, (node, "-e", f"require('http').get('{url}', (r) => process.exit("
                             "r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"))
    if stack == "go":
        return Health(path, (GO_PROBE, url))
    return Health(path)


def _tcp_health(stack: str, distro: str, port: int, privilege: str) -> Health:
    """A TCP connection to the port, for a service with no health route: it tells the server
    accepts connections (not that it answers well); Kubernetes uses tcpSocket."""
    if privilege == "drop":
        return Health("", tcp=True)
    if stack == "python":
        python = SHELL_LESS_INTERPRETER["python"] if distro == "distroless" else "python3"
        return Health("", (python, "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), 3).close()"),
                      tcp=True)
    if stack == "node":
        node = SHELL_LESS_INTERPRETER["node"] if distro == "distroless" else "node"
        return Health("", (node, "-e", f"require('net').connect({port}, '127.0.0.1').on('connect', () => "
                           "process.exit(0)).on('error', () => process.exit(1))"), tcp=True)
    if stack == "go":
        return Health("", (GO_PROBE, f"tcp://127.0.0.1:{port}"), tcp=True)
    return Health("", tcp=True)


# The stacks' interpreters: on a shell-less runtime the command's first word is the
# image's interpreter path, as ENTRYPOINT (distroless has no PATH lookup for them).
INTERPRETERS = {"python": ("python3", "python"), "node": ("node",)}
SHELL_LESS_INTERPRETER = {"python": "/opt/venv/bin/python3", "node": "/nodejs/bin/node"}


def default_command(stack: str, artifact: str = "", sample_app: bool = True) -> list[str]:
    """What starts the sample (or, for generic, the artifact; go, the binary), run in /app.
    Without the sample, python and node have nothing to start: [] (the answer is asked for,
    never the sample's path)."""
    if stack in ("python", "node") and not sample_app:
        return []
    if stack == "python":
        return ["python3", "/app/app/main.py"]
    if stack == "node":
        return ["node", "/app/app/server.js"]
    if stack == "go":
        return ["/app/server"]
    return ["/app/" + (artifact or "dist/app").rstrip("/").split("/")[-1]]


def _argv(stack: str, distro: str, command: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(entry, args): on a shell-less runtime the interpreter as ENTRYPOINT, else () and all;
    a shell line (a string) runs as `sh -c` with its last command exec'd (shell_line.py)."""
    if isinstance(command, str):
        return (), shell_line.argv(command)
    argv = tuple(str(c) for c in command) if command else ()
    if FAMILIES[distro].shell_less and argv and argv[0] in INTERPRETERS.get(stack, ()):
        return (SHELL_LESS_INTERPRETER[stack],), argv[1:]
    return (), argv


# The stacks whose builder (single: whose one stage) can run a build step (build_command):
# go builds with go build, generic ships an artifact built elsewhere.
BUILD_STEP_STACKS = tuple(name for name, stack in STACKS.items() if stack.build_step)


def _build_command(stack: str, value: Any) -> str | tuple[str, ...]:
    """build_command as the plan keeps it: a tuple for an argv, a str for a shell line."""
    if stack not in BUILD_STEP_STACKS or not value:
        return ""
    return value.strip() if isinstance(value, str) else tuple(str(word) for word in value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def dockerfile_value(value: str) -> str:
    """A Dockerfile ENV value: double-quoted, with no variable substitution."""
    return json.dumps(value).replace("$", "\\$")


def compose_value(value: str) -> str:
    """A compose environment value: double-quoted, with no interpolation."""
    return json.dumps(value).replace("$", "$$")


def default_health_path(stack: str, sample_app: bool = True) -> str:
    """The samples answer /healthz; generic's artifact is the team's own. A service of one's
    own with no route found gets a check of its port, never an invented path."""
    if stack == "generic":
        return ""
    return "/healthz" if sample_app else TCP_HEALTH


def _health_path(answers: Mapping[str, Any], stack: str) -> str:
    path = answers.get("health_path")
    return default_health_path(stack) if path is None else str(path)


def build_plan(answers: Mapping[str, Any]) -> Plan:
    """The plan for one set of answers (Copier's, or a service's answers file)."""
    stack = answers.get("stack") or "python"
    distro = answers.get("distro") or "debian"
    family = FAMILIES[distro]
    layout = answers.get("layout") or "multi"
    if stack not in ("python", "node"):
        layout = "multi"
    shell_less = family.shell_less
    builder = (layout == "multi" and stack != "generic") or shell_less
    base_image = answers.get("base_image") or default_base_image(stack, distro)
    builder_family = "debian" if shell_less or stack == "go" else family.include
    builder_image = (answers.get("builder_image") or default_builder_image(stack, distro, base_image)) if builder else ""
    user, group = str(answers.get("user") or "app"), str(answers.get("group") or answers.get("user") or "app")
    uid = int(answers.get("uid") or 10001)
    gid = int(answers.get("gid") or uid)
    privilege = answers.get("privilege") or "user"
    drop = privilege == "drop"
    drop_tool = (answers.get("drop_tool") or family.drop_tools[0]) if drop else ""
    drop_style = (answers.get("drop_style") or "entrypoint") if drop else ""
    init = bool(answers.get("init")) and family.init_path is not None
    command = answers.get("command") or default_command(stack, str(answers.get("artifact") or ""))
    entry, args = _argv(stack, distro, command)
    writable = tuple(str(p) for p in answers.get("writable_paths") or ())
    owner_gid = 0 if privilege == "openshift" else gid
    reuse = (stack == "node" and not shell_less and user == "node" and uid == 1000) or (
        distro == "distroless" and user == "nonroot" and uid == 65532 and gid == 65532)
    port = int(answers.get("port") or 8080)
    run_gid = owner_gid
    home = bool(answers.get("home"))
    home_path = f"/home/{user}" if home else "/nonexistent"
    labels = ((f"{LABEL_PREFIX}.user", f"{uid}:{run_gid}"),
              (f"{LABEL_PREFIX}.writable-paths", " ".join(writable + ((home_path,) if home else ()))))
    env = {str(k): _scalar(v) for k, v in (answers.get("env") or {}).items()}
    return Plan(
        service_name=str(answers.get("service_name") or "my-service"),
        stack=stack, distro=distro, family=family.include, shell_less=shell_less,
        installs_python=family.installs_python and stack == "python", runtime_prelude=family.runtime_prelude,
        builder_prelude=builder and family.runtime_prelude and builder_family == family.include,
        runtime_base_stage=family.reads_runtime_accounts, runtime_env=STACKS[stack].runtime_env,
        runtime_install=STACKS[stack].runtime_install, copy_ca_bundle=distro == "scratch" and stack == "go",
        layout=layout,
        base_image=base_image, builder_image=builder_image, builder=builder,
        user=user, group=group, uid=uid, gid=gid, home=home, home_path=home_path,
        privilege=privilege, drop_tool=drop_tool, drop_style=drop_style,
        entrypoint_script=drop and drop_style == "entrypoint",
        install_drop_tool=drop and drop_tool not in family.builtin_drop_tools,
        reuse_account=reuse,
        run_uid=uid, run_gid=run_gid, owner_gid=owner_gid,
        init=init, init_path=(family.init_path or "") if init else "",
        entry=entry, args=args, writable_paths=writable, port=port,
        health=_health(stack, distro, port, _health_path(answers, stack), privilege),
        python_deps=str(answers.get("python_deps") or "requirements") if stack == "python" else "",
        # The sample is no installable project (it runs from app/, with no build backend offline).
        installs_project=(stack == "python" and answers.get("python_deps") in ("pyproject", "poetry")
                          and answers.get("sample_app") is False),
        build_command=_build_command(stack, answers.get("build_command")),
        go_package=str(answers.get("go_package") or ".") if stack == "go" else "",
        package_manager=str(answers.get("package_manager") or "npm") if stack == "node" else "",
        build_ca_cert=str(answers.get("build_ca_cert") or "") if builder else "",
        build_args=BUILD_ARGS.get(stack, ()) if builder else (),
        artifact=str(answers.get("artifact") or "") if stack == "generic" else "",
        kubernetes=bool(answers.get("kubernetes")),
        builder_family=builder_family,
        build_packages=tuple(map(str, answers.get("build_packages") or ())) if builder and stack != "generic" else (),
        runtime_packages=tuple(map(str, [*(answers.get("runtime_packages") or ()),
                                         *((answers.get("build_packages") or ()) if not builder else ())])),
        # HOME stated in the image, the same under every privilege model: setpriv keeps root's,
        # an arbitrary UID (OpenShift) has no passwd line to read it from.
        env=(("PORT", str(port)), *((("HOME", home_path),) if "HOME" not in env else ()), *env.items()),
        go_probe=GO_PROBE if stack == "go" and privilege != "drop" and _health_path(answers, stack) else "",
        labels=labels,
    )


# ------------------------------------------------------------------- checks
# One pattern for every image reference: [registry[:port]/]name[/name...][:tag][@sha256:digest].
IMAGE_REFERENCE = re.compile(
    r"([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?")
ID_MAX = 2147483647
OVERFLOW_IDS = (65534, 65535, 4294967294)


def image_reference_error(question: str, value: Any, answers: Mapping[str, Any]) -> str:
    """The refusal for an image answer ("" when it is fine)."""
    text = value if isinstance(value, str) else ""
    if not IMAGE_REFERENCE.fullmatch(text):
        example = (", expected e.g. python:3.12-slim-bookworm or registry.example.com/team/python:3.12"
                   if question == "base_image" else "")
        return f"{question}: not a valid image reference{example} (got {json.dumps(value)})"
    if question == "base_image" and (answers.get("distro") == "scratch") != (text == "scratch"):
        return (f"base_image: scratch goes with distro scratch (and only with it: its account files are "
                f"written from nothing), got {json.dumps(text)} for distro {answers.get('distro')}")
    return ""


def id_error(question: str, value: Any, answers: Mapping[str, Any]) -> str:
    """The refusal for a uid or gid answer ("" when it is fine)."""
    number = int(value)
    low, high = int(answers.get("uid_min", 1)), int(answers.get("uid_max", ID_MAX))
    what = "root" if question == "uid" else "the root group"
    if number < 1 or number > ID_MAX:
        return f"{question}: must be 1-{ID_MAX} (0 is {what}), got {number}"
    if number in OVERFLOW_IDS:
        kind = "nobody" if question == "uid" else "the nogroup"
        return f"{question}: {number} is {kind}/overflow ID on most systems; pick another, e.g. 10001"
    if number < low or number > high:
        return f"{question}: {number} is outside your organisation's range {low}-{high} (uid_min, uid_max)"
    if answers.get("stack") == "node" and answers.get("distro") != "distroless":
        user, group = answers.get("user"), answers.get("group")
        if question == "uid" and (number == 1000) != (user == "node"):
            return ("uid: the node images ship the user node as 1000; answer user node with uid 1000 to reuse "
                    f"it, or another name and uid (e.g. app, 10001), got {user} {number}")
        if question == "gid" and user == "node" and (number != 1000 or group != "node"):
            return f"gid: reusing the node images' user node needs its group node 1000, got {group} {number}"
    return ""


HEALTH_PATH = re.compile(r"/[A-Za-z0-9._~!$&()*+,;=:@%/?-]*")


def health_path_error(value: Any) -> str:
    if value in ("", TCP_HEALTH) or (isinstance(value, str) and HEALTH_PATH.fullmatch(value) and "'" not in value):
        return ""
    return (f"health_path: must be \"\" (no probe), tcp (a check of the port) or an HTTP path starting with / "
            f"(letters, digits and URL punctuation, no spaces or quotes), got {json.dumps(value)}")


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def command_error(value: Any, answers: Mapping[str, Any]) -> str:
    """The start command: an exec-form list of words, or a shell line (a string) where the
    runtime has a shell."""
    if isinstance(value, str):
        if not value.strip():
            return ("command: nothing tells how the service starts; answer it as a YAML list such as "
                    "[gunicorn, app:app] or a shell line such as \"flask db upgrade && gunicorn app:app\"")
        if "\n" in value.strip() or "\r" in value:
            return "command: a shell line must be one line (join the steps with && or ;)"
        distro = answers.get("distro") or "debian"
        if FAMILIES.get(distro) and FAMILIES[distro].shell_less:
            return (f"command: a shell line runs with sh, and {distro} has no shell; answer the command as a "
                    "YAML list (exec form), with any start-up steps done in the build or by the service")
        return ""
    if not isinstance(value, (list, tuple)) or not value:
        return ("command: nothing tells how the service starts; answer it as a YAML list such as "
                "[gunicorn, app:app] or a shell line such as \"flask db upgrade && gunicorn app:app\"")
    for word in value:
        if not isinstance(word, str) or not word:
            return f"command: {json.dumps(word, default=str)} must be a non-empty string"
    return ""


def env_error(value: Any) -> str:
    if not isinstance(value, Mapping):
        return f"env: must be a YAML mapping such as {{LOG_LEVEL: info}}, got {json.dumps(value, default=str)}"
    for key, item in value.items():
        if not isinstance(key, str) or not ENV_NAME.fullmatch(key):
            return f"env: {json.dumps(key, default=str)} is not a variable name (letters, digits, _; not a digit first)"
        if key == "PORT":
            return "env: PORT is set from the port answer; answer port instead"
        if isinstance(item, (Mapping, list)) or "\n" in _scalar(item):
            return f"env: {key} must be a single-line value, got {json.dumps(item, default=str)}"
    return ""


PACKAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._:~=@-]*")


def packages_error(question: str, value: Any, answers: Mapping[str, Any]) -> str:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        return f"{question}: must be a YAML list of package names such as [libpq5], got {json.dumps(value, default=str)}"
    for name in value:
        if not isinstance(name, str) or not PACKAGE.fullmatch(name):
            return (f"{question}: {json.dumps(name, default=str)} is not a package name (letters, digits, "
                    "+ . _ : ~ = @ -)")
    if value and question == "runtime_packages" and FAMILIES[answers.get("distro") or "debian"].shell_less:
        return (f"runtime_packages: {answers.get('distro')} has no package manager; copy the files from the "
                "builder in your own stage, or use a family with one")
    return ""


def build_command_error(value: Any, answers: Mapping[str, Any]) -> str:
    """The refusal for a build_command answer ("" when it is fine): an argv (a YAML list of
    non-empty strings) or one shell line (a RUN line: no newline, no trailing backslash,
    which would join the Dockerfile's next line), or "" for none."""
    if value in ("", None) or value == []:
        return ""
    stack = answers.get("stack") or "python"
    if stack not in BUILD_STEP_STACKS:
        return (f"build_command: {stack} has no build step to run it in (go: go build in its builder; generic: "
                f"the artifact your own build made); answer \"\"")
    if isinstance(value, str):
        if "\n" in value or "\r" in value or value.rstrip().endswith("\\"):
            return (f"build_command: must be one shell line (no newline or trailing backslash); join the steps "
                    f"with &&, got {json.dumps(value)}")
        return "" if value.strip() else "build_command: must be \"\" (none) or a command, got only spaces"
    if not isinstance(value, (list, tuple)):
        return ("build_command: must be a YAML list such as [npm, run, build], a shell line such as "
                f"\"yarn build\", or \"\" for none, got {json.dumps(value, default=str)}")
    for word in value:
        if not isinstance(word, str) or not word:
            return f"build_command: {json.dumps(word, default=str)} must be a non-empty string"
    return ""


CA_PATH = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")


def build_ca_cert_error(value: Any, answers: Mapping[str, Any]) -> str:
    if value in ("", None):
        return ""
    if not isinstance(value, str) or not CA_PATH.fullmatch(value) or value.startswith("..") or "/.." in value:
        return (f"build_ca_cert: must be a relative path inside the repository (letters, digits, . _ -), "
                f"got {json.dumps(value, default=str)}")
    stack, distro = answers.get("stack") or "python", answers.get("distro") or "debian"
    if stack == "generic" and not FAMILIES[distro].shell_less:
        return "build_ca_cert: generic has no build stage to trust it"
    if stack in ("python", "node") and answers.get("layout") == "single":
        return ("build_ca_cert: the single layout would keep it in the image's layers; answer layout multi "
                "(the builder stage trusts it, the runtime never gets it)")
    return ""


def destination_error(destination: str, answers: dict) -> str:
    """The answer checks that read the destination folder itself (copier.yml runs them on the
    folder Copier writes; `nonroot new` renders aside first, then runs them on the real one)."""
    if answers.get("stack") == "go":
        return go_module_error(destination, bool(answers.get("sample_app")))
    return ""


def go_module_error(destination: str, sample_app: bool) -> str:
    """go builds a module: without go.mod (and no sample to write one) say why. Checked
    only in a repository (a folder with files): Copier's update replays and nonroot new's
    dry run render into empty folders."""
    from pathlib import Path

    folder = Path(destination)
    if sample_app or not folder.is_dir() or not any(folder.iterdir()) or (folder / "go.mod").is_file():
        return ""
    sample = "" if any(folder.glob("*.go")) else " (or answer sample_app true for the sample's)"
    return ("stack: go builds a Go module, and there is no go.mod here; run `go mod init <module path>` "
            f"first{sample}")
