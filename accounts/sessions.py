"""Sessions: one PostgreSQL row each (accounts.UserSession), read with their user.

The row is the session and the only place it lives. One query per request reads
it joined with its user, and accounts.middleware.AuthenticationMiddleware takes
the user from that row instead of Django's own user query: the same number of
queries as before (the cached_db engine read the session from Redis and then
the user from PostgreSQL), one round trip fewer, and nothing in Redis that could
outlive the row. cached_db kept a session deleted during a Redis outage in the
cache, and the old cookie was signed in again once Redis came back with its data
(tests/accounts/test_session_outage.py); with the row as the only copy, a session
that is ended is ended, whichever way (logout, timeout, "end other sessions", a
password change), and a Redis outage does not touch signed-in pages at all.

The policy (SESSION_IDLE_TIMEOUT, SESSION_ABSOLUTE_TIMEOUT): the session's data
notes when it signed in and when it was last used; each save sets the row's
expire_date to the earliest of signed-in + absolute, last use + idle and Django's
cookie age, so the very query that reads a session refuses an expired one.
The last use is written at most once per SESSION_TOUCH_SECONDS (a request in
between writes nothing), so a session may end up to that much before its idle
timeout, never after it.

django-user-sessions (2.0.0) was considered and not taken: it declares Django up
to 4.0, has a database backend only (a second query per request beside the user
query), replaces Django's SessionMiddleware with a copy of an old version, takes
REMOTE_ADDR rather than core.clientip's trusted-proxy address, and writes its
last activity only when the session changes (or on every request).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from core.clientip import client_ip

# The session's own notes: {"signed_in": epoch s, "seen": epoch s, "ip", "agent"}.
CLIENT_KEY = "_crm_client"
AGENT_MAX = 300


def reference_of(session_key: str) -> str:
    """The public name of a session: a keyed digest of its key, never the key."""
    return salted_hmac(
        "accounts.session-reference", session_key, algorithm="sha256"
    ).hexdigest()[:32]


def _moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


class SessionStore(db.SessionStore):
    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self.user_row = None  # the session's user, read in the same query
        self.ended = False  # a key was given whose session is gone or expired

    @classmethod
    def get_model_class(cls):
        from accounts.models import UserSession

        return UserSession

    def _get_session_from_db(self):
        try:
            row = self.model.objects.select_related("user__company").get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as error:
            if isinstance(error, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{type(error).__name__}")
                logger.warning(str(error))
            self.ended = True
            self._session_key = None
            return None
        self.user_row = row.user
        return row

    def create_model_instance(self, data: dict):
        row = super().create_model_instance(data)
        row.reference = reference_of(row.session_key)
        user_id = data.get(SESSION_KEY)
        row.user_id = auth.get_user_model()._meta.pk.to_python(user_id)
        client = data.get(CLIENT_KEY)
        if client:
            row.user_agent = client["agent"][:AGENT_MAX]
            row.ip_address = client["ip"]
            row.signed_in_at = _moment(client["signed_in"])
            row.last_seen = _moment(client["seen"])
            row.expire_date = min(
                row.expire_date,
                row.signed_in_at + timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT),
                row.last_seen + timedelta(seconds=settings.SESSION_IDLE_TIMEOUT),
            )
        return row


# --- Signing in, the timeouts, the last use ----------------------------------------


def _client_of(request, *, now: int, signed_in: int) -> dict:
    return {
        "signed_in": signed_in,
        "seen": now,
        "ip": client_ip(request),
        "agent": request.headers.get("User-Agent", "")[:AGENT_MAX],
    }


def session_started(request, **_kwargs) -> None:
    """A login (any way: the login page, a second factor, the admin): the
    absolute timeout counts from now."""
    now = int(time.time())
    request.session[CLIENT_KEY] = _client_of(request, now=now, signed_in=now)


def timed_out(client: dict, *, now: int) -> bool:
    """Whether the idle or the absolute timeout has ended the session."""
    return (
        now - client["seen"] >= settings.SESSION_IDLE_TIMEOUT
        or now - client["signed_in"] >= settings.SESSION_ABSOLUTE_TIMEOUT
    )


def session_touch(request, *, now: int) -> None:
    """Note this request as the session's last use, at most once per
    SESSION_TOUCH_SECONDS, or at once when the address or browser changed."""
    session = request.session
    client = session.get(CLIENT_KEY)
    if client is None:  # signed in before the policy existed: it counts from now
        session_started(request)
        return
    fresh = _client_of(request, now=now, signed_in=client["signed_in"])
    due = now - client["seen"] >= settings.SESSION_TOUCH_SECONDS
    if due or (fresh["ip"], fresh["agent"]) != (client["ip"], client["agent"]):
        session[CLIENT_KEY] = fresh


# --- The signed-in user, from the session's row --------------------------------------


def session_user(request):
    """Django's auth.get_user, with the user the session's query already read."""
    from django.contrib.auth.models import AnonymousUser

    session = request.session
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    user = getattr(session, "user_row", None)
    if (
        user is None
        or user.pk != user_id
        or backend_path not in settings.AUTHENTICATION_BACKENDS
    ):
        return auth.get_user(request)  # Django's own way, with its user query
    backend = auth.load_backend(backend_path)
    if not isinstance(backend, ModelBackend):  # another backend loads its own way
        return auth.get_user(request)
    if not backend.user_can_authenticate(user):  # e.g. disabled since
        return AnonymousUser()
    return _verified(request, user) or AnonymousUser()


def _verified(request, user):
    """The user if the session's hash matches the password (as Django checks it)."""
    session = request.session
    session_hash = session.get(HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):  # signed with a SECRET_KEY_FALLBACKS key: re-signed with the current one
        session.cycle_key()
        session[HASH_SESSION_KEY] = current
        return user
    session.flush()
    return None
