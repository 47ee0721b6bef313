"""Adopting services that build before they start (issue 22, item 1): TypeScript compiled by
tsc with yarn classic and with npm, NestJS with pnpm, Django's collectstatic (WhiteNoise's
manifest). Each is adopted with answers alone (tests/adoption.py), its build step found by
detection; the build's outputs are in the image owned by root, and no devDependency is.
A module of its own, so that xdist runs it beside the other adoption modules."""
from __future__ import annotations

import pytest

from adoption import *  # noqa: F401,F403 - the behaviours every adopted app shows run here
from adoption import App, fixtures

pytestmark = pytest.mark.engine
IMPLEMENTATION = "compose"  # today's Compose (test_adoption.py runs its apps under 1.29)

PYTHON = {"base_image": "python_base"}
NODE = {"base_image": "node_image"}
BUILT = [
    App("ts-yarn", NODE, build_command=["yarn", "run", "build"], built=("dist/index.js", "dist/store.js")),
    App("ts-npm", NODE, build_command=["npm", "run", "build"], built=("build/server.js", "build/delivery.js")),
    App("nest-pnpm", NODE, build_command=["pnpm", "run", "build"], built=("dist/main.js", "dist/app.module.js")),
    App("django-static", PYTHON, {"env": {"DJANGO_ALLOWED_HOSTS": "*"}},
        build_command=["python3", "manage.py", "collectstatic", "--noinput"],
        built=("staticfiles/staticfiles.json", "staticfiles/recipes/css/site.css")),
]


adopted, running = fixtures(BUILT, IMPLEMENTATION)


# What each service logs once its start-up steps ran: django-static's Procfile line migrates the
# database (in /data) before gunicorn; its collectstatic was taken out of the line (the build
# step did it, and /app is read-only at run time).
STARTED = {
    "ts-yarn": "bookmarks listening on",
    "ts-npm": "webhooks on :",
    "nest-pnpm": "Nest application successfully started",
    "django-static": "Applying contenttypes.0001_initial... OK",
}


def test_its_start_up_steps_ran(adopted, running):
    assert STARTED[adopted.app.name] in running.log, running.log
