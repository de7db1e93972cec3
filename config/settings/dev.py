"""`make run`: the app on this machine with demo data."""

import os

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)  # noqa: F405
# A fixed key for local use only; production refuses to start without SECRET_KEY.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405

# A fixed key for local data only (make run); production refuses to start without.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [  # noqa: F405
    "ZGV2LW9ubHktZmllbGQta2V5LW5ldmVyLWluLXByb2Q="
]

# Links in e-mails follow the port `make run` serves on (PORT=8080 make run), unless
# SITE_URL says otherwise. The Makefile passes the port to web, worker and beat.
SITE_URL = os.environ.get("SITE_URL") or (
    f"http://127.0.0.1:{os.environ.get('CRM_WEB_PORT') or '8000'}"
)

# Passkeys on http need the name localhost: http://localhost:PORT/ (WebAuthn
# refuses IP addresses), unless WEBAUTHN_* say otherwise.
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = webauthn_party(SITE_URL)  # noqa: F405
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID") or OTP_WEBAUTHN_RP_ID
OTP_WEBAUTHN_ALLOWED_ORIGINS = (
    env_list("WEBAUTHN_ALLOWED_ORIGINS") or OTP_WEBAUTHN_ALLOWED_ORIGINS  # noqa: F405
)
