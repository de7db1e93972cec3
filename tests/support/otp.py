"""Signing in with the second factor in tests: the demo users' real devices."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_TOTP_SECRETS
from accounts.factors import totp_key


def totp_code(secret: str, *, at: float | None = None, steps: int = 0) -> str:
    """The code an authenticator app shows for `secret` now (or `steps` later)."""
    import time

    totp = TOTP(bytes.fromhex(totp_key(secret)), step=30, t0=0, digits=6, drift=0)
    totp.time = (time.time() if at is None else at) + 30 * steps
    return f"{totp.token():06d}"


def demo_code(username: str, **kwargs) -> str:
    """The current code of a demo user's authenticator app (accounts/demo.py)."""
    return totp_code(DEMO_TOTP_SECRETS[username], **kwargs)


def mark_verified(client: Client, user) -> None:
    """Mark the client's session as passed the second step with the user's own
    confirmed TOTP device: what django_otp.login writes into the session."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    assert device is not None, f"{user} has no TOTP device (seed_demo gives one)"
    session = client.session
    assert session.get(SESSION_KEY) == str(user.pk)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def sign_in(client: Client, user) -> Client:
    """force_login plus the second step with the user's device."""
    client.force_login(user)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        mark_verified(client, user)
    return client
