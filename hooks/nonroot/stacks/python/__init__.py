"""Python: the dependencies (python_deps) into a venv at /opt/venv; the runtime runs the
code from /app with the venv's python3."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...detection import adopted_repository, source_files
from ...families.debian import CODENAME, IMAGE as DEBIAN_IMAGE, RELEASE as DEBIAN
from ...families.rhel import UBI
from ...rows import Stack

VERSION = "3.14"


def _own(answers: Mapping[str, Any]) -> dict[str, Any]:
    deps = str(answers.get("python_deps") or "requirements")
    # The sample is no installable project (it runs from app/, with no build backend offline).
    return {"python_deps": deps,
            "installs_project": deps in ("pyproject", "poetry") and answers.get("sample_app") is False}


# What each python_deps answer installs from, at the repository's root.
DEPENDENCY_FILES = {"requirements": ("requirements.txt",), "pyproject": ("pyproject.toml",),
                    "uv": ("pyproject.toml", "uv.lock"), "poetry": ("pyproject.toml", "poetry.lock")}
# Where else a Python project may declare its dependencies; nonroot installs from none of them.
OTHER_DECLARATIONS = ("setup.py", "setup.cfg", "Pipfile.lock", "Pipfile", "environment.yml")
# How each gives the self-contained requirements.txt the image installs first (it is copied
# alone, dependencies before the code: it cannot `-r` another file).
TO_REQUIREMENTS = {"Pipfile.lock": "pipenv requirements > requirements.txt",
                   "Pipfile": "pipenv requirements > requirements.txt",
                   "setup.py": "pip-compile -o requirements.txt setup.py",
                   "setup.cfg": "pip-compile -o requirements.txt setup.cfg"}


def python_deps_error(answers: Mapping[str, Any], destination: str) -> str:
    """The image installs the dependencies from the file python_deps names: in a repository
    without it, say so before anything is written (the build would stop at its COPY). Checked
    only in a repository (detection.adopted_repository), as go's go.mod."""
    folder = adopted_repository(answers, destination)
    if folder is None:
        return ""
    deps = str(answers.get("python_deps") or "requirements")
    missing = [name for name in DEPENDENCY_FILES.get(deps, ()) if not (folder / name).is_file()]
    if not missing:
        return ""
    others = [name for name in OTHER_DECLARATIONS if (folder / name).is_file()]
    split = sorted((str(path.relative_to(folder)) for path in folder.glob("requirements/*.txt")),
                   key=lambda name: ("prod" not in name, name))  # requirements/production.txt first
    others += split[:3]
    if not others and not source_files(folder, (".py",)):  # python only as the default stack
        return ("stack: python installs a Python project's dependencies, and this repository has no Python; "
                "answer stack (generic copies in the artifact your own build makes)")
    where = f" (this repository declares them in {', '.join(others)}, which nonroot does not install from)" \
        if others else ""
    examples = list(dict.fromkeys(TO_REQUIREMENTS[name] for name in others if name in TO_REQUIREMENTS))
    examples += [f"pip-compile -o requirements.txt {name}" for name in split[:1]]
    example = f" (e.g. {', '.join(f'`{command}`' for command in examples)})" if examples else ""
    return (f"python_deps: {deps} installs the dependencies from {' and '.join(DEPENDENCY_FILES[deps])}, and there "
            f"is no {missing[0]} here{where}; commit a self-contained requirements.txt{example}, or answer the "
            f"python_deps your repository has")


def _sample(answers: Mapping[str, Any]) -> list[str]:
    deps = answers.get("python_deps") or "requirements"
    return ["app/main.py", *(["requirements.txt"] if deps == "requirements" else ["pyproject.toml"]),
            *(["uv.lock"] if deps == "uv" else [])]


STACK = Stack(
    "python", order=10, title="Python (requirements.txt, pyproject, uv or poetry; venv)",
    help="python: its dependencies (python_deps) into a venv.",
    families=("debian", "ubuntu", "alpine", "rhel", "distroless"),
    images={"debian": f"python:{VERSION}-slim-{CODENAME}", "ubuntu": "ubuntu:24.04", "alpine": f"python:{VERSION}-alpine",
            "rhel": f"{UBI}/python-312:1", "distroless": f"gcr.io/distroless/python3-debian{DEBIAN}:nonroot"},
    shell_less_builder=DEBIAN_IMAGE, layouts=("multi", "single"),
    command=lambda answers: ["python3", "/app/app/main.py"],
    command_is_sample=True,
    health_probe=("{interpreter}", "-c", "import urllib.request; urllib.request.urlopen('{url}', timeout=3)"),
    tcp_probe=("{interpreter}", "-c", "import socket; socket.create_connection(('127.0.0.1', {port}), 3).close()"),
    interpreters=("python3", "python"), shell_less_interpreter="/opt/venv/bin/python3",
    runtime_env=True, runtime_install=True, build_step=True, build_args=("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"), copies_context=True,
    dev_mounts=(".:/app:ro",), base_image_names=("python",), questions=("python_deps",), own_answers=_own,
    sample=_sample, checks={"python_deps": python_deps_error}, runtime_name="Python", shell_less_family_macros=("prepare_python_builder",),
    refusals={"scratch": "scratch is an empty image with no Python runtime; use distroless for a shell-less "
                         "python image"},
)

# The support table's rows beyond the default stack's full table: python's other
# dependency files on each family (layouts: where the install runs).
TEST_ROWS = [{"python_deps": deps, "distro": distro, "layout": layout}
             for deps in ["pyproject", "uv"]
             for distro, layout in [("debian", "multi"), ("ubuntu", "single"), ("alpine", "single"),
                                    ("rhel", "multi"), ("distroless", "multi")]]
