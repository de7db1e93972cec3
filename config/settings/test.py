"""`make test`: the real PostgreSQL and Redis, resolved like everywhere else."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
# Fast hashing for the thousands of logins the suite does; production keeps Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES["default"]["KEY_PREFIX"] = "crm-test"  # noqa: F405
# In-memory mail; a worker subprocess in a test may be given another backend.
EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
WHITENOISE_AUTOREFRESH = True  # no collected static files in tests
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Templates that only tests render (e.g. a sample PDF).
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405

FIELD_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy1sbyE="]
# Tasks that only the tests' workers run (tests/support/tasks.py).
CELERY_IMPORTS = ["tests.support.tasks"]
