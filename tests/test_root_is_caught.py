"""The verifier fails when the generated image runs as root: the same project with its
USER line removed is caught, naming the root process."""
from __future__ import annotations

import json

import pytest

from helpers import remove_images, run_nonroot


@pytest.fixture
def rootful_service(generate, python_base, engine):
    dest = generate(base_image=python_base, service_name="caught-root")
    dockerfile = dest / "Dockerfile"
    lines = dockerfile.read_text().splitlines()
    kept = [line for line in lines if not line.startswith("USER ")]
    assert len(kept) == len(lines) - 1, "the generated Dockerfile should have exactly one USER line"
    dockerfile.write_text("\n".join(kept) + "\n")
    yield dest
    remove_images(engine, "caught-root:dev")


def test_check_exits_1_when_the_process_runs_as_root(rootful_service):
    result = run_nonroot("check", "-q", str(rootful_service))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ROOT OR PRIVILEGE FOUND" in result.stdout
    assert "python3 /app/app/main.py" in result.stdout
    assert "has UID 0" in result.stdout


def test_json_names_the_root_process(rootful_service):
    result = run_nonroot("check", "--json", str(rootful_service))
    data = json.loads(result.stdout)
    runtime = next(c for c in data["checks"] if c["name"] == "runtime")
    assert runtime["verdict"] == "fail"
    assert "python3 /app/app/main.py" in runtime["summary"]
    assert any(p["uids"] == [0, 0, 0, 0] for p in data["processes"])
