"""The plan: every decision the template makes, computed once from the Copier answers.

`build_plan(answers) -> Plan` is a pure function of the answers and the rows (catalog.py:
the folders of stacks/ and families/; standard library only, as Copier's own Python
imports this package through extensions/nonroot_plan.py). Every rendered file prints the
plan; the verifier's expectations (scaffold/project.py) come from the same plan. Nothing
here names a stack or a family: what differs between them is in their rows.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import shell_line
from .catalog import DEFAULT_FAMILY, DEFAULT_STACK, EXECUTABLE_FILES, FAMILIES, STACKS, drop_tool, macros_path
from .rows import Family, Stack

LABEL_PREFIX = "io.nonroot"
# The health_path answer for a service with no health route: a TCP check of its port.
TCP_HEALTH = "tcp"
# Where the builder keeps build_ca_cert, and the variables that make each tool trust it.
BUILD_CA_PATH = "/etc/ssl/nonroot-build-ca.pem"
BUILD_CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CERT", "NODE_EXTRA_CA_CERTS", "npm_config_cafile",
                      "CURL_CA_BUNDLE")


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
class SampleFile:
    """One file of the stack's sample app: where it goes, and the template it is printed from."""

    path: str
    source: str


@dataclass(frozen=True)
class Plan:
    service_name: str
    stack: str
    distro: str
    family: str  # the family whose macros the runtime uses
    family_macros: str  # their path (families/<family>/macros.jinja)
    builder_macros: str  # the macros of the builder's family
    stack_macros: str  # the stack's macros (stacks/<stack>/macros.jinja)
    shell_less: bool
    installs_python: bool  # the family's install_python applies
    runtime_lacks_python: bool  # and the runtime image has no python3 of its own
    runtime_prelude: bool  # the family's runtime_prelude applies
    builder_prelude: bool  # the builder is the family's own image: its runtime_prelude applies there too
    runtime_base_stage: bool  # a stage named runtime-base, whose accounts the builder reads
    runtime_env: bool  # the stack's runtime_env applies
    runtime_install: bool  # the stack's runtime_install applies
    copy_ca_bundle: bool  # a runtime with no CA bundle, a stack that needs one: the builder's
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
    probe_binary: str = ""  # the probe the builder makes (a stack without an interpreter, with a health path)
    env: tuple[tuple[str, str], ...] = ()  # the running service's environment, PORT first
    builder_family: str = ""  # the family of the builder image
    build_packages: tuple[str, ...] = ()  # installed in the builder stage
    runtime_packages: tuple[str, ...] = ()  # installed in the runtime stage (single: also build_packages)
    python_deps: str = ""
    installs_project: bool = False  # pyproject, poetry: the project itself goes into the venv
    package_manager: str = ""  # node: npm, yarn or pnpm
    build_ca_cert: str = ""  # a PEM bundle in the repository, trusted by the builder stages only
    build_args: tuple[str, ...] = ()  # package index settings passed to the builder, never baked in
    # The build step (build_command, a stack with build_step): an argv (exec-form RUN) or a
    # shell line; "" for none. Run where the stage has the code and every dependency (issue 22).
    build_command: str | tuple[str, ...] = ""
    copies_context: bool = False  # the builder copies the build context, minus build_ca_cert, for the runtime
    go_package: str = ""
    artifact: str = ""
    kubernetes: bool = False
    drop_lines: tuple[tuple[str, ...], ...] = ()  # the drop tool's command line, line by line
    runtime_name: str = ""  # what the stack's runtime images are called in comments
    dev_mounts: tuple[str, ...] = ()  # compose.dev.yaml's source bind mounts
    dev_volumes: tuple[str, ...] = ()  # and their named volumes
    sample_files: tuple[SampleFile, ...] = ()  # the sample app (sample_app), plain files
    sample_scripts: tuple[SampleFile, ...] = ()  # and its executable ones
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
    def drop_argv(self) -> tuple[str, ...]:
        return tuple(word for line in self.drop_lines for word in line)


# ------------------------------------------------------------------- the rows
def stack_row(answers: Mapping[str, Any]) -> Stack:
    """The answered stack's row (the default's while the answer is none of the choices:
    Copier refuses it as one)."""
    return STACKS.get(str(answers.get("stack") or DEFAULT_STACK)) or STACKS[DEFAULT_STACK]


def family_row(answers: Mapping[str, Any]) -> Family:
    return FAMILIES.get(str(answers.get("distro") or DEFAULT_FAMILY)) or FAMILIES[DEFAULT_FAMILY]


def default_base_image(stack: str, distro: str) -> str:
    """The stack's image for the family; a stack without one runs on the family's own image
    ("" where the stack does not run on the family)."""
    row = STACKS.get(stack)
    if row is None or distro not in row.families or distro not in FAMILIES:
        return ""
    return row.images.get(distro) or FAMILIES[distro].image


def default_builder_image(stack: str, distro: str, base_image: str) -> str:
    row, family = STACKS[stack], FAMILIES[distro]
    if row.builder_image:
        return row.builder_image
    return row.shell_less_builder if family.shell_less else base_image


def default_command(stack: str, answers: Mapping[str, Any]) -> list[str]:
    """What starts the sample (or the artifact, or the binary: the row's command), run in
    /app. A stack whose command is its sample's has nothing to start without the sample: []
    (the answer is asked for, never the sample's path)."""
    row = STACKS[stack]
    if row.command_is_sample and answers.get("sample_app") is False:
        return []
    return list(row.command(answers))


def default_health_path(stack: str, sample_app: bool = True) -> str:
    """The samples answer the row's path ("": the artifact's is the team's own). A service of
    one's own with no route found gets a check of its port, never an invented path."""
    path = STACKS[stack].health_path
    return path if not path or sample_app else TCP_HEALTH


def default_drop_tool(distro: str) -> str:
    tools = FAMILIES[distro].drop_tools
    return tools[0] if tools else "setpriv"


def has_builder(stack: Stack, family: Family, layout: str) -> bool:
    return (layout == "multi" and stack.builds) or family.shell_less


def layout_of(stack: Stack, answers: Mapping[str, Any]) -> str:
    layout = str(answers.get("layout") or "multi")
    return layout if layout in stack.layouts else stack.layouts[0]


def _health(stack: Stack, family: Family, port: int, path: str, privilege: str) -> Health | None:
    """The probe of `path` (None: no health_path). In the image it runs with the stack's
    own runtime or a probe built in the builder; a stack with neither has none, and under
    `drop` the engine would run it as root (no USER): Kubernetes's httpGet only."""
    if not path:
        return None
    tcp = path == TCP_HEALTH
    probe = stack.tcp_probe if tcp else stack.health_probe
    if privilege == "drop" or not probe:
        return Health("" if tcp else path, tcp=tcp)
    interpreter = stack.shell_less_interpreter if family.shell_less else (stack.interpreters or ("",))[0]
    values = {"url": f"http://127.0.0.1:{port}{path}", "port": port, "interpreter": interpreter,
              "probe": stack.probe_binary}
    return Health("" if tcp else path, tuple(word.format(**values) for word in probe), tcp=tcp)


def _argv(stack: Stack, family: Family, command: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(entry, args): on a shell-less runtime the interpreter as ENTRYPOINT, else () and all;
    a shell line (a string) runs as `sh -c` with its last command exec'd (shell_line.py)."""
    if isinstance(command, str):
        return (), shell_line.argv(command)
    argv = tuple(str(c) for c in command) if command else ()
    if family.shell_less and argv and argv[0] in stack.interpreters:
        return (stack.shell_less_interpreter,), argv[1:]
    return (), argv


def _build_command(stack: Stack, value: Any) -> str | tuple[str, ...]:
    """build_command as the plan keeps it: a tuple for an argv, a str for a shell line
    ("" for a stack without a build step: go builds with go build, generic ships an
    artifact built elsewhere)."""
    if not stack.build_step or not value:
        return ""
    return value.strip() if isinstance(value, str) else tuple(str(word) for word in value)


def _sample(stack: Stack, answers: Mapping[str, Any]) -> tuple[tuple[SampleFile, ...], tuple[SampleFile, ...]]:
    """The sample app's files (sample_app), plain and executable."""
    if not answers.get("sample_app", True):
        return (), ()
    files = [SampleFile(item, f"{stack.name}/sample/{item}") if isinstance(item, str) else SampleFile(*item)
             for item in stack.sample(answers)]
    files = [SampleFile(f.path, f"hooks/nonroot/stacks/{f.source}.jinja") for f in files]
    scripts = tuple(f for f in files if f.source in EXECUTABLE_FILES)
    return tuple(f for f in files if f not in scripts), scripts


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _health_path(answers: Mapping[str, Any], stack: Stack) -> str:
    path = answers.get("health_path")
    return stack.health_path if path is None else str(path)


def build_plan(answers: Mapping[str, Any]) -> Plan:
    """The plan for one set of answers (Copier's, or a service's answers file)."""
    stack, family = stack_row(answers), family_row(answers)
    layout = layout_of(stack, answers)
    shell_less = family.shell_less
    builder = has_builder(stack, family, layout)
    base_image = answers.get("base_image") or default_base_image(stack.name, family.name)
    builder_image = (answers.get("builder_image") or default_builder_image(stack.name, family.name, base_image)
                     ) if builder else ""
    user, group = str(answers.get("user") or "app"), str(answers.get("group") or answers.get("user") or "app")
    uid = int(answers.get("uid") or 10001)
    gid = int(answers.get("gid") or uid)
    privilege = answers.get("privilege") or "user"
    drop = privilege == "drop"
    drop_tool_name = (answers.get("drop_tool") or default_drop_tool(family.name)) if drop else ""
    drop_style = (answers.get("drop_style") or "entrypoint") if drop else ""
    init = bool(answers.get("init")) and family.init_path is not None
    command = answers.get("command") or default_command(stack.name, answers)
    entry, args = _argv(stack, family, command)
    writable = tuple(str(p) for p in answers.get("writable_paths") or ())
    owner_gid = 0 if privilege == "openshift" else gid
    image_account = (stack.image_account if not shell_less else None) or family.image_account
    reuse = image_account is not None and (user, uid) == image_account and (
        stack.image_account == image_account or gid == uid)
    port = int(answers.get("port") or 8080)
    health_path = _health_path(answers, stack)
    run_gid = owner_gid
    home = bool(answers.get("home"))
    home_path = f"/home/{user}" if home else "/nonexistent"
    labels = ((f"{LABEL_PREFIX}.user", f"{uid}:{run_gid}"),
              (f"{LABEL_PREFIX}.writable-paths", " ".join(writable + ((home_path,) if home else ()))))
    env = {str(k): scalar(v) for k, v in (answers.get("env") or {}).items()}
    builder_family = FAMILIES[stack.builder_family or family.builder_family or family.name]
    sample_files, sample_scripts = _sample(stack, answers)
    build_command = _build_command(stack, answers.get("build_command"))
    # The source mounted over the image's code for development; not with a build step, whose
    # outputs (dist/, collected static files) a mount of the source would hide.
    dev_mounts, dev_volumes = ((), ()) if build_command else (stack.dev_mounts, stack.dev_volumes)
    own = {"python_deps": "", "installs_project": False, "package_manager": "", "go_package": "", "artifact": "",
           **stack.own_answers(answers)}
    return Plan(
        service_name=str(answers.get("service_name") or "my-service"),
        stack=stack.name, distro=family.name, family=family.include,
        family_macros=macros_path("families", family.include),
        builder_macros=macros_path("families", builder_family.include),
        stack_macros=macros_path("stacks", stack.name), shell_less=shell_less,
        installs_python=family.installs_python and "python3" in stack.interpreters,
        runtime_lacks_python=family.lacks_python and "python3" in stack.interpreters,
        runtime_prelude=family.runtime_prelude,
        builder_prelude=builder and family.runtime_prelude and builder_family.include == family.include,
        runtime_base_stage=family.reads_runtime_accounts, runtime_env=stack.runtime_env,
        runtime_install=stack.runtime_install, copy_ca_bundle=family.scratch and stack.needs_ca_bundle,
        layout=layout,
        base_image=base_image, builder_image=builder_image, builder=builder,
        user=user, group=group, uid=uid, gid=gid, home=home, home_path=home_path,
        privilege=privilege, drop_tool=drop_tool_name, drop_style=drop_style,
        entrypoint_script=drop and drop_style == "entrypoint",
        install_drop_tool=drop and drop_tool_name not in family.builtin_drop_tools,
        drop_lines=tuple(tuple(word.format(uid=uid, gid=gid) for word in line)
                         for line in drop_tool(drop_tool_name).lines) if drop else (),
        reuse_account=reuse,
        run_uid=uid, run_gid=run_gid, owner_gid=owner_gid,
        init=init, init_path=(family.init_path or "") if init else "",
        entry=entry, args=args, writable_paths=writable, port=port,
        health=_health(stack, family, port, health_path, privilege),
        build_ca_cert=str(answers.get("build_ca_cert") or "") if builder else "",
        build_args=stack.build_args if builder else (),
        build_command=build_command,
        copies_context=stack.copies_context,
        kubernetes=bool(answers.get("kubernetes")),
        builder_family=builder_family.include,
        build_packages=tuple(map(str, answers.get("build_packages") or ())) if builder and stack.builds else (),
        runtime_packages=tuple(map(str, [*(answers.get("runtime_packages") or ()),
                                         *((answers.get("build_packages") or ()) if not builder else ())])),
        # HOME stated in the image, the same under every privilege model: setpriv keeps root's,
        # an arbitrary UID (OpenShift) has no passwd line to read it from.
        env=(("PORT", str(port)), *((("HOME", home_path),) if "HOME" not in env else ()), *env.items()),
        probe_binary=stack.probe_binary if privilege != "drop" and health_path else "",
        runtime_name=stack.runtime_name or "language",
        dev_mounts=dev_mounts, dev_volumes=dev_volumes,
        sample_files=sample_files, sample_scripts=sample_scripts,
        labels=labels,
        **own,
    )


# ------------------------------------------------------- the rendered values
def exec_form(items: Any) -> str:
    """Items of an exec-form array (JSON strings, comma separated), without brackets."""
    return ", ".join(json.dumps(str(item)) for item in items)


def dockerfile_value(value: str) -> str:
    """A Dockerfile ENV value: double-quoted, with no variable substitution."""
    return json.dumps(value).replace("$", "\\$")


def compose_value(value: str) -> str:
    """A compose environment value: double-quoted, with no interpolation."""
    return json.dumps(value).replace("$", "$$")
