"""Fixtures for the verifier's corpus: the images are built once per session, and each is
verified once per session with nonroot's defaults (in a few threads: most of a
verification is waiting through the settle window)."""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import cases  # noqa: E402  (tests/corpus/cases.py)
from helpers import once_per_session  # noqa: E402

VERIFY_THREADS = 3


@pytest.fixture(scope="session")
def corpus(engine, python_base, tmp_path_factory) -> dict[str, str]:
    """{case name: image tag} for every corpus case, built on the real engine (once per session)."""
    return once_per_session(tmp_path_factory, "corpus", lambda: cases.build_all(engine))


@pytest.fixture(scope="session")
def corpus_reports(engine, corpus, tmp_path_factory) -> dict:
    """{case name: Report} from verify_image with default options (and the case's environment),
    once per session: several modules on several workers read them."""
    from nonroot.verifier.verify import VerifyOptions, verify_image

    def verify(case: cases.Case):
        return case.name, verify_image(engine, case.tag,
                                       VerifyOptions(environment=case.environment, **case.options))

    def verify_all() -> dict:
        with ThreadPoolExecutor(VERIFY_THREADS) as pool:
            return dict(pool.map(verify, cases.CASES))

    return once_per_session(tmp_path_factory, "corpus-reports", verify_all)


@pytest.fixture(scope="session")
def verify(engine, corpus):
    """Verify a corpus image with non-default options: verify("writes-at-start", writable_paths=[...])."""
    from nonroot.verifier.verify import VerifyOptions, verify_image

    def _verify(name: str, **options):
        case = cases.BY_NAME[name]
        return verify_image(engine, case.tag, VerifyOptions(**{"environment": case.environment, **case.options,
                                                               **options}))

    return _verify


@pytest.fixture(scope="session")
def declared_report(verify):
    """writes-at-start with its state directory declared writable."""
    return verify("writes-at-start", writable_paths=["/var/lib/app"])


@pytest.fixture(scope="session")
def run_verify(corpus):
    """The `nonroot verify` command line on a corpus image; each distinct command line runs once."""
    import subprocess

    from helpers import run_nonroot

    seen: dict[tuple[str, ...], subprocess.CompletedProcess] = {}

    def _run(name: str, *args: str) -> subprocess.CompletedProcess:
        key = (name, *args)
        if key not in seen:
            seen[key] = run_nonroot("verify", cases.BY_NAME[name].tag, *args)
        return seen[key]

    return _run



@pytest.fixture(scope="session")
def podman(tmp_path_factory, corpus):
    """Podman's API service (started for this session, stopped at its end) with the Podman
    corpus images loaded. Locally without podman it skips; in CI it fails."""
    import podman as podman_helpers
    from helpers import skip_here_fail_in_ci

    try:
        service = podman_helpers.start(tmp_path_factory.mktemp("podman"))
    except podman_helpers.PodmanUnavailable as error:
        skip_here_fail_in_ci(str(error))
    try:
        service.load([cases.BY_NAME[name].tag for name in cases.PODMAN_CASES])
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def podman_reports(podman) -> dict:
    """{case name: Report} for the Podman cases, verified through Podman's API."""
    from nonroot.verifier.verify import VerifyOptions, verify_image

    client = podman.client()

    def verify(name: str):
        case = cases.BY_NAME[name]
        return name, verify_image(client, case.tag, VerifyOptions(environment=case.environment, **case.options))

    with ThreadPoolExecutor(VERIFY_THREADS) as pool:
        return dict(pool.map(verify, cases.PODMAN_CASES))
