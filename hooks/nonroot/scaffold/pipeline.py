"""Build a service folder's Dockerfile, then verify the image: what `nonroot check` and the
Copier task both run."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .build import BuildResult, build_image
from .progress import Progress
from .project import Expectations, load_expectations
from ..errors import BUILDING, VERIFYING, Interrupted
from ..verifier.verify import Report, VerifyOptions, verify_image


@dataclass
class CheckResult:
    expectations: Expectations
    build: BuildResult
    report: Report


def check_directory(client, directory: Path, tag: str | None = None,
                    on_line: Callable[[str], None] | None = None,
                    options: VerifyOptions | None = None, progress: Progress | None = None) -> CheckResult:
    """Build DIR and verify the image against the answers recorded in DIR (if any).

    `progress` (optional) shows the build's steps and a spinner for each phase."""
    expectations = load_expectations(directory)
    tag = tag or expectations.tag
    if progress is None:
        with stage(BUILDING, tag):
            built = build_image(client, directory, tag, on_line=on_line)
        with stage(VERIFYING, tag):
            report = _verify(client, tag, expectations, options)
        return CheckResult(expectations=expectations, build=built, report=report)
    with progress.phase(f"building the image {tag}") as phase, stage(BUILDING, tag):
        built = build_image(client, directory, tag, on_line=progress.on_build_line)
        phase.summary = progress.build_summary(tag)
    with progress.phase(f"verifying {tag}") as phase, stage(VERIFYING, tag):
        report = _verify(client, tag, expectations, options)
        phase.summary = f"verification of {tag} done"
    return CheckResult(expectations=expectations, build=built, report=report)


@contextmanager
def stage(name: str, image: str) -> Iterator[None]:
    """An interrupt inside (after the stage cleaned up) becomes Interrupted(NAME, IMAGE)."""
    try:
        yield
    except Interrupted:
        raise
    except KeyboardInterrupt as error:
        raise Interrupted(name, image) from error


def _verify(client, tag: str, expectations: Expectations, options: VerifyOptions | None) -> Report:
    options = options or VerifyOptions()
    options.expect_uid = expectations.uid if options.expect_uid is None else options.expect_uid
    options.expect_gid = expectations.gid if options.expect_gid is None else options.expect_gid
    options.writable_paths = options.writable_paths or expectations.writable_paths
    return verify_image(client, tag, options)
