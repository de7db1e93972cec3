"""Benchmarks (make bench): production-like request handling on a local database.

DEBUG off, cached templates (Django's default without DEBUG), persistent
database connections; no HTTPS redirects so the in-process client can talk to it.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

DEBUG = False
SECRET_KEY = "bench-only-not-a-secret-" + "x" * 40
ALLOWED_HOSTS = ["testserver", "localhost"]
DATABASES["default"]["CONN_MAX_AGE"] = None  # persistent, as in production
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
# No collectstatic for a benchmark: plain static URLs (the manifest lookup is a
# dictionary access in production, no measurable difference).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FIELD_ENCRYPTION_KEYS = ["YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMtbCE="]
