"""Build a service folder's Dockerfile, then verify the image: what `nonroot check` and the
Copier task both run."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .build import BuildResult, build_image
from .project import Expectations, load_expectations
from .verify import Report, VerifyOptions, verify_image


@dataclass
class CheckResult:
    expectations: Expectations
    build: BuildResult
    report: Report


def check_directory(client, directory: Path, tag: str | None = None,
                    on_line: Callable[[str], None] | None = None,
                    options: VerifyOptions | None = None) -> CheckResult:
    """Build DIR and verify the image against the answers recorded in DIR (if any)."""
    expectations = load_expectations(directory)
    tag = tag or expectations.tag
    built = build_image(client, directory, tag, on_line=on_line)
    options = options or VerifyOptions()
    options.expect_uid = expectations.uid if options.expect_uid is None else options.expect_uid
    options.expect_gid = expectations.gid if options.expect_gid is None else options.expect_gid
    options.writable_paths = options.writable_paths or expectations.writable_paths
    report = verify_image(client, tag, options)
    return CheckResult(expectations=expectations, build=built, report=report)
