"""`copier copy` with the defaults generates a service, builds it on the real engine and
proves it non-root; the summary names the image, the user and the checks."""
from __future__ import annotations

import json

import pytest

from helpers import ROOT, remove_images, run_copier, run_nonroot


@pytest.fixture(scope="module")
def default_service(request, tmp_path_factory, python_base, engine):
    request.addfinalizer(lambda: remove_images(engine, "e2e-default:dev"))
    dest = tmp_path_factory.mktemp("e2e") / "my-service"
    result = run_copier("copy", "--trust", "--defaults", "--vcs-ref=HEAD", "-d", f"base_image={python_base}",
                        "-d", "service_name=e2e-default", str(ROOT), str(dest))
    return dest, result


def test_defaults_copy_builds_and_verifies(default_service):
    dest, result = default_service
    assert result.returncode == 0, result.stderr[-3000:]
    assert "PROVEN NON-ROOT" in result.stderr


def test_summary_names_image_user_and_checks(default_service):
    _dest, result = default_service
    # The task's one-line summary (Copier's after-copy message follows it).
    summary = next(line for line in result.stderr.splitlines() if line.startswith("nonroot: image "))
    assert "image e2e-default:dev" in summary
    assert "user app (10001:10001)" in summary
    assert "checks passed" in summary


def test_generated_files_are_there(default_service):
    dest, _result = default_service
    for name in ("Dockerfile", ".dockerignore", "app/main.py", "requirements.txt",
                 ".copier-answers.nonroot.yml"):
        assert (dest / name).is_file(), name
    # The default privilege model is a numeric USER: no entrypoint script is needed.
    assert not (dest / "docker-entrypoint.sh").exists()


def test_verify_json_reports_every_process_ids(default_service, engine):
    result = run_nonroot("verify", "e2e-default:dev", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["config_user"] == "10001:10001"
    assert data["processes"], "no process was read"
    for proc in data["processes"]:
        assert proc["uids"] == [10001] * 4
        assert proc["gids"] == [10001] * 4


def test_verify_leaves_no_container_behind(default_service, engine):
    image_id = engine.images.get("e2e-default:dev").id
    run_nonroot("verify", "e2e-default:dev")
    left = engine.containers.list(all=True, filters={"label": "io.nonroot.verify", "ancestor": image_id})
    assert left == []


def test_service_answers_its_health_endpoint(default_service, engine):
    container = engine.containers.run("e2e-default:dev", detach=True)
    try:
        import time

        for _ in range(50):
            code, out = container.exec_run(["python3", "-c",
                "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/healthz').read().decode())"])
            if code == 0:
                break
            time.sleep(0.2)
        assert code == 0, out
        assert json.loads(out) == {"status": "ok"}
        code, out = container.exec_run(["python3", "-c",
            "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:8080/whoami').read().decode())"])
        assert json.loads(out)["uid"] == 10001
    finally:
        container.remove(force=True)
