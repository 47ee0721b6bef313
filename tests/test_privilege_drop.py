"""privilege: drop — the container starts as root, the entrypoint fixes the ownership of
the writable paths and drops to the user; no process is root once it runs."""
from __future__ import annotations

import pytest

from nonroot.scaffold.pipeline import check_directory
from nonroot.verifier.verify import VerifyOptions, verify_image


@pytest.fixture(scope="module", params=["setpriv", "gosu"])
def dropped(request, renders, python_base, engine):
    tool = request.param
    dest = renders.shared(base_image=python_base, service_name=f"drop-{tool}", privilege="drop", drop_tool=tool,
                          writable_paths=["/data", "/var/cache/svc"])
    request.addfinalizer(lambda: engine.images.remove(f"drop-{tool}:dev", force=True))
    return check_directory(engine, dest)


def test_drop_image_has_no_user_line(dropped):
    assert dropped.report.config_user == ""


def test_drop_image_verifies_non_root(dropped):
    report = dropped.report
    assert report.exit_code == 0, [(c.name, c.summary) for c in report.checks]
    assert all(p.uids == (10001,) * 4 for p in report.processes)


def test_writable_path_owned_by_user_at_run_time(dropped):
    owners = [c for c in dropped.report.checks if c.name == "writable-path"]
    assert [c.verdict for c in owners] == ["pass", "pass"]


def test_root_owned_volume_is_chowned_by_the_entrypoint(dropped, engine):
    # A tmpfs mounted over /data arrives owned by root (0:0, mode 1777): the entrypoint
    # must give it to the user before dropping.
    options = VerifyOptions(tmpfs={"/data": ""}, expect_uid=10001, expect_gid=10001,
                            writable_paths=["/data"])
    report = verify_image(engine, dropped.build.tag, options)
    owner = next(c for c in report.checks if c.name == "writable-path")
    assert owner.verdict == "pass", owner.summary
    assert "owned by 10001:10001" in owner.summary
    assert report.exit_code == 0


def test_run_as_non_root_user_skips_the_drop(dropped, engine):
    # docker run --user 10001:10001: the entrypoint just execs the command.
    container = engine.containers.run(dropped.build.tag, user="10001:10001", detach=True)
    try:
        import time

        time.sleep(1.5)
        container.reload()
        assert container.status == "running", container.logs().decode()
    finally:
        container.remove(force=True)
