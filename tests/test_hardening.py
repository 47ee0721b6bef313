"""Each security property of the image, asserted on every row of the support table it applies to
(the renders the lint test makes), so that weakening it in any family's or stack's lines fails
here by name, whatever the snapshot says: setuid/setgid files deleted, the drop tools' flags,
the clash check before the account, the numeric USER, the code owned by root, only the answered
paths writable, compose's hardening. (Kubernetes's "restricted" profile is checked on every row
by the lint test and test_k8s_validators.) Which rows a property applies to comes from the plan
of the row's answers, never from family or stack names."""
from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from nonroot.plan import Plan, build_plan
from service_files import compose_service
from test_rendered_files import SUPPORT_TABLE, _ids, _linted_answers

SETID_REMOVAL = "find / -xdev -perm /6000 -type f -delete"
# The table's IDs are all 10001:10001: its first row of each family's drop tool and style again
# with a UID and a GID that differ, so that a drop that swaps or mixes them up fails.
DISTINCT_IDS = {"uid": 12345, "gid": 23456}


def _drop_rows_with_distinct_ids() -> list[dict]:
    firsts: dict[tuple[str, str, str], dict] = {}
    for combo in SUPPORT_TABLE:
        plan = build_plan(combo)
        if plan.privilege == "drop":
            firsts.setdefault((plan.family, plan.drop_tool, plan.drop_style), {**combo, **DISTINCT_IDS})
    return list(firsts.values())


ROWS = SUPPORT_TABLE + _drop_rows_with_distinct_ids()
# Commands that install system packages, and the word before the package names.
INSTALLERS = re.compile(r"\b(?:apt-get|apk|microdnf|dnf|yum|zypper)\s+(?:install|add)\b((?:\s+[^&|;\s]+)*)")


@dataclass
class Render:
    """A row's render, with the plan of its answers."""

    row: str
    plan: Plan
    folder: Path

    @cached_property
    def stages(self) -> list[list[tuple[str, str]]]:
        """The Dockerfile's (instruction, value) pairs, a list per stage."""
        stages: list[list[tuple[str, str]]] = []
        for item in DockerfileParser(path=str(self.folder / "Dockerfile")).structure:
            if item["instruction"] == "FROM":
                stages.append([])
            if stages:
                stages[-1].append((item["instruction"], item["value"]))
        return stages

    def runtime(self, instruction: str) -> list[str]:
        """The values of INSTRUCTION in the runtime (last) stage, in order."""
        return [value for name, value in self.stages[-1] if name == instruction]

    def drop_argv(self) -> list[str]:
        """What the drop runs: the entrypoint's exec line, or the exec-form CMD."""
        if self.plan.entrypoint_script:
            script = (self.folder / "docker-entrypoint.sh").read_text().replace("\\\n", " ")
            line = next(line for line in script.splitlines() if line.strip().startswith(f"exec {self.plan.drop_tool}"))
            return shlex.split(line)[1:]
        return json.loads(self.runtime("CMD")[-1])


@pytest.fixture(scope="module")
def table(renders) -> list[Render]:
    """Every row of ROWS, rendered (the session's shared renders). Rendered from the end of the
    table: under pytest-xdist, test_rendered_files (or test_snapshot) renders it from the start on
    another worker, and each render is made once."""
    return [Render(_ids(combo), build_plan(_linted_answers(combo)), renders.shared(**_linted_answers(combo)))
            for combo in reversed(ROWS)][::-1]


def assert_every(table: list[Render], applies: Callable[[Plan], bool], check: Callable[[Render], None]) -> None:
    """CHECK(render) holds on every row whose plan APPLIES; the failures name their rows."""
    applicable = [render for render in table if applies(render.plan)]
    assert applicable, "no row of the support table has this property to check"
    failures = {}
    for render in applicable:
        try:
            check(render)
        except AssertionError as error:
            failures[render.row] = str(error).split("\nassert ")[0]
    assert not failures, f"{len(failures)} of {len(applicable)} rows: {json.dumps(failures, indent=1)}"


# ------------------------------------------------------------ setuid and setgid files
def _has_a_shell(plan: Plan) -> bool:
    return not plan.shell_less


def test_account_layer_deletes_every_setuid_and_setgid_file(table):
    def check(render: Render) -> None:
        account = next(run for run in render.runtime("RUN") if re.search(rf"\b{render.plan.uid}\b", run))
        assert account.rstrip().endswith(SETID_REMOVAL), f"the account's RUN does not end with `{SETID_REMOVAL}`"

    assert_every(table, _has_a_shell, check)


def test_no_package_installed_after_the_deletion_brings_setid_files_back(table):
    """After the deletion, only the drop tool and tini may be installed (neither has a setuid or
    setgid file), unless the RUN deletes them again."""
    def check(render: Render) -> None:
        runs = render.runtime("RUN")
        after = runs[next((i for i, run in enumerate(runs) if run.rstrip().endswith(SETID_REMOVAL)), len(runs)) + 1:]
        allowed = {render.plan.drop_tool, "tini"} - {""}
        for run in after:
            packages = {name for names in INSTALLERS.findall(run) for name in names.split() if name[0] != "-"}
            assert packages <= allowed or run.rstrip().endswith(SETID_REMOVAL), (
                f"{run!r} installs {sorted(packages - allowed)} after the setuid/setgid deletion")

    assert_every(table, _has_a_shell, check)


def test_shell_less_runtime_runs_nothing(table):
    def check(render: Render) -> None:
        assert render.runtime("RUN") == []

    assert_every(table, lambda plan: plan.shell_less, check)


# --------------------------------------------------------------------- the drop tools
def _setpriv(plan: Plan) -> bool:
    return plan.drop_tool == "setpriv"


def test_setpriv_switches_to_the_numeric_uid_and_gid(table):
    def check(render: Render) -> None:
        argv = render.drop_argv()
        assert argv[0] == "setpriv" and {f"--reuid={render.plan.uid}", f"--regid={render.plan.gid}"} <= set(argv), argv

    assert_every(table, _setpriv, check)


def test_setpriv_clears_the_supplementary_groups(table):
    def check(render: Render) -> None:
        argv = render.drop_argv()
        assert "--clear-groups" in argv and not {"--init-groups", "--keep-groups"} & set(argv), argv

    assert_every(table, _setpriv, check)


def test_setpriv_sets_no_new_privs(table):
    def check(render: Render) -> None:
        assert "--no-new-privs" in render.drop_argv(), render.drop_argv()

    assert_every(table, _setpriv, check)


def test_setpriv_leaves_no_inheritable_capability(table):
    def check(render: Render) -> None:
        assert "--inh-caps=-all" in render.drop_argv(), render.drop_argv()

    assert_every(table, _setpriv, check)


def test_gosu_and_su_exec_switch_to_the_numeric_uid_and_gid(table):
    def check(render: Render) -> None:
        argv = render.drop_argv()
        assert argv[:2] == [render.plan.drop_tool, f"{render.plan.uid}:{render.plan.gid}"], argv

    assert_every(table, lambda plan: plan.drop_tool not in ("", "setpriv"), check)


def _drops(plan: Plan) -> bool:
    return plan.privilege == "drop"


def test_the_drop_runs_the_app_and_nothing_runs_before_it_but_fixing_owners(table):
    def check(render: Render) -> None:
        plan, argv = render.plan, render.drop_argv()
        init = [plan.init_path, "--"] if plan.init and not plan.entrypoint_script else []
        tail = ["$0", "$@"] if plan.entrypoint_script else [*init, *plan.argv]
        assert argv[-len(tail):] == tail, argv
        if plan.entrypoint_script:
            script = (render.folder / "docker-entrypoint.sh").read_text()
            branch = script.split('if [ "$(id -u)" = "0" ]; then\n', 1)[1].split("\nfi\n", 1)[0]
            before = [line.strip() for line in branch.split("    exec ", 1)[0].splitlines()]
            assert before == [f"fix_owner {path}" for path in plan.writable_paths], before
            assert render.runtime("ENTRYPOINT") == ['["docker-entrypoint.sh"]'], render.runtime("ENTRYPOINT")
        else:
            assert render.runtime("ENTRYPOINT") == [], render.runtime("ENTRYPOINT")

    assert_every(table, _drops, check)


def test_drop_image_has_no_healthcheck_the_engine_would_run_as_root(table):
    def check(render: Render) -> None:
        assert render.runtime("HEALTHCHECK") == [], "a HEALTHCHECK runs as the image's user: root"
        assert set(render.runtime("USER")) <= {"0"}, render.runtime("USER")  # UBI's prelude: root, to drop

    assert_every(table, _drops, check)


# ------------------------------------------------------------------------ the account
def _adds_to_the_base_accounts(plan: Plan) -> bool:
    """The account is added to the base image's own passwd and group (scratch's are written
    from nothing; a reused account is the image's own)."""
    return not plan.reuse_account and (not plan.shell_less or plan.runtime_base_stage)


def test_account_creation_stops_on_a_clash_with_the_base_images_accounts(table):
    def check(render: Render) -> None:
        plan = render.plan
        runs = [" ".join(run.split()) for stage in render.stages for name, run in stage if name == "RUN"]
        passwd = rf"grep -E '\^\({re.escape(plan.user)}\|\[\^:\]\*:\[\^:\]\*:{plan.uid}\):' \S+/passwd"
        group = rf"grep -E '\^\({re.escape(plan.group)}\|\[\^:\]\*:\[\^:\]\*:{plan.gid}\):' \S+/group"
        checked = [m for m in (re.search(rf"if {passwd} \|\| {group}; then (.*?); fi (.*)$", run) for run in runs) if m]
        assert len(checked) == 1, "no RUN looks for the user/UID in passwd and the group/GID in group"
        refusal, rest = checked[0].groups()
        assert refusal.endswith("exit 1") and ">&2" in refusal, f"the clash does not stop the build: {refusal}"
        assert rest.startswith("&& ") and re.search(rf"\b{plan.uid}\b", rest), "no account made after the check"

    assert_every(table, _adds_to_the_base_accounts, check)


def test_image_runs_as_the_numeric_user(table):
    def check(render: Render) -> None:
        runtime = render.stages[-1]
        last = max(i for i, (name, _) in enumerate(runtime) if name == "USER")
        user = runtime[last][1]
        assert re.fullmatch(r"\d+:\d+", user) and user == f"{render.plan.run_uid}:{render.plan.run_gid}", user
        after = {name for name, _ in runtime[last + 1:]} - {"COMMENT"}
        assert after <= {"ENTRYPOINT", "CMD"}, f"after USER: {after}"

    assert_every(table, lambda plan: not _drops(plan), check)


# ------------------------------------------------------------ root-owned code, writable paths
def _every(plan: Plan) -> bool:
    return True


ROOT_OWNERS = ("0:0", "root:root", "0")


def _chowned(run: str) -> list[list[str]]:
    """The arguments of each chown in a RUN, but those that give files to root (npm's
    dependencies in the single layout: root's whatever the packages recorded)."""
    chowns = [chown.split() for chown in re.findall(r"\bchown\s+([^&|;]*)", run)]
    return [words for words in chowns if not ROOT_OWNERS.count(next((w for w in words if w[0] != "-"), ""))]


def _gives_to_the_user(copy: str) -> bool:
    """A COPY/ADD that changes its files' owner to anyone but root."""
    return "--chown" in copy and not any(f"--chown={owner} " in copy for owner in ROOT_OWNERS)


def test_code_stays_owned_by_root(table):
    """No RUN changes an owner but of the writable paths; no COPY hands files to the user but
    the (empty) writable paths staged for a shell-less runtime."""
    def check(render: Render) -> None:
        paths = set(render.plan.writable_paths)
        for stage in render.stages:
            for name, value in stage:
                for words in _chowned(value) if name == "RUN" else []:
                    assert words[0][0] != "-" and set(words[1:]) == paths, f"chown of more than the paths: {value!r}"
                if name in ("COPY", "ADD") and _gives_to_the_user(value):
                    assert stage is render.stages[-1] and " /runtime-writable/" in value, value

    assert_every(table, _every, check)


def test_only_the_answered_paths_are_made_writable(table):
    """The Dockerfile, the label, the entrypoint and compose's volumes name the writable paths
    answered, and only those."""
    def check(render: Render) -> None:
        plan, paths = render.plan, list(render.plan.writable_paths)
        if plan.shell_less:
            builder = " ".join(value for stage in render.stages[:-1] for name, value in stage if name == "RUN")
            staged = dict(re.findall(r"/runtime-writable/(\d+)/(\S+)", builder))
            owner = f"--from=builder --chown={plan.uid}:{plan.owner_gid} /runtime-writable/"
            copies = [re.fullmatch(rf"{owner}(\d+)/ (\S*)/", value) for value in render.runtime("COPY")
                      if _gives_to_the_user(value)]
            assert all(copies), render.runtime("COPY")
            made = [f"{m[2]}/{staged[m[1]]}" for m in copies]
        else:
            made = [word for run in render.runtime("RUN") for words in _chowned(run) for word in words[1:]]
            owners = {words[0] for run in render.runtime("RUN") for words in _chowned(run)}
            assert owners <= {f"{plan.uid}:{plan.owner_gid}"}, owners
        assert made == paths, made
        label = dict(re.findall(r'(\S+)=("[^"]*")', " ".join(render.runtime("LABEL"))))
        assert json.loads(label["io.nonroot.writable-paths"]) == " ".join(paths), label
        if plan.entrypoint_script:
            code = [line for line in (render.folder / "docker-entrypoint.sh").read_text().splitlines()
                    if not line.lstrip().startswith("#")]
            assert [line.split()[1] for line in code if line.strip().startswith("fix_owner ")] == paths, code
            assert [line.strip() for line in code if "chown" in line] == [
                f"-exec chown -h {plan.uid}:{plan.gid} {{}} +"], code
        service = compose_service(render.folder, plan.service_name)
        assert [volume.split(":", 1)[1] for volume in service.get("volumes", [])] == paths, service.get("volumes")
        assert service["tmpfs"] == ["/tmp"], service["tmpfs"]

    assert_every(table, _every, check)


# ------------------------------------------------------------------------ compose
def test_compose_runs_every_row_hardened(table):
    def check(render: Render) -> None:
        plan = render.plan
        service = compose_service(render.folder, plan.service_name)
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], service
        assert service["security_opt"] == ["no-new-privileges:true"] and not service.get("privileged"), service
        assert service.get("user") == (None if _drops(plan) else f"{plan.run_uid}:{plan.run_gid}"), service.get("user")  # drop starts as root
        fix_owners = ["CHOWN", "DAC_READ_SEARCH"] if plan.entrypoint_script else []
        expected = sorted([*fix_owners, "SETUID", "SETGID"]) if _drops(plan) else []
        assert sorted(service.get("cap_add", [])) == expected, service.get("cap_add")

    assert_every(table, _every, check)
