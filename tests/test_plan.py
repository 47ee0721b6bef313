"""The plan layer (hooks/nonroot/plan.py): one pure function from the answers to every
decision the template prints, the includes' fixed macro sets, and a toy family added
through the steps docs/contributing.md documents."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import jinja2
import pytest
from copier import run_copy

from helpers import ROOT
from nonroot import plan as plans
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
    assert plan.who == "12000:12001"
    assert dict(plan.labels) == {"io.nonroot.user": "12000:12001", "io.nonroot.writable-paths": "/data /srv/x"}


@pytest.mark.parametrize(("stack", "distro", "image"), [
    ("python", "debian", f"python:{plans.PYTHON}-slim-{plans.DEBIAN_CODENAME}"),
    ("node", "debian", f"node:{plans.NODE}-{plans.DEBIAN_CODENAME}-slim"),
    ("go", "scratch", "scratch"),
])
def test_default_runtime_images_come_from_the_one_defaults_table(stack, distro, image):
    assert plans.default_base_image(stack, distro) == image


def test_go_builds_with_the_go_line_of_the_defaults_table():
    assert plans.build_plan({"stack": "go"}).builder_image == f"golang:{plans.GO}-{plans.DEBIAN_CODENAME}"


def test_a_distroless_python_runs_its_venv_interpreter_as_entrypoint():
    plan = plans.build_plan({"stack": "python", "distro": "distroless"})
    assert plan.entry == ("/opt/venv/bin/python3",) and plan.args == ("/app/app/main.py",)


def test_one_image_check_refuses_what_is_not_a_reference():
    assert plans.image_reference_error("builder_image", "python:3.12\nRUN id", {}).startswith(
        "builder_image: not a valid image reference")
    assert plans.image_reference_error("base_image", "python:3.14-slim-trixie", {"distro": "debian"}) == ""


@pytest.mark.parametrize("question", ["uid", "gid"])
def test_one_id_check_serves_uid_and_gid(question):
    assert plans.id_error(question, 0, {}).startswith(f"{question}: must be 1-2147483647")
    assert "outside your organisation's range 20000-29999" in plans.id_error(
        question, 10001, {"uid_min": 20000, "uid_max": 29999})
    assert plans.id_error(question, 20001, {"uid_min": 20000, "uid_max": 29999}) == ""


def test_the_verifier_expects_what_the_plan_decided(tmp_path):
    (tmp_path / ".copier-answers.nonroot.yml").write_text(
        "service_name: svc\nuser: app\nuid: 12000\ngid: 12001\nprivilege: openshift\nwritable_paths: [/data]\n")
    expected = load_expectations(tmp_path)
    assert (expected.tag, expected.uid, expected.gid, expected.writable_paths) == ("svc:dev", 12000, 0, ["/data"])


def _macros(include: str) -> set[str]:
    return _macros_of(ROOT, include)


@pytest.mark.parametrize("name", sorted({f.include for f in plans.FAMILIES.values()}))
def test_each_family_include_defines_exactly_the_macros_its_row_declares(name):
    family = next(f for f in plans.FAMILIES.values() if f.include == name)
    assert _macros(f"includes/family/{name}.jinja") == plans.family_macros(family)


@pytest.mark.parametrize("name", sorted(plans.STACKS))
def test_each_stack_include_defines_exactly_the_macros_its_row_declares(name):
    assert _macros(f"includes/stack/{name}.jinja") - {"install", "install_venv", "install_project"} == plans.stack_macros(plans.STACKS[name])


def _tracked_copy(dest: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split("\n")
    for rel in filter(None, files):
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    return dest


def test_a_toy_family_added_through_the_documented_steps_renders(tmp_path):
    template = _tracked_copy(tmp_path / "template")
    # Step 1: its row in plan.py's FAMILIES (and its default images).
    plan_py = template / "hooks" / "nonroot" / "plan.py"
    text = plan_py.read_text()
    text = text.replace("FAMILIES: dict[str, Family] = {\n",
                        'FAMILIES: dict[str, Family] = {\n    "toy": Family("toy", drop_tools=("setpriv",)),\n', 1)
    text = text.replace('    "scratch": "scratch",\n}', '    "scratch": "scratch",\n    "toy": "toy:1",\n}', 1)
    plan_py.write_text(text)
    # Step 2: its include, with the macros family_macros() names for its row.
    (template / "includes" / "family" / "toy.jinja").write_text(
        "{% macro create_account(plan) -%}\nRUN toyadd --uid {{ plan.uid }} --gid {{ plan.gid }} {{ plan.user }}\n"
        "{%- endmacro %}\n"
        "{% macro install_packages(plan, packages, why) %}RUN toypkg {{ packages | join(' ') }}{% endmacro %}\n"
        "{% macro install_drop_tool(plan) %}RUN toypkg setpriv{% endmacro %}\n"
        "{% macro drop_exec(plan) %}exec setpriv --reuid={{ plan.uid }} -- \"$0\" \"$@\"{% endmacro %}\n"
        "{% macro drop_cmd(plan) %}\"setpriv\", \"--reuid={{ plan.uid }}\", \"--\"{% endmacro %}\n")
    # Step 3: its line in copier.yml's distro choices.
    copier_yml = template / "copier.yml"
    copier_yml.write_text(copier_yml.read_text().replace(
        "    scratch (empty image; static binaries only): scratch\n",
        "    scratch (empty image; static binaries only): scratch\n    toy (a test family): toy\n", 1))
    assert _macros_of(template, "includes/family/toy.jinja") == plans.family_macros(
        plans.Family("toy", drop_tools=("setpriv",)))
    dest = tmp_path / "svc"
    run_copy(str(template), str(dest), data={"verify": False, "stack": "go", "distro": "toy", "uid": 12000},
             defaults=True, unsafe=True, quiet=True)
    dockerfile = (dest / "Dockerfile").read_text()
    assert "FROM toy:1\n" in dockerfile
    assert "RUN toyadd --uid 12000 --gid 12000 app" in dockerfile
    assert "USER 12000:12000" in dockerfile


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
