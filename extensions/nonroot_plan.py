"""Copier's side of the plan (loaded through copier-template-extensions' loader).

PlanContext puts `plan` (hooks/nonroot/plan.py's Plan) into the context of every rendered
file, computed once per set of answers; the globals give copier.yml its defaults, its
choices and answer checks (checks.py, from the rows) and the defaults detected in an
existing repository (scaffold/detect.py), so copier.yml holds only questions.

The package is this template version's hooks/nonroot, imported under a name of its own
(`nonroot_template_<digest of its files>`), never an installed nonroot: `copier update`
renders the old and the new version in one process, each with its own plan and rows.
"""
from __future__ import annotations

import json
import os
import sys
from hashlib import sha1
from collections.abc import Mapping
from functools import partial
from importlib import import_module
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from typing import Any

from copier_template_extensions import ContextHook
from jinja2 import FileSystemBytecodeCache, Undefined, pass_context

_PACKAGE = Path(__file__).resolve().parents[1] / "hooks" / "nonroot"


def _content_key(folder: Path) -> str:
    """A digest of every file in FOLDER (path, executable bit, bytes; __pycache__ left out)."""
    digest = sha1()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(folder)}\0{os.access(path, os.X_OK):d}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def template_package(folder: Path = _PACKAGE) -> str:
    """Import the nonroot package in `folder` under a name of its own; its modules are then
    imported as usual (relative imports inside), as `<name>.plan` and so on.

    The name is a digest of the package's files: Copier renders from a fresh clone of the
    template every time (three renders and up to five clones for one `copier update`), and the
    same code is imported once per process, while two versions never share a module. The
    package reads its folders only while it is imported (catalog.py), so a later render from
    another clone of the same code needs only its import path moved to that clone, for the
    modules imported on demand."""
    name = "nonroot_template_" + _content_key(folder)
    package = sys.modules.get(name)
    if package is None:
        spec = spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
        package = module_from_spec(spec)
        sys.modules[name] = package
        try:
            spec.loader.exec_module(package)
        except BaseException:
            del sys.modules[name]
            raise
        return name
    for module_name, module in list(sys.modules.items()):
        if module_name == name or module_name.startswith(name + "."):
            if getattr(module, "__path__", None) is not None:  # a package: where its submodules are found
                module.__path__[:] = [str(folder.joinpath(*module_name.split(".")[1:]))]
    return name


_NAME = template_package()
plan = import_module(f"{_NAME}.plan")
checks = import_module(f"{_NAME}.checks")

# The answers a plan needs; contexts without them (questions being asked) get no plan.
_NEEDED = ("service_name", "stack", "distro", "base_image", "uid", "gid", "privilege", "writable_paths")


def _answers(context: Any) -> dict[str, Any]:
    return {key: value for key, value in dict(context).items()
            if not key.startswith("_") and key != "UNSET" and not isinstance(value, Undefined) and not callable(value)}


def _destination(context: Any) -> Any:
    conf = context["_copier_conf"]  # a mapping while questions are asked, an object later
    return conf["dst_path"] if isinstance(conf, Mapping) else conf.dst_path


def _org_pinned(context: Any, question: str) -> bool:
    """The organisation pinned this answer in Copier's settings `defaults:` and the service
    has neither recorded one nor been given one (-d): then it is policy, not a developer's
    question. (Copier drops a hidden answer given with -d when `copier update` renders the
    new version a second time, so an answer given on purpose must not be hidden.)"""
    from copier import load_settings

    try:
        if question not in (load_settings().defaults or {}):
            return False
        conf = context["_copier_conf"]
        if question in ((conf["data"] if isinstance(conf, Mapping) else conf.data) or {}):
            return False  # answered on purpose (-d, --data-file): asked and recorded like any answer
        answers_file = conf["answers_file"] if isinstance(conf, Mapping) else conf.answers_file
        recorded = Path(str(_destination(context))) / str(answers_file)
        return not (recorded.is_file() and f"\n{question}:" in "\n" + recorded.read_text())
    except Exception:  # noqa: BLE001 - unreadable settings or answers: ask, as before
        return False


def _detected(cache: dict[str, Any], context: Any, question: str) -> Any:
    """What hooks/nonroot/scaffold/detect.py reads off the repository Copier writes into (plain
    `copier copy` into an existing repository gets the same defaults as `nonroot new`);
    None for an empty or new folder (the samples' defaults), or where detection cannot
    run (Python < 3.11 has no tomllib)."""
    folder = Path(str(_destination(context)))
    key = str(folder.resolve()) if folder.is_dir() else ""
    if not key or not any(p.name != ".git" for p in folder.iterdir()):
        return None
    if key not in cache:
        try:
            cache[key] = import_module(f"{_NAME}.scaffold.detect").detect(folder)
        except Exception:  # noqa: BLE001 - no detection: the template's own defaults
            cache[key] = None
    return cache[key].get(question) if cache[key] is not None else None


def _detected_command(cache: dict[str, Any], context: Any, port: Any) -> Any:
    """The detected command, following the port answered (a `{port}` in it becomes it)."""
    if _detected(cache, context, "command") is None:
        return None
    return cache[str(Path(str(_destination(context))).resolve())].answers(int(port))["command"]


class CompiledTemplates(FileSystemBytecodeCache):
    """The template files compiled once per machine (Jinja's bytecode cache, in Jinja's own
    private per-user folder of the temp directory), the way Python keeps compiled modules.
    Compiling is a fifth of a render; `copier update` renders the old and the new version,
    whose files are mostly the same, and a fleet renders every service.

    Copier renders each version from a fresh clone, so the key leaves the file's path out: it is
    the template's name and the environment's syntax, and Jinja recompiles whenever the
    source's checksum (kept with the code) differs."""

    def __init__(self, environment) -> None:
        super().__init__()
        self._environment = environment
        self._syntax = ""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        if not self._syntax:  # complete only once every extension is loaded
            env = self._environment
            self._syntax = repr((
                type(env).__name__, env.sandboxed, sorted(getattr(env, "intercepted_binops", ())),
                env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
                env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
                env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
                env.finalize is not None, env.is_async, "name" if callable(env.autoescape) else env.autoescape,
                sorted(env.extensions)))
        return sha1(f"{self._syntax}\0{name}".encode()).hexdigest()

    # A cache never stops a render: an entry that cannot be read is compiled again, and one
    # that cannot be written (a full or read-only disk) is not kept.
    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged entry (any unpickling error): compile
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _compiled_templates(environment) -> CompiledTemplates | None:
    try:
        return CompiledTemplates(environment)
    except (OSError, RuntimeError):  # no private temp folder can be had: compile every time
        return None


_QUESTIONS: list[tuple[str, dict[str, Any]]] = []  # copier.yml's questions, in order, read once


def _questions() -> list[tuple[str, dict[str, Any]]]:
    if not _QUESTIONS:
        import yaml

        config = yaml.safe_load((Path(__file__).resolve().parents[1] / "copier.yml").read_text()) or {}
        _QUESTIONS.extend((name, spec) for name, spec in config.items()
                          if not name.startswith("_") and isinstance(spec, dict))
    return _QUESTIONS


def _as_answer(kind: str, value: Any) -> Any:
    """A rendered default as Copier casts it (enough to decide `when` and `ask`)."""
    import yaml

    if not isinstance(value, str):
        return value
    if kind == "bool":
        return value.strip().lower() in ("true", "yes", "y", "on", "1")
    if kind == "int":
        return int(value) if value.strip().lstrip("+-").isdigit() else value
    if kind == "yaml":
        try:
            return yaml.safe_load(value)
        except yaml.YAMLError:
            return value
    return value


def _question_number(environment, context: Any, name: str) -> str:
    """"(4 of 15)", a help's first line: where NAME is among the questions this run will ask,
    the ones not yet answered taking their defaults (their `when` and `ask` decided as Copier
    does). "(question)" where it cannot tell."""
    try:
        given = context["_copier_conf"]["data"] or {}
        values = {**context.get_all(), **_answers(context)}
        asked: list[str] = []
        for question, spec in _questions():
            def render(key: str, default: Any = True) -> Any:
                raw = spec.get(key, default)
                return environment.from_string(raw).render(values) if isinstance(raw, str) else raw
            if question not in values and "default" in spec:
                values[question] = _as_answer(str(spec.get("type", "str")), render("default"))
            shown = all(str(render(key)).strip().lower() in ("true", "yes", "1", "on") for key in ("when", "ask"))
            if shown and question not in given:
                asked.append(question)
        return f"({asked.index(name) + 1} of {len(asked)})" if name in asked else "(question)"
    except Exception:  # noqa: BLE001 - a count is a courtesy: never stop a question for it
        return "(question)"


def _wrap_the_refusal_toolbar() -> None:
    """Let the prompt's validation toolbar wrap: prompt_toolkit makes it one line high, so at 80
    columns Copier's prefix ("Validation error for question 'service_name': ") left a few words
    of the reason. Runs while a prompt is on screen (a validator is rendering); nothing otherwise."""
    try:
        from prompt_toolkit.application import get_app_or_none
        from prompt_toolkit.filters import has_validation_error, to_filter
        from prompt_toolkit.layout import ConditionalContainer, Window
    except ImportError:  # Copier without a terminal prompt
        return
    app = get_app_or_none()
    if app is None or not app.is_running:
        return
    for container in app.layout.walk():
        if (isinstance(container, ConditionalContainer) and container.filter is has_validation_error
                and isinstance(container.content, Window)):
            container.content.height = None  # as many lines as the message needs
            container.content.wrap_lines = to_filter(True)


def _refusals_wrap(environment) -> None:
    """While a question is asked, the only templates Copier renders are its validators: a
    non-empty one is a refusal, shown whole (_wrap_the_refusal_toolbar)."""
    base = environment.template_class

    class Template(base):  # Jinja's documented way to change how an environment's templates render
        def render(self, *args: Any, **kwargs: Any) -> str:
            text = super().render(*args, **kwargs)
            if text.strip():
                _wrap_the_refusal_toolbar()
            return text

    environment.template_class = Template


class PlanContext(ContextHook):
    """`plan` in every rendered file's context, and the plan's helpers as globals."""

    def __init__(self, environment):
        super().__init__(environment)
        _refusals_wrap(environment)
        if environment.bytecode_cache is None:
            environment.bytecode_cache = _compiled_templates(environment)
        self._plans: dict[str, Any] = {}
        detections: dict[str, Any] = {}  # Detection per destination, read once

        def answered(function):  # called from Jinja with its arguments; the answers so far added last
            return pass_context(lambda ctx, *args: function(*args, _answers(ctx)))

        def answered_question(check):  # a check of question Q's answer, given the answers so far
            return pass_context(lambda ctx, q: check(q, ctx.get(q), _answers(ctx)))

        environment.globals.update(
            default_base_image=plan.default_base_image,
            default_builder_image=plan.default_builder_image,
            default_command=answered(plan.default_command),
            default_health_path=plan.default_health_path,
            default_drop_tool=plan.default_drop_tool,
            health_path_error=checks.health_path_error,
            env_error=checks.env_error,
            command_error=answered(checks.command_error),
            org_pinned=pass_context(_org_pinned),
            detected=pass_context(partial(_detected, detections)),
            detected_command=pass_context(partial(_detected_command, detections)),
            stack_help=checks.stack_help,
            choices=answered(checks.choices),
            asks=answered(checks.asks),
            needs_builder=answered(checks.needs_builder),
            stack_row=answered(plan.stack_row),
            family_row=answered(plan.family_row),
            stack_check=pass_context(lambda ctx, q: checks.stack_check(q, _answers(ctx), str(_destination(ctx)))),
            refusal=answered(checks.refusal),
            init_error=answered(checks.init_error),
            build_ca_cert_error=pass_context(lambda ctx: checks.build_ca_cert_error(ctx.get("build_ca_cert"), _answers(ctx))),
            packages_error=answered_question(checks.packages_error),
            image_reference_error=answered_question(checks.image_reference_error),
            id_error=answered_question(checks.id_error),
            build_command_error=pass_context(lambda ctx: checks.build_command_error(ctx.get("build_command"),
                                                                                    _answers(ctx))),
            question_number=pass_context(partial(_question_number, environment)),
        )
        environment.filters["exec_form"] = plan.exec_form
        environment.filters["dockerfile_value"] = plan.dockerfile_value
        environment.filters["compose_value"] = plan.compose_value

    def hook(self, context: dict[str, Any]) -> None:
        if not all(key in context for key in _NEEDED):
            return
        answers = _answers(context)
        key = json.dumps(answers, sort_keys=True, default=str)
        if key not in self._plans:
            self._plans[key] = plan.build_plan(answers)
        context["plan"] = self._plans[key]
