"""The generated image states its contract and carries no setuid/setgid file (issue 14
items 6 and 7, template side), on the real engine."""
from __future__ import annotations

import pytest

from nonroot.scaffold.build import build_image

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def openshift_image(tmp_path_factory, engine, python_base):
    from copier import run_copy

    from helpers import ROOT

    dest = tmp_path_factory.mktemp("contract") / "svc"
    run_copy(str(ROOT), str(dest), data={"verify": False, "service_name": "nr-plan-contract", "base_image": python_base,
                                         "privilege": "openshift", "uid": 12345, "writable_paths": ["/data", "/srv/cache"]},
             defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD")
    tag = "nr-plan-contract:dev"
    build_image(engine, dest, tag)
    yield tag
    engine.images.remove(tag, force=True)


def test_the_image_labels_its_runtime_identity_and_writable_paths(engine, openshift_image):
    labels = engine.images.get(openshift_image).labels
    assert labels["io.nonroot.user"] == "12345:0"  # OpenShift: any UID, group 0
    assert labels["io.nonroot.writable-paths"] == "/data /srv/cache"


def test_the_runtime_image_has_no_setuid_or_setgid_file(engine, openshift_image, python_base):
    # The base image has them (su, mount, passwd, ...): the account's RUN deleted them.
    find = ["find", "/", "-xdev", "-perm", "/6000", "-type", "f"]
    assert engine.containers.run(python_base, find, remove=True).decode().split()
    assert engine.containers.run(openshift_image, find, user="0", remove=True).decode().split() == []
