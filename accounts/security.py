"""Login protection: django-axes with a per-user back-off, reset-mail throttling.

Axes locks one (username, client address) pair after AXES_FAILURE_LIMIT
failures: a stranger locks only themselves. Failures for one username from all
addresses together do not lock the account (anyone could do that); they slow it
down: after LOGIN_BACKOFF_AFTER failures each further attempt must wait
2, 4, 8 ... seconds after the last failure, at most LOGIN_BACKOFF_MAX_SECONDS.
Attempts refused while waiting are not checked and not counted, so guessing
from many addresses gets one try per back-off period and the account's owner
waits at most that long. A successful login ends the back-off.

The second step (accounts.factors) is part of the same login: a wrong code
counts as a failed login of its user from its address, a locked pair or a
running back-off refuses the second step as it refuses the password, and only
a passed second step resets the counts (a password alone does not, for users
who need the second step: otherwise each new password login would start the
guessing of codes afresh).
"""

from __future__ import annotations

import hashlib
import logging
import time

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed

from core.cache import cache_delete, cache_get, cache_set

logger = logging.getLogger("crm.security")

_BACKOFF_KEY = "login-backoff:{}"


def _username_key(username: str | None) -> str:
    # Keys in Redis carry no usernames (personal data): a hash of the folded name.
    folded = (username or "").strip().casefold()
    return _BACKOFF_KEY.format(hashlib.sha256(folded.encode()).hexdigest())


# Redis down: no back-off is counted (axes' lock per user and address, kept in the
# database, still holds), and logins keep working.


def login_backoff_seconds(username: str | None, *, now: float | None = None) -> int:
    """Seconds the next login attempt for `username` must still wait (0: none)."""
    if not username:
        return 0
    state = cache_get(_username_key(username))
    if not state or state["failures"] < settings.LOGIN_BACKOFF_AFTER:
        return 0
    steps = state["failures"] - settings.LOGIN_BACKOFF_AFTER + 1
    delay = min(2**steps, settings.LOGIN_BACKOFF_MAX_SECONDS)
    remaining = state["last"] + delay - (time.time() if now is None else now)
    return max(0, int(remaining + 0.999))


def login_failure_record(username: str | None) -> None:
    """Count a failed login for `username`, from whichever address."""
    if not username:
        return
    key = _username_key(username)
    state = cache_get(key) or {"failures": 0}
    state = {"failures": state["failures"] + 1, "last": time.time()}
    cache_set(key, state, int(settings.AXES_COOLOFF_TIME.total_seconds()))


def login_backoff_reset(username: str | None) -> None:
    """A successful login ends the back-off of its username."""
    cache_delete(_username_key(username))


class LoginHandler(AxesDatabaseHandler):
    """Axes' database handler (per username and address) plus the per-user back-off."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
        pair_locked = super().is_locked(request, credentials)
        wait = 0 if pair_locked else login_backoff_seconds(username)
        if wait:
            request.crm_login_backoff = wait
        locked = pair_locked or bool(wait)
        # The password of a refused attempt is not checked (axes' backend stops
        # the login), so the attempt does not count towards the back-off.
        request.crm_login_refused = locked
        return locked

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        refused = getattr(request, "crm_login_refused", False)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None:
            return
        if getattr(request, "crm_login_backoff", 0):
            request.axes_locked_out = True  # answered by the lockout page, 429
        if not refused:
            login_failure_record(credentials.get(settings.AXES_USERNAME_FORM_FIELD))

    def user_logged_in(self, sender, request, user, **kwargs):
        from accounts import factors

        passed = getattr(request, "crm_second_step_passed", False)
        if not passed and factors.second_step_needed(user):
            return  # the password step: counted as a login after the second step
        super().user_logged_in(sender, request, user, **kwargs)
        login_backoff_reset(user.get_username())


def _credentials(user) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def second_step_locked(request, user) -> bool:
    """Whether the second step is refused now: the pair (user, address) is
    locked or the user's back-off is running (sets what the lockout page says)."""
    return AxesProxyHandler.is_locked(request, _credentials(user))


def second_step_failed(request, user) -> bool:
    """Count a wrong second-step code as a failed login; True once it locks."""
    request.crm_login_refused = False
    user_login_failed.send(
        sender=__name__, credentials=_credentials(user), request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def second_step_passed(request, user) -> None:
    """The login is complete: logged as a success, failures and back-off reset."""
    request.crm_second_step_passed = True
    AxesProxyHandler.user_logged_in(sender=__name__, request=request, user=user)


def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """Log a lockout; who and from where stays in axes' AccessAttempt table."""
    # No username or address in the log line: they are personal data (STYLE.md).
    logger.warning(
        "login locked out after repeated failures (see axes access attempts)"
    )


def connect_signals() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(log_lockout, dispatch_uid="crm-log-lockout")
