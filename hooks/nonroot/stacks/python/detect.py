"""What a repository tells of a Python service: its dependency files, and the command of
its framework's usual entry (Django, FastAPI, Starlette, Flask, a script's __main__), its build
step (Django's collectstatic, Babel catalogs) and whether its server needs a writable HOME."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

from ...detection import PORT_PLACEHOLDER, Finding, read_text, read_toml, server_file, source_files

# Files at the root that name the stack, in order; the detectors are tried by PRIORITY.
MARKERS = ("pyproject.toml", "requirements.txt", "manage.py", "setup.py", "Pipfile", "uv.lock", "poetry.lock")
PRIORITY = 20
SOURCE_SUFFIXES = (".py",)
# Files where a web framework's application object usually lives, at the root.
PYTHON_ENTRY_FILES = ("main.py", "app.py", "wsgi.py", "server.py", "application.py", "run.py")
MAIN_GUARD = re.compile(r"^if __name__ == ['\"]__main__['\"]:", re.MULTILINE)
# The lines that start a server, for a repository with no other start signal.
SERVER_START = re.compile(r"\.run\(|uvicorn\.run\(|serve_forever\(|web\.run_app\(|waitress\.serve\(|make_server\(")
# The packages that bring pybabel.
BABEL_PACKAGES = {"babel", "flask-babel", "flask-babelex", "flask-babelplus"}
# How the summary names its own answers.
DESCRIBED = {"python_deps": ("dependencies ", str)}
# A script's interpreter, by its #! line's program or its suffix (a script that is not executable).
SCRIPT_INTERPRETERS = {"python": "python3", "python3": "python3"}
SCRIPT_SUFFIXES = {".py": "python3"}


def marker(root: Path) -> str | None:
    """What at the root names the stack (None: nothing)."""
    return next((name for name in MARKERS if (root / name).is_file()), None)


def detect_python_deps(root: Path) -> Finding | None:
    pyproject = read_toml(root / "pyproject.toml")
    if (root / "uv.lock").is_file():
        return Finding("python_deps", "uv", "uv.lock")
    if (root / "poetry.lock").is_file():
        return Finding("python_deps", "poetry", "poetry.lock")
    if "project" in pyproject:
        return Finding("python_deps", "pyproject", "pyproject.toml [project]")
    if (root / "requirements.txt").is_file():
        return Finding("python_deps", "requirements", "requirements.txt")
    return None


def console_scripts(root: Path) -> set[str]:
    """The console scripts the project installs ([project.scripts], Poetry's scripts)."""
    pyproject = read_toml(root / "pyproject.toml")
    poetry = ((pyproject.get("tool") or {}).get("poetry") or {}).get("scripts") or {}
    return set((pyproject.get("project") or {}).get("scripts") or {}) | set(poetry)


def answers(root: Path, warnings: list[str]) -> list[Finding | None]:
    """The stack's own answers, and its build step."""
    return [detect_python_deps(root), detect_build_command(root, warnings)]


def home(root: Path, own: list[Finding | None]) -> Finding | None:
    """A writable HOME where the stack's tools write under it at run time."""
    if "gunicorn" in _requirement_names(root):
        return Finding("home", True, "gunicorn keeps its control socket under HOME")
    return None


def _python_app_object(text: str, constructor: str) -> str | None:
    """The variable an `x = Flask(...)`-style line binds, or None."""
    match = re.search(rf"^(\w+)\s*=\s*(?:\w+\.)?{constructor}\(", text, re.MULTILINE)
    return match.group(1) if match else None


def _requirement_names(root: Path) -> set[str]:
    names: set[str] = set()
    lines = read_text(root / "requirements.txt").splitlines()
    pyproject = read_toml(root / "pyproject.toml")
    lines += [str(d) for d in (pyproject.get("project") or {}).get("dependencies", [])]
    lines += list(((pyproject.get("tool") or {}).get("poetry") or {}).get("dependencies", {}))
    for line in lines:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if match:
            names.add(match.group(1).lower().replace("_", "-"))
    return names


def _module_name(root: Path, path: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def command(root: Path) -> tuple[list[str], str] | None:
    pyproject = read_toml(root / "pyproject.toml")
    scripts = (pyproject.get("project") or {}).get("scripts") or {}
    if scripts:
        name = sorted(scripts)[0]
        return [name], f"pyproject.toml [project.scripts] {name}"
    requirements = _requirement_names(root)
    if (root / "manage.py").is_file():
        settings = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)\.settings['\"]",
                             read_text(root / "manage.py"))
        project = settings.group(1) if settings else ""
        if project and "gunicorn" in requirements:
            return ["gunicorn", f"{project}.wsgi", "--bind", f"0.0.0.0:{PORT_PLACEHOLDER}"], \
                "Django's manage.py, with gunicorn"
        return (["python3", "manage.py", "runserver", f"0.0.0.0:{PORT_PLACEHOLDER}", "--noreload"],
                "Django's manage.py (the development server: add gunicorn for production)")
    for path in source_files(root, SOURCE_SUFFIXES):
        text = read_text(path)
        for constructor, server_names in (("FastAPI", ("uvicorn",)), ("Starlette", ("uvicorn",))):
            variable = _python_app_object(text, constructor)
            if variable:
                target = f"{_module_name(root, path)}:{variable}"
                return ["uvicorn", target, "--host", "0.0.0.0", "--port", PORT_PLACEHOLDER], \
                    f"{constructor} app in {path.relative_to(root)}, under uvicorn"
        variable = _python_app_object(text, "Flask")
        if variable:
            rel = path.relative_to(root)
            if "gunicorn" in requirements:
                return ["gunicorn", "--bind", f"0.0.0.0:{PORT_PLACEHOLDER}", f"{_module_name(root, path)}:{variable}"], \
                    f"Flask app in {rel}, with gunicorn"
            if "__main__" in text:
                return ["python3", str(rel)], f"Flask app in {rel} with app.run()"
    for name in PYTHON_ENTRY_FILES:
        if (root / name).is_file() and "__main__" in read_text(root / name):
            return ["python3", name], f"{name} at the root"
    scripts = [p.name for p in sorted(root.glob("*.py")) if MAIN_GUARD.search(read_text(p))]
    if len(scripts) == 1:
        return ["python3", scripts[0]], f"{scripts[0]}, the root's only script with a __main__ guard"
    return server_file(root, SOURCE_SUFFIXES, SERVER_START, "python3", MAIN_GUARD)


# ------------------------------------------------------- the build step (issue 22)
def _django_static(root: Path) -> Finding | None:
    """collectstatic, where the settings give STATIC_ROOT (it refuses to run without) and
    install django.contrib.staticfiles (which brings the command)."""
    match = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]", read_text(root / "manage.py"))
    if not match:
        return None
    module = Path(*match.group(1).split("."))
    files = [root / module.with_suffix(".py")] + sorted((root / module).glob("*.py"))
    if module.name != "settings":  # settings/production.py: its package's other modules too
        files += sorted((root / module.parent).glob("*.py"))
    texts = {path: read_text(path) for path in files if path.is_file()}
    if not any("django.contrib.staticfiles" in text for text in texts.values()):
        return None
    for path, text in texts.items():
        if re.search(r"^STATIC_ROOT\s*=\s*(?!None\b)\S", text, re.MULTILINE):
            return Finding("build_command", ["python3", "manage.py", "collectstatic", "--noinput"],
                           f"Django's STATIC_ROOT in {path.relative_to(root)}")
    return None


def _babel_catalogs(root: Path, warnings: list[str]) -> Finding | None:
    """pybabel compile of the translations/ catalogs (Flask-Babel's layout), with Babel
    among the dependencies (it brings pybabel)."""
    for folder in [root / "translations", *sorted(root.glob("*/translations"))]:
        if not any(folder.glob("*/LC_MESSAGES/*.po")):
            continue
        rel = folder.relative_to(root)
        if not _requirement_names(root) & BABEL_PACKAGES:
            warnings.append(f"{rel}/ holds Babel catalogs (.po) but no Babel among the dependencies: add "
                            f"Babel (or Flask-Babel) to compile them (pybabel compile -d {rel}) in the build step")
            return None
        return Finding("build_command", ["pybabel", "compile", "-d", str(rel)], f"Babel catalogs in {rel}/")
    return None


def detect_build_command(root: Path, warnings: list[str]) -> Finding | None:
    """collectstatic and the catalogs (both in one shell line when there are both)."""
    steps = [f for f in (_django_static(root), _babel_catalogs(root, warnings)) if f is not None]
    if len(steps) > 1:
        return Finding("build_command", " && ".join(shlex.join(map(str, f.value)) for f in steps),  # type: ignore[arg-type]
                       "; ".join(f.source for f in steps))
    return steps[0] if steps else None
