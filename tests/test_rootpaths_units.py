"""The sudoers, doas.conf and account-file parsing behind the path-to-root check, on small texts."""
from __future__ import annotations

from nonroot.verifier.rootpaths import (Accounts, doas_grants, empty_password, last_full_grant, parse_accounts,
                               command_grants, subject, sudo_grants, sudoers_lines)

PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:10001:10001::/home/app:/bin/sh
other:x:10002:10002::/home/other:/bin/sh
"""
GROUP = """root:x:0:
sudo:x:27:app
wheel:x:10:
app:x:10001:
other:x:10002:
"""


def accounts(shadow: str | None = None) -> Accounts:
    return parse_accounts(PASSWD, GROUP, shadow)


def app(*extra_gids: int):
    return subject(10001, {10001, *extra_gids}, accounts())


def other():
    return subject(10002, {10002}, accounts())


def full(files: dict[str, str], who) -> bool:
    grant = last_full_grant(sudo_grants(files, who))
    return grant is not None and grant.nopass


def test_nopasswd_all_for_the_user_is_full_root_without_a_password():
    assert full({"/etc/sudoers": "app ALL=(ALL) NOPASSWD:ALL\n"}, app())


def test_a_rule_for_another_user_does_not_match():
    assert not full({"/etc/sudoers": "app ALL=(ALL) NOPASSWD:ALL\n"}, other())


def test_a_rule_with_a_password_is_not_passwordless():
    grant = last_full_grant(sudo_grants({"/etc/sudoers": "%sudo ALL=(ALL:ALL) ALL\n"}, app(27)))
    assert grant is not None and not grant.nopass


def test_group_rules_match_by_membership_in_etc_group():
    assert full({"/etc/sudoers": "%sudo ALL=(ALL) NOPASSWD: ALL\n"}, app(27))
    assert not full({"/etc/sudoers": "%wheel ALL=(ALL) NOPASSWD: ALL\n"}, app(27))


def test_numeric_user_and_group_items_match():
    assert full({"/etc/sudoers": "#10001 ALL=(root) NOPASSWD: ALL\n"}, app())
    assert full({"/etc/sudoers": "%#10001 ALL=(root) NOPASSWD: ALL\n"}, app())


def test_all_users_means_everyone():
    assert full({"/etc/sudoers": "ALL ALL=(ALL) NOPASSWD: ALL\n"}, other())


def test_a_negated_user_in_the_list_is_excluded():
    assert not full({"/etc/sudoers": "ALL, !app ALL=(ALL) NOPASSWD: ALL\n"}, app())


def test_user_and_command_aliases_are_expanded():
    text = "User_Alias ADMINS = bob, app\nCmnd_Alias EVERYTHING = ALL\nADMINS ALL = NOPASSWD: EVERYTHING\n"
    assert full({"/etc/sudoers": text}, app())


def test_a_later_rule_with_a_password_wins_over_an_earlier_nopasswd():
    text = "app ALL=(ALL) NOPASSWD: ALL\napp ALL=(ALL) PASSWD: ALL\n"
    assert not full({"/etc/sudoers": text}, app())


def test_runas_another_user_is_not_root():
    assert not full({"/etc/sudoers": "app ALL=(other) NOPASSWD: ALL\n"}, app())
    assert not full({"/etc/sudoers": "app ALL=(:wheel) NOPASSWD: ALL\n"}, app())


def test_no_runas_means_root():
    assert full({"/etc/sudoers": "app ALL = NOPASSWD: ALL\n"}, app())


def test_defaults_not_authenticate_makes_rules_passwordless():
    text = "Defaults:app !authenticate\napp ALL=(ALL) ALL\n"
    assert full({"/etc/sudoers": text}, app())
    assert not full({"/etc/sudoers": text.replace("app ALL", "other ALL")}, app())


def test_defaults_for_running_as_root_count_and_for_another_target_do_not():
    assert full({"/etc/sudoers": "Defaults>root !authenticate\napp ALL=(ALL) ALL\n"}, app())
    assert not full({"/etc/sudoers": "Defaults>other !authenticate\napp ALL=(ALL) ALL\n"}, app())


def test_comments_and_continuations():
    text = "# app ALL=(ALL) NOPASSWD: ALL\napp ALL=(ALL) \\\n  NOPASSWD: ALL  # trailing comment\n"
    lines = list(sudoers_lines({"/etc/sudoers": text}))
    assert lines == [("/etc/sudoers:2", "app ALL=(ALL)    NOPASSWD: ALL")]
    assert full({"/etc/sudoers": text}, app())


def test_includedir_reads_files_in_order_and_skips_names_with_a_dot():
    files = {"/etc/sudoers": "root ALL=(ALL) ALL\n@includedir /etc/sudoers.d\n",
             "/etc/sudoers.d/app": "app ALL=(ALL) NOPASSWD: ALL\n",
             "/etc/sudoers.d/app.dpkg-old": "app ALL=(ALL) PASSWD: ALL\n",
             "/etc/sudoers.d/README~": "app ALL=(ALL) PASSWD: ALL\n"}
    assert full(files, app())
    assert [w for w, _ in sudoers_lines(files)] == ["/etc/sudoers:1", "/etc/sudoers.d/app:1"]


def test_hash_include_is_an_include_not_a_comment():
    files = {"/etc/sudoers": "#includedir /etc/sudoers.d\n", "/etc/sudoers.d/app": "app ALL=(ALL) NOPASSWD:ALL\n"}
    assert full(files, app())


def test_single_commands_are_limited_grants():
    grants = sudo_grants({"/etc/sudoers": "app ALL=(root) NOPASSWD: /usr/sbin/nginx -s reload, /bin/kill\n"}, app())
    assert last_full_grant(grants) is None
    assert [g.command for g in command_grants(grants)] == ["/usr/sbin/nginx -s reload", "/bin/kill"]


def test_tags_carry_over_to_following_commands_until_changed():
    grants = sudo_grants({"/etc/sudoers": "app ALL=(root) NOPASSWD: /bin/a, /bin/b, PASSWD: /bin/c\n"}, app())
    assert [(g.command, g.nopass) for g in grants] == [("/bin/a", True), ("/bin/b", True), ("/bin/c", False)]


def test_several_host_groups_in_one_rule():
    grants = sudo_grants({"/etc/sudoers": "app web = (root) PASSWD: ALL : db = (root) NOPASSWD: ALL\n"}, app())
    assert [(g.command, g.nopass) for g in grants] == [("ALL", False), ("ALL", True)]


def test_doas_permit_nopass_for_the_user_or_its_group():
    assert last_full_grant(doas_grants("permit nopass app as root\n", app())).nopass
    assert last_full_grant(doas_grants("permit nopass :sudo\n", app(27))).nopass
    assert last_full_grant(doas_grants("permit nopass :wheel\n", app(27))) is None


def test_doas_deny_after_permit_wins_and_cmd_limits():
    assert last_full_grant(doas_grants("permit nopass app\ndeny app\n", app())) is None
    grants = doas_grants("permit nopass keepenv setenv { PATH } app cmd /usr/bin/id\n", app())
    assert last_full_grant(grants) is None
    assert [g.command for g in command_grants(grants)] == ["/usr/bin/id"]


def test_doas_rules_for_another_target_are_not_root():
    assert doas_grants("permit nopass app as other\n", app()) == []


def test_an_empty_shadow_field_is_an_empty_password():
    assert empty_password(accounts("root::19000:0:99999:7:::\napp:!:19000::::::\n"), "root")
    assert not empty_password(accounts("root:*:19000:0:99999:7:::\n"), "root")
    assert not empty_password(accounts(None), "root")  # passwd says x, and there is no shadow


def test_an_empty_passwd_field_without_shadow_is_an_empty_password():
    assert empty_password(parse_accounts("root::0:0:root:/root:/bin/sh\n", GROUP, None), "root")


def test_supplementary_groups_come_from_etc_group_membership():
    assert accounts().group_ids(10001) == {10001, 27}
    assert "sudo" in subject(10001, accounts().group_ids(10001), accounts()).group_names
    assert "sudo" not in subject(10001, {10001}, accounts()).group_names


# --- the check over a scanned filesystem ---------------------------------------------------------

from nonroot.verifier.fsscan import FsEntry, FsFacts, Identity, filesystem_checks, root_path_check  # noqa: E402

SUDO = FsEntry("/usr/bin/sudo", 0, 0, 0o4755)
SU = FsEntry("/usr/bin/su", 0, 0, 0o4755)
APP = Identity(10001, frozenset({10001}), "pid 1 `app`")


def facts(contents: dict[str, str], privileged=(SUDO, SU), watched=()) -> FsFacts:
    found = FsFacts(roots=[], excluded=[])
    found.contents = {"/etc/passwd": PASSWD, "/etc/group": GROUP, **contents}
    found.privileged = list(privileged)
    found.watched = {e.path: e for e in (FsEntry("/etc/passwd", 0, 0, 0o644), *watched)}
    return found


def test_a_nopasswd_rule_with_a_setuid_sudo_is_a_path_to_root():
    check = root_path_check(facts({"/etc/sudoers": "app ALL=(ALL) NOPASSWD: ALL\n"}), [APP])
    assert check.verdict == "fail"
    assert check.summary.startswith("a path to root: sudo gives UID 10001 app")


def test_a_nopasswd_rule_without_a_setuid_sudo_is_inert_and_warns():
    check = root_path_check(facts({"/etc/sudoers": "app ALL=(ALL) NOPASSWD: ALL\n"}, privileged=(SU,)), [APP])
    assert check.verdict == "warn"
    assert "inert: no setuid-root sudo in the image" in check.summary


def test_a_password_rule_with_the_users_empty_password_is_a_path_to_root():
    text = {"/etc/sudoers": "app ALL=(ALL) ALL\n", "/etc/shadow": "root:*:1::::::\napp::1::::::\n"}
    assert "with the user's empty password" in root_path_check(facts(text), [APP]).summary


def test_a_group_writable_shadow_for_the_users_group_is_a_path_to_root():
    shadow = FsEntry("/etc/shadow", 0, 10001, 0o660)
    check = root_path_check(facts({}, watched=(shadow,)), [APP])
    assert check.verdict == "fail" and "/etc/shadow is writable by UID 10001" in check.summary


def test_a_setuid_root_file_the_user_can_write_is_a_path_to_root():
    writable = FsEntry("/usr/local/bin/helper", 0, 0, 0o4777)
    check = root_path_check(facts({}, privileged=(SU, writable)), [APP])
    assert "setuid-root /usr/local/bin/helper is writable" in check.summary


def test_a_config_only_user_gets_its_etc_group_memberships():
    # not seen running: the engine would give app its supplementary group sudo (27)
    config_only = Identity(10001, frozenset({10001}), "USER app, not seen running", from_config=True)
    text = {"/etc/sudoers": "%sudo ALL=(ALL) NOPASSWD: ALL\n"}
    checks = {c.name: c for c in filesystem_checks(facts(text), [config_only], strict=False)}
    assert checks["path-to-root"].verdict == "fail"
    assert root_path_check(facts(text), [APP]).verdict == "pass"


def test_no_non_root_user_means_not_judged():
    assert root_path_check(facts({}), []).verdict == "skip"


# --- issue 21: every path to root fails, with the way named; what is not one says why -----------

import struct  # noqa: E402

from nonroot.verifier.fsscan import RootPolicy, RootRun, executed_files, file_capabilities, setuid_check  # noqa: E402


def caps_xattr(*bits: int, revision: int = 0x02000000) -> str:
    """A security.capability value as the tar reader hands it over (surrogate-escaped text)."""
    mask = sum(1 << b for b in bits)
    raw = struct.pack("<IIIII", revision | 1, mask & 0xFFFFFFFF, 0, mask >> 32, 0)
    return raw.decode("utf-8", "surrogateescape")


def test_file_capabilities_are_read_from_the_xattr():
    assert file_capabilities(caps_xattr(7)) == ("CAP_SETUID",)
    assert file_capabilities(caps_xattr(10, 39)) == ("CAP_NET_BIND_SERVICE", "CAP_BPF")
    assert file_capabilities("\x01") is None


PYTHON_SETUID = FsEntry("/usr/bin/python3.11", 0, 0, 0o755, file_caps=True, caps=("CAP_SETUID",))
SERVER_BIND = FsEntry("/usr/local/bin/server", 0, 0, 0o755, file_caps=True, caps=("CAP_NET_BIND_SERVICE",))


def test_a_root_yielding_file_capability_on_a_file_the_user_can_run_is_a_path_to_root():
    check = root_path_check(facts({}, privileged=(PYTHON_SETUID,)), [APP])
    assert check.verdict == "fail"
    assert "/usr/bin/python3.11 carries the file capability CAP_SETUID" in check.summary
    assert "setuid(0)" in check.summary


def test_a_root_yielding_file_capability_the_user_cannot_run_is_no_path():
    owner_only = FsEntry("/usr/local/bin/tool", 0, 0, 0o700, file_caps=True, caps=("CAP_SETUID",))
    assert root_path_check(facts({}, privileged=(owner_only,)), [APP]).verdict == "pass"


def test_a_capability_that_yields_no_root_is_reported_and_passes():
    found = facts({}, privileged=(SERVER_BIND,))
    assert root_path_check(found, [APP]).verdict == "pass"
    check = setuid_check(found, strict=True)
    assert check.verdict == "pass"
    assert "file capabilities that yield no root: /usr/local/bin/server (CAP_NET_BIND_SERVICE)" in check.summary


def test_a_nopasswd_rule_for_a_command_that_gives_a_shell_fails_naming_how():
    check = root_path_check(facts({"/etc/sudoers": "app ALL=(root) NOPASSWD: /usr/bin/chown, /usr/bin/chmod\n"}),
                            [APP])
    assert check.verdict == "fail"
    assert "`sudo chmod u+s /bin/bash` makes a setuid-root shell" in check.summary
    assert "sudo runs `/usr/bin/chown` as root without a password" in check.summary


def test_a_nopasswd_rule_for_any_other_command_fails_by_default_and_says_how_to_accept_it():
    check = root_path_check(facts({"/etc/sudoers": "app ALL=(root) NOPASSWD: /usr/local/bin/rotate-logs\n"}), [APP])
    assert check.verdict == "fail"
    assert "accept it with --accept-root-command /usr/local/bin/rotate-logs" in check.summary


def test_an_accepted_command_passes_and_is_named_as_accepted():
    rule = {"/etc/sudoers": "app ALL=(root) NOPASSWD: /usr/local/bin/rotate-logs\n"}
    for name in ("/usr/local/bin/rotate-logs", "rotate-logs"):
        check = root_path_check(facts(rule), [APP], RootPolicy(accepted=(name,)))
        assert check.verdict == "pass", check.summary
        assert "accepted root commands: sudo /usr/local/bin/rotate-logs" in check.summary


def test_a_command_that_gives_a_shell_cannot_be_accepted():
    rule = {"/etc/sudoers": "app ALL=(root) NOPASSWD: /usr/bin/chmod\n"}
    check = root_path_check(facts(rule), [APP], RootPolicy(accepted=("/usr/bin/chmod",)))
    assert check.verdict == "fail" and "(it cannot be accepted)" in check.summary


def test_a_user_owned_sudoers_d_is_a_misconfiguration_sudo_refuses_not_a_path():
    owned = FsEntry("/etc/sudoers.d", 10001, 10001, 0o755, is_dir=True)
    check = root_path_check(facts({}, watched=(owned,)), [APP])
    assert check.verdict == "warn"
    assert "a misconfiguration sudo refuses (owned by uid 10001, should be 0)" in check.summary


def test_a_root_owned_sudoers_d_writable_by_group_0_is_a_path_for_a_member_of_group_0():
    writable = FsEntry("/etc/sudoers.d", 0, 0, 0o775, is_dir=True)
    member = Identity(10001, frozenset({10001, 0}), "pid 1 `app`")
    assert root_path_check(facts({}, watched=(writable,)), [member]).verdict == "fail"


def test_a_doas_conf_writable_by_its_group_is_refused_by_doas():
    conf = FsEntry("/etc/doas.conf", 0, 10001, 0o664)
    doas = FsEntry("/usr/bin/doas", 0, 0, 0o4755)
    check = root_path_check(facts({}, privileged=(doas,), watched=(conf,)), [APP])
    assert check.verdict == "warn" and "doas refuses (writable by group 10001)" in check.summary


def root_run_facts(*candidates: FsEntry) -> FsFacts:
    found = facts({})
    found.candidates = list(candidates)
    found.on_path = {"/usr/local/bin/entrypoint.sh", "/usr/bin/chown"}
    return found


ENTRYPOINT = RootRun(("/usr/local/bin/entrypoint.sh",), "the entrypoint, run as root at every start")


def test_a_root_entrypoint_the_user_owns_is_a_path_to_root():
    owned = FsEntry("/usr/local/bin/entrypoint.sh", 10001, 10001, 0o755)
    check = root_path_check(root_run_facts(owned), [APP], RootPolicy(runs=(ENTRYPOINT,)))
    assert check.verdict == "fail"
    assert "/usr/local/bin/entrypoint.sh, the entrypoint, run as root at every start, can be changed" in check.summary


def test_a_writable_directory_above_a_root_run_file_is_a_path_to_root():
    script = RootRun(("/bin/sh", "/app/bin/start.sh"), "run as root in the start-up prelude")
    app_dir = FsEntry("/app", 10001, 10001, 0o755, is_dir=True)
    check = root_path_check(root_run_facts(app_dir), [APP], RootPolicy(runs=(script,)))
    assert check.verdict == "fail" and "/app/bin/start.sh, run as root in the start-up prelude" in check.summary


def test_a_writable_directory_before_a_root_command_on_roots_path_is_a_path_to_root():
    chown = RootRun(("chown", "-R", "app", "/data"), "run as root in the start-up prelude")
    local = FsEntry("/usr/local/bin", 0, 10001, 0o775, is_dir=True)
    check = root_path_check(root_run_facts(local), [APP], RootPolicy(runs=(chown,)))
    assert check.verdict == "fail"
    assert any("searched before it on root's PATH" in e for e in check.evidence)


def test_root_run_files_the_user_cannot_write_are_no_path():
    check = root_path_check(root_run_facts(), [APP], RootPolicy(runs=(ENTRYPOINT,)))
    assert check.verdict == "pass"


def test_the_files_a_command_line_executes_are_its_program_and_an_interpreters_script():
    on_path = {"/usr/bin/sh"}
    dirs = ("/usr/local/bin", "/usr/bin")
    assert executed_files(("sh", "entry.sh", "x"), dirs, "/app", on_path) == [
        ("/usr/bin/sh", ["/usr/local/bin"]), ("/app/entry.sh", [])]
    assert executed_files(("sh", "-c", "echo"), dirs, "/", on_path) == [("/usr/bin/sh", ["/usr/local/bin"])]
    assert executed_files(("(ended before its command line could be read)",), dirs, "/", on_path) == []
