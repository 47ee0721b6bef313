"""Small units of the verifier: resolving USER like the engine does, the permission rule
for "writable by the runtime user", which paths are the application's, the streamed
filesystem scan, and how the hardened run is compared with the normal one."""
from __future__ import annotations

import io
import tarfile

import pytest

from nonroot.verifier.configuser import config_user_check, kubernetes_check, resolve
from nonroot.verifier.fsscan import FsEntry, Identity, app_roots, scan
from nonroot.verifier.hardened import broke, combine, random_uid, restrictions
from nonroot.verifier.imagefs import absolute, iter_entries
from nonroot.verifier.runtime import Observation

PASSWD = b"root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\napp:x:10001:10002::/:/x\napp:x:5:5::/:/x\n"
GROUP = b"root:x:0:\nstaff:x:50:\n"


def test_a_name_resolves_to_the_first_passwd_entry_as_the_engine_does():
    user = resolve("app", PASSWD, GROUP)
    assert (user.uid, user.gid) == (10001, 10002)


def test_an_alias_of_root_resolves_to_uid_0():
    assert resolve("toor", PASSWD, GROUP).uid == 0


def test_a_numeric_user_without_entry_or_group_runs_with_gid_0():
    user = resolve("4242", PASSWD, GROUP)
    assert (user.uid, user.gid) == (4242, 0)


def test_a_group_name_resolves_through_etc_group():
    assert resolve("app:staff", PASSWD, GROUP).gid == 50


@pytest.mark.parametrize(("raw", "problem"), [
    ("ghost", "user name 'ghost' cannot be resolved (no such entry"),
    ("app:nogroup", "group name 'nogroup' cannot be resolved"),
])
def test_an_unresolvable_user_cannot_tell(raw, problem):
    user = resolve(raw, PASSWD, GROUP)
    assert problem in user.problem
    assert config_user_check(user).verdict == "unknown"


def test_a_name_in_an_image_without_passwd_says_so():
    assert "the image has no /etc/passwd" in resolve("app", None, None).problem


def test_starting_as_root_is_a_warning_until_the_runtime_decides():
    assert config_user_check(resolve("toor", PASSWD, GROUP)).verdict == "warn"


@pytest.mark.parametrize(("raw", "verdict"), [("10001", "pass"), ("0", "warn"), ("app", "warn"), ("", "warn")])
def test_kubernetes_can_verify_only_a_non_zero_number(raw, verdict):
    assert kubernetes_check(resolve(raw, PASSWD, GROUP)).verdict == verdict


def test_the_owner_can_write_what_it_owns_whatever_the_mode():
    # chmod is the owner's right: a read-only file of the user's is one chmod away from writable.
    entry = FsEntry("/app/x", uid=10001, gid=0, mode=0o444)
    assert Identity(10001, frozenset({0}), "t").can_write(entry)
    assert not Identity(10002, frozenset({0}), "t").can_write(entry)


def test_the_other_class_decides_for_a_stranger():
    entry = FsEntry("/app/x", uid=10001, gid=0, mode=0o557)
    assert Identity(10002, frozenset({5}), "t").can_write(entry)


def test_group_write_counts_for_members_only():
    entry = FsEntry("/app/x", uid=0, gid=0, mode=0o664)
    assert Identity(1001, frozenset({0}), "t").can_write(entry)
    assert not Identity(1001, frozenset({1001}), "t").can_write(entry)


def test_application_paths_come_from_workdir_and_command():
    config = {"WorkingDir": "/srv/app", "Entrypoint": ["/usr/local/bin/run.sh"], "Cmd": ["python3", "/opt/svc/main.py"],
              "Env": ["PATH=/opt/venv/bin:/usr/bin"]}
    assert app_roots(config) == ["/opt/svc", "/opt/svc/main.py", "/opt/venv/bin/python3", "/srv/app",
                                 "/usr/bin/python3", "/usr/local/bin/run.sh"]


def test_overriding_the_entrypoint_drops_the_images_cmd_from_the_application_paths():
    config = {"Entrypoint": ["/e.sh"], "Cmd": ["/opt/svc/main.py"]}
    assert app_roots(config, command=["/opt/other/x"], entrypoint=[]) == ["/opt/other", "/opt/other/x"]


def _tar(*members: tuple[str, int, int, int, bytes | None, dict]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, mode, uid, gid, data, pax in members:
            info = tarfile.TarInfo(name)
            info.mode, info.uid, info.gid, info.pax_headers = mode, uid, gid, pax
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class _Exported:
    """Stands for a container: export() yields the tar in small chunks, as the engine streams it."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def export(self, chunk_size: int):
        return (self.data[i:i + 1000] for i in range(0, len(self.data), 1000))


FS = _tar(
    ("var/tmp", 0o1777, 0, 0, None, {}),
    ("var/mail", 0o2775, 0, 8, None, {}),
    ("srv/drop", 0o777, 0, 0, None, {}),
    ("usr/bin/su", 0o4755, 0, 0, b"x" * 3000, {}),
    ("usr/bin/ping", 0o755, 0, 0, b"x", {"SCHILY.xattr.security.capability": "\x01"}),
    ("app", 0o755, 0, 0, None, {}),
    ("app/main.py", 0o664, 0, 0, b"print()", {}),
    ("app/data/db", 0o600, 10001, 10001, b"", {}),
    ("etc/sudoers", 0o440, 0, 0, b"app ALL=(ALL) NOPASSWD: ALL\n", {}),
    ("proc", 0o777, 0, 0, None, {}),
)


def test_the_streamed_scan_finds_setuid_files_and_file_capabilities_not_setgid_dirs():
    facts = scan(iter_entries(_Exported(FS)), roots=["/app"], excluded=[])
    assert [(e.path, e.file_caps) for e in facts.privileged] == [("/usr/bin/su", False), ("/usr/bin/ping", True)]


def test_the_streamed_scan_lists_world_writable_dirs_outside_the_temp_dirs():
    facts = scan(iter_entries(_Exported(FS)), roots=[], excluded=[])
    assert [e.path for e in facts.world_writable] == ["/srv/drop"]


def test_candidates_cover_the_whole_filesystem_but_not_declared_temp_or_runtime_paths():
    facts = scan(iter_entries(_Exported(FS)), roots=["/app"], excluded=["/app/data"])
    assert [e.path for e in facts.candidates] == ["/var/mail", "/srv/drop", "/app/main.py"]
    assert facts.present_roots() == ["/app"]


def test_the_streamed_scan_keeps_the_text_of_sudoers_but_not_of_other_files():
    facts = scan(iter_entries(_Exported(FS)), roots=[], excluded=[])
    assert facts.contents == {"/etc/sudoers": "app ALL=(ALL) NOPASSWD: ALL\n"}
    assert facts.watched["/etc/sudoers"].mode == 0o440


@pytest.mark.parametrize(("name", "path"), [("./usr/bin/", "/usr/bin"), (".", "/"), (".dockerenv", "/.dockerenv")])
def test_tar_names_become_absolute_paths(name, path):
    assert absolute(name) == path


def test_a_writable_path_the_image_lacks_gets_a_tmpfs_owned_by_the_runtime_user():
    read_only = restrictions(["/data"], None, (10001, 10001), {"/data": None})[0]
    assert read_only.kwargs["tmpfs"] == {"/tmp": "", "/data": "uid=10001,gid=10001"}


def test_a_writable_path_gets_the_owner_and_mode_of_the_image_directory_as_a_volume_would():
    in_image = {"/data": FsEntry("/data", 999, 999, 0o700, is_dir=True)}
    read_only = restrictions(["/data"], None, (10001, 10001), in_image)[0]
    assert read_only.kwargs["tmpfs"]["/data"] == "uid=999,gid=999,mode=0700"
    assert "/data owned by 999:999 mode 0700, as in the image" in read_only.flag


def test_without_a_user_or_an_image_directory_the_tmpfs_is_the_engines_default():
    assert restrictions(["/data"], None)[0].kwargs["tmpfs"]["/data"] == ""


def test_an_arbitrary_uid_runs_with_gid_0_and_owns_the_writable_tmpfs():
    chosen = restrictions(["/data"], 1000650000)
    assert chosen[-1].kwargs == {"user": "1000650000:0"}
    assert chosen[0].kwargs["tmpfs"]["/data"] == "uid=1000650000,gid=0"


def test_restrictions_merge_their_tmpfs_with_the_callers():
    merged = combine({"tmpfs": {"/data": ""}, "command": None}, restrictions([], None))
    assert merged["tmpfs"] == {"/data": "", "/tmp": ""}
    assert merged["cap_drop"] == ["ALL"] and merged["read_only"] is True


def test_a_service_that_stops_hardened_broke():
    assert broke(Observation("run", state="running"), Observation("hardened", state="exited", exit_code=1))


def test_a_cli_that_exits_with_the_same_code_hardened_did_not_break():
    normal = Observation("run", state="exited", exit_code=0)
    assert not broke(normal, Observation("hardened", state="exited", exit_code=0))
    assert broke(normal, Observation("hardened", state="exited", exit_code=1))


def test_random_uids_are_in_the_openshift_like_range():
    assert all(1_000_000_000 <= random_uid() < 2_000_000_000 for _ in range(50))


class _TimingOutClient:
    """An engine that knows the image, then stops answering (a timeout) when asked to create."""

    class _Images:
        def get(self, ref):
            return type("Image", (), {"id": "sha256:" + "0" * 64, "attrs": {"Config": {"User": "1"}}})()

    class _Containers:
        def __init__(self) -> None:
            self.listed = []

        def create(self, *args, **kwargs):
            from requests.exceptions import ReadTimeout

            raise ReadTimeout("read timed out")

        def list(self, **kwargs):
            self.listed.append(kwargs)
            return []

    def __init__(self) -> None:
        self.images, self.containers = self._Images(), self._Containers()


def test_an_engine_timeout_is_a_one_line_error_after_sweeping_the_sessions_containers():
    from nonroot.errors import EngineUnavailable
    from nonroot.verifier.verify import verify_image

    client = _TimingOutClient()
    with pytest.raises(EngineUnavailable, match=r"^the Docker engine stopped answering during verification "
                                               r"\(ReadTimeout\); check that it runs"):
        verify_image(client, "any:1")
    assert client.containers.listed[0]["filters"]["label"].startswith("io.nonroot.session=")


def test_labels_give_the_contract():
    from nonroot.verifier.contract import read_contract

    contract = read_contract({"Labels": {"io.nonroot.user": "10001:0", "io.nonroot.writable-paths": "/data /cache"}})
    assert (contract.uid, contract.gid, contract.writable, contract.problems) == (10001, 0, ("/data", "/cache"), ())
    assert not read_contract({"Labels": {"org.opencontainers.image.title": "x"}}).labelled


@pytest.mark.parametrize(("labels", "problem"), [
    ({"io.nonroot.user": "app"}, "is not UID:GID"),
    ({"io.nonroot.writable-paths": "/data"}, "io.nonroot.user is missing"),
    ({"io.nonroot.user": "1:1", "io.nonroot.writable-paths": "data /x/../y"}, "not absolute and normal: data, /x/../y"),
])
def test_labels_that_do_not_say_what_they_must_are_problems(labels, problem):
    from nonroot.verifier.contract import contract_checks, read_contract

    contract = read_contract({"Labels": labels})
    assert any(problem in p for p in contract.problems)
    assert contract_checks(contract, [])[0].verdict == "fail"


def test_a_read_only_file_the_user_owns_is_reported_writable():
    from nonroot.verifier.fsscan import user_writable_check

    data = _tar(("etc/app", 0o555, 10001, 10001, None, {}), ("etc/app/app.conf", 0o444, 10001, 10001, b"x", {}),
                ("etc/other.conf", 0o644, 0, 0, b"x", {}))
    facts = scan(iter_entries(_Exported(data)), roots=[], excluded=[])
    check = user_writable_check(facts, [Identity(10001, frozenset({10001}), "t")])
    assert check.verdict == "warn"
    assert "/etc/app/ 10001:10001 mode 0555 writable by UID 10001 (+1 entries under it)" in check.evidence


@pytest.mark.parametrize(("docker", "podman"), [
    ("uid=10001,gid=10001,mode=0755", "U,mode=0755"),   # the container's own user: Podman's U
    ("uid=0,gid=0,mode=0700", "mode=0700"),              # root: the tmpfs default owner
    ("uid=123456,gid=0", "U"),                           # the arbitrary UID of OpenShift's model
    ("", ""),
])
def test_tmpfs_owner_options_become_podmans_U(docker, podman):
    from nonroot.engine import podman_tmpfs_options

    assert podman_tmpfs_options(docker) == podman
