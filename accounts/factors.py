"""The second factor: who needs one, which factors a user has, and the codes.

Factors are django-otp devices: TOTP (an authenticator app, RFC 6238), WebAuthn
credentials (passkeys, security keys; django-otp-webauthn) and one static
device holding the recovery codes (each code works once). The password is the
first step; whoever has a factor, or holds a role of settings.OTP_REQUIRED_ROLES,
passes a second one before any page but the login's own
(accounts.middleware.SecondFactorMiddleware).
"""

from __future__ import annotations

import secrets
from base64 import b32decode, b32encode
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.permissions import roles_of

# Recovery codes: 8 characters of an alphabet without look-alikes (no 0/O, 1/l),
# shown as "abcd-efgh"; about 40 bits each, and each works once.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 8


def required_for(user) -> bool:
    """Whether the user's role requires a second factor (OTP_REQUIRED_ROLES)."""
    return bool(roles_of(user) & frozenset(settings.OTP_REQUIRED_ROLES))


def has_factor(user) -> bool:
    """Whether the user has a confirmed TOTP device or passkey (two queries)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def second_step_needed(user) -> bool:
    """Whether a password login of this user still needs the second step (or,
    without a factor yet, the enrolment)."""
    return user.is_authenticated and (has_factor(user) or required_for(user))


def has_factor_sql() -> ExpressionWrapper:
    """has_factor as an SQL condition on users (for a list: no query per row)."""
    totp = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    passkeys = WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True)
    return ExpressionWrapper(
        Q(Exists(totp)) | Q(Exists(passkeys)), output_field=BooleanField()
    )


@dataclass(frozen=True)
class Factors:
    """What the security page shows: a user's factors and recovery codes."""

    totp: list[TOTPDevice]
    passkeys: list[WebAuthnCredential]
    recovery_codes: list[str]

    @property
    def count(self) -> int:
        return len(self.totp) + len(self.passkeys)


def factors_of(user) -> Factors:
    """The user's confirmed factors and remaining recovery codes."""
    totp = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))
    passkeys = list(
        WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk")
    )
    codes = list(
        StaticDevice.objects.filter(user=user, confirmed=True)
        .values_list("token_set__token", flat=True)
        .exclude(token_set__token=None)
        .order_by("token_set__pk")
    )
    return Factors(totp, passkeys, [format_recovery_code(code) for code in codes])


def new_totp_secret() -> str:
    """A random TOTP secret in base32 (160 bits, what authenticator apps take)."""
    return b32encode(secrets.token_bytes(20)).decode()


def totp_key(secret: str) -> str:
    """django-otp's hex key of a base32 secret (spaces and case ignored)."""
    cleaned = secret.replace(" ", "").upper()
    cleaned += "=" * (-len(cleaned) % 8)
    return b32decode(cleaned).hex()


def totp_uri(*, secret: str, account: str) -> str:
    """The otpauth:// address an authenticator app scans (Key Uri Format)."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{account}")
    params = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6,
         "period": 30}
    )  # fmt: skip
    return f"otpauth://totp/{label}?{params}"


def qr_svg(data: str, *, title: str) -> str:
    """A QR code as inline SVG markup, rendered here (no script, no style)."""
    buffer = BytesIO()
    segno.make(data, error="m").save(
        buffer,
        kind="svg",
        scale=4,
        border=2,
        xmldecl=False,
        svgns=True,
        nl=False,
        title=title,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        lineclass=None,
    )
    return buffer.getvalue().decode()


def new_recovery_code() -> str:
    """One random recovery code as stored (no separator)."""
    return "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))


def format_recovery_code(code: str) -> str:
    """A stored code as shown: "abcd-efgh"."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_code(code: str) -> str:
    """What the user typed, as compared: no spaces or dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def is_totp_code(code: str) -> bool:
    """Six digits: a code of an authenticator app (else a recovery code)."""
    return len(code) == 6 and code.isdigit()
