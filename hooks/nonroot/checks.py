"""The answer checks that are more than a pattern, and the choices a stack or a family
cannot take, with their reasons: copier.yml's validators and choices call these
(extensions/nonroot_plan.py), and each reads the rows, so a rule is stated once, in its row.
Each returns the refusal ("" when the answer is fine)."""
from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping
from typing import Any

from .catalog import FAMILIES, STACKS
from .drop_tools import DROP_TOOLS
from .plan import TCP_HEALTH, family_row, has_builder, scalar, stack_row
from .rows import Family, Stack

# One pattern for every image reference: [registry[:port]/]name[/name...][:tag][@sha256:digest].
IMAGE_REFERENCE = re.compile(
    r"([A-Za-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?")
ID_MAX = 2147483647
OVERFLOW_IDS = (65534, 65535, 4294967294)


# ------------------------------------------------------------- the choices
def distro_refusal(stack: Stack, family: Family) -> str:
    """Why the stack does not run on the family ("": it does)."""
    if family.name in stack.families:
        return ""
    return stack.refusals.get(family.name) or f"the {stack.name} stack does not run on {family.title}"


def layout_refusal(stack: Stack, family: Family, layout: str) -> str:
    if layout not in stack.layouts:
        return stack.layout_refusal or f"the {stack.name} stack has only the {' and '.join(stack.layouts)} layout"
    if family.shell_less and layout != "multi":
        return f"{family.name} has no shell to install anything in, so it needs the multi layout (a builder stage feeds it)"
    return ""


def drop_tool_refusal(family: Family, tool: str) -> str:
    if tool in family.drop_tools or family.shell_less:
        return ""
    return family.tool_refusals.get(tool) or f"{tool} is not packaged for {family.title}"


def choices(question: str, answers: Mapping[str, Any]) -> str:
    """A choice question's choices as YAML for Copier: every row's, those the answers so far
    exclude disabled with their reason (Copier refuses them, interactively and with -d)."""
    stack, family = stack_row(answers), family_row(answers)
    if question == "stack":
        items = [(row.title, row.name, "") for row in STACKS.values()]
    elif question == "distro":
        items = [(row.choice_label, row.name, distro_refusal(stack, row)) for row in FAMILIES.values()]
    elif question == "drop_tool":
        items = [(tool.title, tool.name, drop_tool_refusal(family, tool.name)) for tool in DROP_TOOLS.values()]
    else:
        raise KeyError(question)
    return json.dumps({label: {"value": value, "validator": reason} if reason else value
                       for label, value, reason in items})


def refusal(question: str, value: str, answers: Mapping[str, Any]) -> str:
    """Why a choice of copier.yml's own (layout, privilege) is disabled ("": it is not)."""
    stack, family = stack_row(answers), family_row(answers)
    if question == "layout":
        return layout_refusal(stack, family, value)
    if question == "privilege" and value == "drop" and family.shell_less:
        return f"drop needs a shell and a drop tool in the runtime; {family.name} has neither, so use user"
    return ""


# ---------------------------------------------------------- the questions
def stack_help() -> str:
    """The stack question's help: one sentence per stack, from its row."""
    return textwrap.fill(" ".join(row.help for row in STACKS.values()), 72)


def asks(question: str, answers: Mapping[str, Any]) -> bool:
    """Whether a stack's own question applies to the stack answered (build_command: a stack
    with a build step)."""
    stack = stack_row(answers)
    return question in stack.questions or (question == "build_command" and stack.build_step)


def stack_check(question: str, answers: Mapping[str, Any], destination: str) -> str:
    check = stack_row(answers).checks.get(question)
    return check(answers, destination) if check else ""


def image_reference_error(question: str, value: Any, answers: Mapping[str, Any]) -> str:
    """The refusal for an image answer ("" when it is fine)."""
    text = value if isinstance(value, str) else ""
    if not IMAGE_REFERENCE.fullmatch(text):
        example = (", expected e.g. python:3.12-slim-bookworm or registry.example.com/team/python:3.12"
                   if question == "base_image" else "")
        return f"{question}: not a valid image reference{example} (got {json.dumps(value)})"
    family = family_row(answers)
    empty = {row.image for row in FAMILIES.values() if row.scratch}  # the empty image's reserved name
    if question == "base_image" and family.scratch != (text in empty):
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
    stack, family = stack_row(answers), family_row(answers)
    if stack.image_account and not family.shell_less:
        name, owned = stack.image_account
        user, group = answers.get("user"), answers.get("group")
        if question == "uid" and (number == owned) != (user == name):
            return (f"uid: the {stack.name} images ship the user {name} as {owned}; answer user {name} with uid "
                    f"{owned} to reuse it, or another name and uid (e.g. app, 10001), got {user} {number}")
        if question == "gid" and user == name and (number != owned or group != name):
            return f"gid: reusing the {stack.name} images' user {name} needs its group {name} {owned}, got {group} {number}"
    return ""


def init_error(answers: Mapping[str, Any]) -> str:
    family = family_row(answers)
    if answers.get("init") and family.init_path is None:
        return f"init: {family.no_init or f'there is no tini for {family.title}'}"
    return ""


def needs_builder(answers: Mapping[str, Any]) -> bool:
    """Whether the image has a builder stage (the builder_image question applies)."""
    stack, family = stack_row(answers), family_row(answers)
    return has_builder(stack, family, str(answers.get("layout") or "multi"))


HEALTH_PATH = re.compile(r"/[A-Za-z0-9._~!$&()*+,;=:@%/?-]*")


def health_path_error(value: Any) -> str:
    if value in ("", TCP_HEALTH) or (isinstance(value, str) and HEALTH_PATH.fullmatch(value) and "'" not in value):
        return ""
    return (f"health_path: must be \"\" (no probe), tcp (a check of the port) or an HTTP path starting with / "
            f"(letters, digits and URL punctuation, no spaces or quotes), got {json.dumps(value)}")


def command_error(value: Any, answers: Mapping[str, Any]) -> str:
    """The start command: an exec-form list of words, or a shell line (a string) where the
    runtime has a shell."""
    if isinstance(value, str):
        if not value.strip():
            return ("command: nothing tells how the service starts; answer it as a YAML list such as "
                    "[gunicorn, app:app] or a shell line such as \"flask db upgrade && gunicorn app:app\"")
        if "\n" in value.strip() or "\r" in value:
            return "command: a shell line must be one line (join the steps with && or ;)"
        family = family_row(answers)
        if family.shell_less:
            return (f"command: a shell line runs with sh, and {family.name} has no shell; answer the command as a "
                    "YAML list (exec form), with any start-up steps done in the build or by the service")
        return ""
    if not isinstance(value, (list, tuple)) or not value:
        return ("command: nothing tells how the service starts; answer it as a YAML list such as "
                "[gunicorn, app:app] or a shell line such as \"flask db upgrade && gunicorn app:app\"")
    for word in value:
        if not isinstance(word, str) or not word:
            return f"command: {json.dumps(word, default=str)} must be a non-empty string"
    return ""


def destination_error(destination: str, answers: Mapping[str, Any]) -> str:
    """The answer checks that read the destination folder itself, the stack's own (copier.yml
    runs them on the folder Copier writes; `nonroot new` renders aside first, then runs them
    on the real one)."""
    stack = stack_row(answers)
    return next((error for check in stack.checks.values() if (error := check(answers, destination))), "")


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def env_error(value: Any) -> str:
    if not isinstance(value, Mapping):
        return f"env: must be a YAML mapping such as {{LOG_LEVEL: info}}, got {json.dumps(value, default=str)}"
    for key, item in value.items():
        if not isinstance(key, str) or not ENV_NAME.fullmatch(key):
            return f"env: {json.dumps(key, default=str)} is not a variable name (letters, digits, _; not a digit first)"
        if key == "PORT":
            return "env: PORT is set from the port answer; answer port instead"
        if isinstance(item, (Mapping, list)) or "\n" in scalar(item):
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
    if value and question == "runtime_packages" and not family_row(answers).package_tool:
        return (f"runtime_packages: {answers.get('distro')} has no package manager; copy the files from the "
                "builder in your own stage, or use a family with one")
    return ""


def build_command_error(value: Any, answers: Mapping[str, Any]) -> str:
    """The refusal for a build_command answer ("" when it is fine): an argv (a YAML list of
    non-empty strings) or one shell line (a RUN line: no newline, no trailing backslash,
    which would join the Dockerfile's next line), or "" for none."""
    if value in ("", None) or value == []:
        return ""
    stack = stack_row(answers)
    if not stack.build_step:
        with_one = " and ".join(row.name for row in STACKS.values() if row.build_step)
        return (f"build_command: {stack.name} has no build step to run it in (only {with_one} have one; a "
                f"compiled stack builds in its own build, an artifact is built before nonroot); answer \"\"")
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
    stack, family = stack_row(answers), family_row(answers)
    if not stack.builds and not family.shell_less:
        return f"build_ca_cert: {stack.name} has no build stage to trust it"
    if answers.get("layout") == "single" and "single" in stack.layouts:
        return ("build_ca_cert: the single layout would keep it in the image's layers; answer layout multi "
                "(the builder stage trusts it, the runtime never gets it)")
    return ""
