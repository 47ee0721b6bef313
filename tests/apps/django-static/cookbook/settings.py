"""Settings for the cookbook site: per-deploy values from the environment, static files
collected into STATIC_ROOT at build time and served by WhiteNoise."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "recipes",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "cookbook.urls"
WSGI_APPLICATION = "cookbook.wsgi.application"
# The database lives in the writable volume; `manage.py migrate` (the Procfile) brings it up to date.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("DJANGO_DB", "/data/cookbook.sqlite3")}}
USE_TZ = True

# Static files: `manage.py collectstatic` gathers them into STATIC_ROOT with hashed names
# (the manifest maps each name to its hashed file); WhiteNoise serves them from there.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
