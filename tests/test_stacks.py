"""Every stack this machine has a toolchain for, generated, built, verified and run the way
compose runs it (read-only, cap-drop ALL, no-new-privileges): the health check answers.

Toolchains and runtimes are offline stand-ins (tests/images.py): Go 1.19 and Node.js 18
from Debian bookworm instead of golang:1.22 and node:20, a scratch-based image with only
distroless's account files instead of gcr.io/distroless/static-debian12:nonroot."""
from __future__ import annotations

import json
import time
import urllib.request

import pytest

import images
from nonroot.scaffold.build import build_image
from nonroot.scaffold.pipeline import check_directory
from nonroot.verifier.verify import VerifyOptions

# Same service name, port and paths for every build of a stack: the builder stages'
# layers (go build, npm ci) are then shared by the engine's cache.
PATHS = ["/data"]
PORT = 8080
# These tests run the image hardened themselves (run_hardened) and are not about the image's
# files: the verifier's own hardened run and filesystem scan are off, its watch window short.
VERIFY = dict(settle=1.0, samples=2, hardened=False, scan_filesystem=False)


@pytest.fixture(scope="session")
def alpine_like(python_base) -> str:
    return images.ensure_derived(images.ALPINE_LIKE)


@pytest.fixture
def built(generate, engine):
    """Generate with the answers, build as nr-stacks-<name>:dev, verify; images removed after."""
    tags = []

    def _built(name: str, prepare=None, **answers):
        dest = generate(service_name="nr-stacks", writable_paths=PATHS, port=PORT, **answers)
        if prepare:
            prepare(dest)
        tag = f"nr-stacks-{name}:dev"
        tags.append(tag)
        return check_directory(engine, dest, tag=tag, options=VerifyOptions(**VERIFY))

    yield _built
    for tag in tags:
        engine.images.remove(tag, force=True)


def healthcheck_argv(stack: str, distro: str) -> list[str]:
    """The compose healthcheck's command, from the plan compose.yaml is rendered with
    ([] when the stack has none)."""
    from nonroot.plan import build_plan

    health = build_plan({"stack": stack, "distro": distro, "port": PORT}).health
    return list(health.test) if health else []


def run_hardened(engine, tag: str, uid: int = 10001, gid: int = 10001):
    """The container as compose.yaml runs it: read-only root, no capabilities, no new
    privileges; /tmp and the writable paths on tmpfs owned by the user (as volumes are)."""
    tmpfs = {"/tmp": "", **{p: f"uid={uid},gid={gid},mode=0755" for p in PATHS}}
    return engine.containers.run(tag, detach=True, read_only=True, cap_drop=["ALL"],
                                 security_opt=["no-new-privileges"], tmpfs=tmpfs)


def answers_health(engine, container, argv: list[str]) -> dict:
    """Wait for the health check to pass inside the container, then ask /whoami from outside."""
    deadline = time.monotonic() + 30
    while True:
        container.reload()
        assert container.status == "running", container.logs().decode()
        exit_code, output = container.exec_run(argv) if argv else (None, b"")
        if exit_code == 0 or not argv:
            break
        assert time.monotonic() < deadline, f"health check {argv} kept failing: {output.decode()}"
        time.sleep(0.5)
    address = container.attrs["NetworkSettings"]["IPAddress"]
    for _ in range(60):
        try:
            with urllib.request.urlopen(f"http://{address}:{PORT}/healthz", timeout=2) as reply:
                assert json.load(reply) == {"status": "ok"}
            with urllib.request.urlopen(f"http://{address}:{PORT}/whoami", timeout=2) as reply:
                return json.load(reply)
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"no answer on {address}:{PORT}: {container.logs().decode()}")


def assert_runs_hardened_and_healthy(engine, result, stack, distro, uid=10001, gid=10001):
    report = result.report
    assert report.exit_code == 0, [(c.name, c.verdict, c.summary) for c in report.checks]
    assert all(p.uids == (uid,) * 4 and p.gids == (gid,) * 4 for p in report.processes)
    container = run_hardened(engine, result.build.tag, uid, gid)
    try:
        whoami = answers_health(engine, container, healthcheck_argv(stack, distro))
        assert (whoami["uid"], whoami["gid"], whoami["euid"]) == (uid, gid, uid)
    finally:
        container.remove(force=True)


# ---------------------------------------------------------------------- go
GO_RUNTIMES = {"scratch": lambda request: "scratch",
               "distroless": lambda request: request.getfixturevalue("static_distroless"),
               "debian": lambda request: request.getfixturevalue("python_base"),
               "alpine": lambda request: request.getfixturevalue("alpine_like")}


@pytest.mark.parametrize("distro", list(GO_RUNTIMES))
def test_go_static_binary_runs_hardened_and_answers_its_health_check(request, built, engine, go_toolchain, distro):
    result = built(f"go-{distro}", stack="go", distro=distro, base_image=GO_RUNTIMES[distro](request),
                   builder_image=go_toolchain)
    assert_runs_hardened_and_healthy(engine, result, "go", distro)


def test_go_on_distroless_reuses_its_nonroot_user_without_a_second_entry(built, engine, go_toolchain,
                                                                         static_distroless):
    result = built("go-nonroot", stack="go", distro="distroless", base_image=static_distroless,
                   builder_image=go_toolchain, user="nonroot", group="nonroot", uid=65532)
    assert_runs_hardened_and_healthy(engine, result, "go", "distroless", uid=65532, gid=65532)
    passwd = _file_from_image(engine, result.build.tag, "/etc/passwd").splitlines()
    assert [line for line in passwd if line.startswith("nonroot:")] == [
        "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin"]


def test_go_on_scratch_has_only_root_and_the_account(built, engine, go_toolchain):
    result = built("go-scratch-files", stack="go", distro="scratch", base_image="scratch", builder_image=go_toolchain)
    passwd = _file_from_image(engine, result.build.tag, "/etc/passwd").splitlines()
    assert [line.split(":")[0] for line in passwd] == ["root", "app"]
    assert passwd[1].startswith("app:x:10001:10001:")


def _file_from_image(engine, tag: str, path: str, binary: bool = False):
    """A file from an image with no shell (docker cp from a created container): text, or bytes."""
    import io
    import tarfile

    container = engine.containers.create(tag)
    try:
        stream, _stat = container.get_archive(path)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.getmembers()[0]
            data = tar.extractfile(member).read()
            return data if binary else data.decode()
    finally:
        container.remove(force=True)


# ----------------------------------------------------------------- generic
@pytest.fixture(scope="module")
def team_build(engine, go_toolchain, renders, request):
    """Stands for the team's own build, outside the image: the go sample's binary (the same
    program the generic sample's build.sh makes), compiled once by the go stack's builder
    stage, whose layers the go tests share, and put where `artifact` says."""
    source = renders.shared(service_name="nr-stacks", writable_paths=PATHS, port=PORT, stack="go", distro="scratch",
                            base_image="scratch", builder_image=go_toolchain)
    tag = "nr-stacks-go-artifact:dev"
    request.addfinalizer(lambda: engine.images.remove(tag, force=True))
    build_image(engine, source, tag)
    binary = _file_from_image(engine, tag, "/app/server", binary=True)

    def prepare(dest):
        (dest / "dist").mkdir()
        (dest / "dist" / "app").write_bytes(binary)
        (dest / "dist" / "app").chmod(0o755)
    return prepare


@pytest.mark.parametrize("distro", ["scratch", "debian"])
def test_generic_artifact_runs_hardened_with_its_command(built, engine, team_build, python_base, distro):
    base = "scratch" if distro == "scratch" else python_base
    result = built(f"generic-{distro}", prepare=team_build, stack="generic", distro=distro,
                   base_image=base, builder_image=python_base)
    assert result.report.config_user == "10001:10001"
    # generic has no health check of its own (healthcheck_test is empty): probe over HTTP only.
    assert_runs_hardened_and_healthy(engine, result, "generic", distro)


# -------------------------------------------------------------------- node
@pytest.mark.parametrize("layout", ["multi", "single"])
def test_node_app_runs_hardened_and_answers_its_health_check(built, engine, node_image, layout):
    result = built(f"node-{layout}", stack="node", layout=layout, base_image=node_image, builder_image=node_image)
    assert_runs_hardened_and_healthy(engine, result, "node", "debian")


def test_node_reuses_the_node_images_user_1000_when_asked(built, engine, node_image):
    result = built("node-reuse", stack="node", base_image=node_image, builder_image=node_image,
                   user="node", group="node", uid=1000)
    assert_runs_hardened_and_healthy(engine, result, "node", "debian", uid=1000, gid=1000)


def test_node_on_distroless_runs_hardened_and_probes_with_its_node(built, engine, node_image, node_distroless):
    result = built("node-distroless", stack="node", distro="distroless", base_image=node_distroless,
                   builder_image=node_image)
    assert result.report.config_user == "10001:10001"
    assert_runs_hardened_and_healthy(engine, result, "node", "distroless")


# ------------------------------------------------------------------ python
def test_python_dependencies_from_pyproject_run_hardened(built, engine, python_base):
    result = built("python-pyproject", python_deps="pyproject", base_image=python_base)
    assert_runs_hardened_and_healthy(engine, result, "python", "debian")
