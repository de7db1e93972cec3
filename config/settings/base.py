"""Settings for every environment; values come from the environment (12-factor)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import bootstrap_wrapper
import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import services


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no setting: 1/true/yes/on (any case) mean yes."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated setting into a list, dropping blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = services.var_dir()

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, behind the second factor (accounts.admin.CRMAdminSite).
    "accounts.apps.CRMAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "template_partials",
    "django_htmx",
    "csp",
    "simple_history",
    "guardian",
    "axes",
    # The second factor: TOTP apps, recovery codes, passkeys (accounts/factors.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "core",
    "accounts",
    "crm",
    "contracts",
    "service",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files get the cross-origin headers too.
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read in the session's own query (accounts.sessions).
    "accounts.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the device that passed the second step, loaded
    # again on each request (so a removed or reset factor ends its sessions).
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a login unless its view says @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # ... and the second factor, where the user has one or the role requires it.
    "accounts.middleware.SecondFactorMiddleware",
    # ... and the company's confidentiality commitment, accepted in its version.
    "accounts.middleware.CommitmentMiddleware",
    # ... and, when TRAINING_BLOCKS_ACCESS is on, a valid data protection training.
    "compliance.middleware.TrainingMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute timeouts; after the messages, to say why a session ended.
    "accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A service's refusal no view caught: its message, 403 or 409, never a 500.
    "core.middleware.DomainErrorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
            # |money and |decimal in every template, e-mail and PDF (core.formatting).
            "builtins": ["core.templatetags.formatting"],
        },
    },
]

# --- Services: PostgreSQL and Redis, from the environment only. Importing the
# settings resolves and starts nothing: `make run`/`make test` resolve once
# (config/services.py: local or embedded servers) and export the URLs. ---
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
if not DATABASE_URL or not REDIS_URL:
    raise ImproperlyConfigured(
        "Set DATABASE_URL and REDIS_URL, or let make run/make test find them; in a "
        'shell: eval "$(.venv/bin/python -m config.services env)"'
    )
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=60, conn_health_checks=True
    )
}
# No JIT: our queries are short (pages, searches); once a backend has JIT-compiled
# one big query, its later small ones got 3-4x slower (measured with make bench).
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "crm"),
    }
}

# --- Celery: Redis as broker and result store; the schedule is code, reviewed. ---
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = "Europe/Berlin"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only after it ran: a crashed worker's task is delivered
# again (tasks are idempotent), never lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers a task that was taken and not acknowledged (a worker killed
# with -9) after this timeout: longer than the hard time limit, so a running
# task is never handed to a second worker; 30 minutes instead of Redis' hour.
# No task runs forever: SoftTimeLimitExceeded a minute before the hard limit (a task
# can clean up; its outbox rows stay for the next run), then the process is killed.
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", 15 * 60))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 30 * 60))
}
# Retries (core.tasks.RETRY) wait at most 10 minutes: below the visibility timeout.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Beat and worker liveness for /healthz/tasks (core.liveness); expires so a
    # dead worker's backlog does not pile up.
    "heartbeat": {
        "task": "core.heartbeat",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    # Daily, Europe/Berlin. What is due is computed from the database, so a
    # missed run is caught up by the next one.
    "contract-reminders": {
        "task": "contracts.send_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # Erase what a retention hold kept, the day the hold ends (Art. 17, § 35 BDSG).
    "request-reminders": {
        "task": "compliance.request_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Each assignee's open tasks due today or overdue, one e-mail per company.
    "task-digests": {
        "task": "service.task_digests",
        "schedule": crontab(hour=6, minute=40),
    },
    # SLA escalation of cases (service.escalation): the owner before a target
    # is missed, the team's manager when it is. Each alert is sent once, so a
    # run that expired in a dead worker's queue is caught up by the next.
    "case-escalations": {
        "task": "service.case_escalations",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 4 * 60},
    },
    "review-digests": {
        "task": "compliance.review_digests",
        "schedule": crontab(hour=6, minute=45),
    },
    # Users whose data protection training ends within TRAINING_REMINDER_DAYS.
    "training-reminders": {
        "task": "compliance.training_reminders",
        "schedule": crontab(hour=6, minute=50),
    },
    "retention-rules": {
        "task": "compliance.retention_rules",
        "schedule": crontab(hour=3, minute=45),
    },
    "reports-expire": {
        "task": "compliance.reports_expire",
        "schedule": crontab(hour=3, minute=30),
    },
    # The outbox: new e-mails, retries after a backoff, leases of dead workers.
    "outbox-deliver": {
        "task": "core.outbox_deliver",
        "schedule": timedelta(minutes=1),
    },
    # Access reports left queued or running by a lost task are queued again.
    "access-reports-sweep": {
        "task": "compliance.access_reports_sweep",
        "schedule": timedelta(minutes=5),
    },
    # The rows of ended sessions (browser, address) are deleted the night after.
    "sessions-clear": {
        "task": "accounts.sessions_clear",
        "schedule": crontab(hour=3, minute=0),
    },
    "erasures-complete": {
        "task": "compliance.erasures_complete",
        "schedule": crontab(hour=3, minute=15),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Accounts, passwords and login ---
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "login"
# Sessions (accounts.sessions): one PostgreSQL row each, read in one query with
# its user (no query more than the user's own, nothing in Redis). A session ends
# after SESSION_IDLE_TIMEOUT seconds without a request and SESSION_ABSOLUTE_TIMEOUT
# seconds after the login, whatever happens; its last use is written at most once
# per SESSION_TOUCH_SECONDS. The cookie lives as long as the absolute timeout.
SESSION_ENGINE = "accounts.sessions"
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 30 * 60))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60))
SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", SESSION_ABSOLUTE_TIMEOUT))

# Lockout policy (django-axes, accounts/security.py): 5 failed logins for one
# username from one client address lock that pair out for 15 minutes; a success
# resets the count. Failures for a username from all addresses together only
# slow it down (per-user back-off), so that no stranger can lock anyone out.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure kept, for the audit
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_HANDLER = "accounts.security.LoginHandler"
LOGIN_BACKOFF_AFTER = AXES_FAILURE_LIMIT
LOGIN_BACKOFF_MAX_SECONDS = 60
# The client's address: X-Forwarded-For is believed only from this many reverse
# proxies in front of the app (core/clientip.py); 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
# Password-reset e-mails per hour, per e-mail address and per client address.
PASSWORD_RESET_LIMIT_PER_EMAIL = 3
PASSWORD_RESET_LIMIT_PER_ADDRESS = 10

# The second factor (accounts/factors.py). Required for these roles (names of
# accounts.roles.Role; empty: for nobody), offered to everyone; whoever has a
# factor uses it. TOTP apps (RFC 6238), passkeys and security keys (WebAuthn),
# and recovery codes, each usable once.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", "Admin,DPO,Manager")
OTP_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Kundenbuch CRM")
# Passkeys are a second factor only: the password stays the first, so that the
# lockout and back-off above see every login.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = os.environ.get("WEBAUTHN_RP_NAME", "Kundenbuch CRM")


def webauthn_party(site_url: str) -> tuple[str, list[str]]:
    """The WebAuthn relying party (a domain, never an IP address) and the origins
    allowed to use it: SITE_URL's host over https, else localhost (browsers
    allow plain http there only)."""
    site = urlsplit(site_url)
    if site.scheme == "https" and site.hostname:
        return site.hostname, [f"{site.scheme}://{site.netloc}"]
    return "localhost", [f"http://localhost:{site.port or 80}"]


OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = webauthn_party(
    os.environ.get("SITE_URL", "http://127.0.0.1:8000")
)
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID") or OTP_WEBAUTHN_RP_ID
OTP_WEBAUTHN_ALLOWED_ORIGINS = (
    env_list("WEBAUTHN_ALLOWED_ORIGINS") or OTP_WEBAUTHN_ALLOWED_ORIGINS
)

# guardian: no anonymous user row; object permissions only for real users.
ANONYMOUS_USER_NAME = None

# --- Internationalisation: German first, English too ---
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date style per language for pages, e-mails and PDFs (English: 31 Dec 2026).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "crm_language"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static files: ours in static/, Bootstrap from the bootstrap-wrapper package,
# htmx from django-htmx; served by WhiteNoise with hashed names. ---
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Contract documents: at most this many bytes each.
CONTRACT_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# Office files (ZIP archives) may unpack to at most this much, in this many parts:
# real documents of 20 MB unpack to a few times that; a zip bomb to gigabytes.
CONTRACT_DOCUMENT_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
CONTRACT_DOCUMENT_MAX_ENTRIES = 10_000
MEDIA_URL = "media/"

# --- E-mail: through Django's backend; SMTP when EMAIL_HOST is set ---
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Seconds an SMTP connection may wait for the server: a hung server fails the
# send (the outbox retries it later) instead of hanging the worker.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 20))
# The outbox (core.outbox): a claimed e-mail is another worker's again after the
# lease (a crashed sender); failures are retried after 1, 2, 4 ... minutes, at
# most 6 hours apart, 12 times; one delivery run claims for 4 minutes at most.
OUTBOX_LEASE = timedelta(seconds=int(os.environ.get("OUTBOX_LEASE_SECONDS", 300)))
OUTBOX_RETRY_BASE = timedelta(minutes=1)
OUTBOX_RETRY_MAX = timedelta(hours=6)
OUTBOX_MAX_ATTEMPTS = 12
OUTBOX_BATCH_SECONDS = 240
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CRM <crm@localhost>")
# The address links in e-mails point to (reminders are sent outside a request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Encryption at rest of sensitive fields (core.crypto): Fernet keys, the first
# encrypts, all decrypt. Rotate: put a new key first, run rotate_field_keys.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")

# Data protection: where views record who viewed or exported whose data
# (core.access), and the company's German state for public holidays in GDPR
# deadlines (empty: nationwide holidays only; e.g. "BY", "NW").
ACCESS_RECORDER = "compliance.services.access_record"
COMPANY_LAND = os.environ.get("COMPANY_LAND", "")
# Statutory retention periods by the company's country: DE (§ 257 HGB, § 147 AO),
# AT (§ 212 UGB, § 132 BAO) or CH (Art. 958f OR); compliance/deadlines.py.
COMPANY_COUNTRY = os.environ.get("COMPANY_COUNTRY", "DE")
# Data reviews: a customer's data is looked at again this many months after
# its last review (data minimisation, Art. 5(1)(c) GDPR).
DATA_REVIEW_MONTHS = int(os.environ.get("DATA_REVIEW_MONTHS", "6"))
# Data protection trainings (compliance.trainings): their holders are reminded
# this many days before a training's validity ends; when TRAINING_BLOCKS_ACCESS
# is on, a user of a company without a valid training sees no page with
# personal data (like a missing confidentiality commitment) until the DPO
# records one.
TRAINING_REMINDER_DAYS = int(os.environ.get("TRAINING_REMINDER_DAYS", "30"))
# The owner of a case is told "due soon" when this share of a target's business
# time has passed (service.cases, service.escalation).
SLA_WARN_SHARE = os.environ.get("SLA_WARN_SHARE", "0.75")
TRAINING_BLOCKS_ACCESS = env_bool("TRAINING_BLOCKS_ACCESS", False)
# The controller (Art. 4(7) GDPR) as it signs access reports, and the authority
# a person may complain to (Art. 15(1)(f)); lines separated by "\n".
COMPANY_NAME = os.environ.get("COMPANY_NAME", "Kundenbuch Demo GmbH")
COMPANY_ADDRESS = os.environ.get(
    "COMPANY_ADDRESS", "Musterstraße 1\n10115 Berlin"
).replace("\\n", "\n")
SUPERVISORY_AUTHORITY = os.environ.get(
    "SUPERVISORY_AUTHORITY",
    "Berliner Beauftragte für Datenschutz und Informationsfreiheit, "
    "Alt-Moabit 59-61, 10555 Berlin",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers: a strict Content-Security-Policy, no inline script or style ---
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "crm.security": {"level": "INFO"},
        "axes": {"level": "INFO"},
    },
}

FORM_RENDERER = "core.forms.BootstrapFormRenderer"
