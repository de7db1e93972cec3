"""Production: everything from the environment, HTTPS only, no fallbacks."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not SECRET_KEY or len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("Set SECRET_KEY (at least 50 random characters).")
if not FIELD_ENCRYPTION_KEYS:  # noqa: F405
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEYS (Fernet keys: python -c 'from cryptography.fernet "
        "import Fernet; print(Fernet.generate_key().decode())')."
    )
# DATABASE_URL and REDIS_URL: base.py refuses to start without them.

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
# Health checks from compose and monitors speak plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/tasks)?$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
TRUSTED_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", 1))  # noqa: F405
