"""The plan layer (hooks/nonroot/plan.py): one pure function from the answers and the rows
to every decision the template prints, and the folders' fixed macro sets."""
from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from helpers import ROOT
from nonroot import catalog, checks
from nonroot import plan as plans
from nonroot.families import debian
from nonroot.stacks import go, node, python
from nonroot.scaffold.project import load_expectations


def test_the_plan_is_a_pure_function_of_the_answers():
    answers = {"stack": "node", "distro": "alpine", "uid": 12000, "writable_paths": ["/data"]}
    assert plans.build_plan(answers) == plans.build_plan(dict(answers))


def test_openshift_runs_in_group_zero_and_its_writable_paths_belong_to_group_zero():
    plan = plans.build_plan({"privilege": "openshift", "uid": 12000, "gid": 12001})
    assert (plan.run_uid, plan.run_gid, plan.owner_gid) == (12000, 0, 0)
    assert dict(plan.labels)["io.nonroot.user"] == "12000:0"


def test_drop_runs_as_the_target_identity_and_labels_it():
    plan = plans.build_plan({"privilege": "drop", "uid": 12000, "gid": 12001, "writable_paths": ["/data", "/srv/x"]})
    assert (plan.run_uid, plan.run_gid) == (12000, 12001)
    assert dict(plan.labels) == {"io.nonroot.user": "12000:12001", "io.nonroot.writable-paths": "/data /srv/x"}


@pytest.mark.parametrize(("stack", "distro", "image"), [
    ("python", "debian", f"python:{python.VERSION}-slim-{debian.CODENAME}"),
    ("node", "debian", f"node:{node.VERSION}-{debian.CODENAME}-slim"),
    ("go", "scratch", "scratch"),
])
def test_default_runtime_images_come_from_the_one_defaults_table(stack, distro, image):
    assert plans.default_base_image(stack, distro) == image


def test_go_builds_with_the_go_line_of_the_defaults_table():
    assert plans.build_plan({"stack": "go"}).builder_image == f"golang:{go.VERSION}-{debian.CODENAME}"


def test_a_distroless_python_runs_its_venv_interpreter_as_entrypoint():
    plan = plans.build_plan({"stack": "python", "distro": "distroless"})
    assert plan.entry == ("/opt/venv/bin/python3",) and plan.args == ("/app/app/main.py",)


def test_one_image_check_refuses_what_is_not_a_reference():
    assert checks.image_reference_error("builder_image", "python:3.12\nRUN id", {}).startswith(
        "builder_image: not a valid image reference")
    assert checks.image_reference_error("base_image", "python:3.14-slim-trixie", {"distro": "debian"}) == ""


@pytest.mark.parametrize("question", ["uid", "gid"])
def test_one_id_check_serves_uid_and_gid(question):
    assert checks.id_error(question, 0, {}).startswith(f"{question}: must be 1-2147483647")
    assert "outside your organisation's range 20000-29999" in checks.id_error(
        question, 10001, {"uid_min": 20000, "uid_max": 29999})
    assert checks.id_error(question, 20001, {"uid_min": 20000, "uid_max": 29999}) == ""


def test_the_verifier_expects_what_the_plan_decided(tmp_path):
    (tmp_path / ".copier-answers.nonroot.yml").write_text(
        "service_name: svc\nuser: app\nuid: 12000\ngid: 12001\nprivilege: openshift\nwritable_paths: [/data]\n")
    expected = load_expectations(tmp_path)
    assert (expected.tag, expected.uid, expected.gid, expected.writable_paths) == ("svc:dev", 12000, 0, ["/data"])


@pytest.mark.parametrize("name", sorted({f.include for f in catalog.FAMILIES.values()}))
def test_each_family_folder_defines_exactly_the_macros_its_row_declares(name):
    for family in (f for f in catalog.FAMILIES.values() if f.include == name):
        assert _macros_of(ROOT, catalog.macros_path("families", name)) == catalog.family_macros(family)


@pytest.mark.parametrize("name", sorted(catalog.STACKS))
def test_each_stack_folder_defines_exactly_the_macros_its_row_declares(name):
    helpers = {"install", "install_venv", "install_project"}  # the stack's own, called by its macros
    assert _macros_of(ROOT, catalog.macros_path("stacks", name)) - helpers == catalog.stack_macros(catalog.STACKS[name])


def _macros_of(root: Path, include: str) -> set[str]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(root)))
    module = env.get_template(include).module
    return {name for name in dir(module) if isinstance(getattr(module, name), jinja2.runtime.Macro)}


def test_every_help_is_a_literal_block_that_fits_80_columns():
    """Copier shows a folded (>-) help as one long line cut at the terminal's width; a
    literal block's lines as written (Copier prefixes none wider than 4 columns)."""
    import yaml

    text = (ROOT / "copier.yml").read_text()
    assert "help: >" not in text
    questions = {k: v for k, v in yaml.safe_load(text).items() if isinstance(v, dict) and "help" in v}
    too_long = [(name, line) for name, q in questions.items() for line in q["help"].splitlines() if len(line) > 76]
    assert too_long == []


def _extension_module():
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location("nonroot_plan_extension_under_test", ROOT / "extensions" / "nonroot_plan.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compiled_templates_are_shared_across_clones_of_the_template_but_not_across_syntaxes():
    compiled = _extension_module().CompiledTemplates
    plain, other = jinja2.Environment(), jinja2.Environment(variable_start_string="[[", variable_end_string="]]")
    key = compiled(plain).get_cache_key
    # Copier renders each version from a fresh clone: the same name in another folder is the same key
    assert key("Dockerfile.jinja", "/tmp/copier-1/Dockerfile.jinja") == key("Dockerfile.jinja", "/tmp/copier-2/x")
    assert key("Dockerfile.jinja") != key("compose.yaml.jinja")
    assert compiled(other).get_cache_key("Dockerfile.jinja") != key("Dockerfile.jinja")


def test_a_cached_template_whose_source_changed_is_compiled_again(tmp_path):
    compiled = _extension_module().CompiledTemplates
    (tmp_path / "t.jinja").write_text("one {{ x }}")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    env.bytecode_cache = compiled(env)
    assert env.get_template("t.jinja").render(x=1) == "one 1"
    (tmp_path / "t.jinja").write_text("two {{ x }}")
    fresh = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    fresh.bytecode_cache = compiled(fresh)
    assert fresh.get_template("t.jinja").render(x=1) == "two 1"


def test_a_compiled_template_cache_that_cannot_be_read_or_written_never_stops_a_render(tmp_path):
    compiled = _extension_module().CompiledTemplates
    (tmp_path / "t.jinja").write_text("ok {{ x }}")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    cache = env.bytecode_cache = compiled(env)
    cache.directory = str(tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / (cache.pattern % cache.get_cache_key("t.jinja"))).write_bytes(b"damaged")
    assert env.get_template("t.jinja").render(x=1) == "ok 1"
    cache.directory = str(tmp_path / "not-a-folder")   # nowhere to write
    env.cache.clear()
    assert env.get_template("t.jinja").render(x=2) == "ok 2"


def _choices(question: str, answers: dict) -> dict:
    import json

    return json.loads(checks.choices(question, answers))


def test_a_family_the_stack_does_not_run_on_is_a_disabled_choice_with_its_reason():
    choices = {value if isinstance(value, str) else value["value"]: value for value in
               _choices("distro", {"stack": "python"}).values()}
    assert choices["debian"] == "debian"
    assert choices["scratch"]["validator"].startswith("scratch is an empty image with no Python runtime")
    assert set(choices) == set(catalog.FAMILIES)  # every family is shown, none taken away


def test_a_drop_tool_the_family_does_not_package_is_a_disabled_choice():
    choices = {label: value for label, value in _choices("drop_tool", {"distro": "alpine"}).items()}
    disabled = {value["value"]: value["validator"] for value in choices.values() if isinstance(value, dict)}
    assert disabled == {"setpriv": "Alpine's BusyBox has no full setpriv"}


def test_a_layout_or_privilege_the_rows_exclude_is_a_disabled_choice():
    assert "ships only the binary" in checks.refusal("layout", "single", {"stack": "go"})
    assert checks.refusal("layout", "multi", {"stack": "go"}) == ""
    assert checks.refusal("privilege", "drop", {"stack": "go", "distro": "scratch"}).startswith("drop needs a shell")


def test_the_drop_tools_command_lines_are_the_tools():
    from nonroot.drop_tools import DROP_TOOLS

    plan = plans.build_plan({"privilege": "drop", "drop_tool": "gosu", "uid": 12000, "gid": 12001})
    assert plan.drop_argv == DROP_TOOLS["gosu"].argv(12000, 12001) == ("gosu", "12000:12001")
