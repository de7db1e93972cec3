"""Field-level encryption at rest (birthday, personal notes, IBAN): Fernet.

Keys come from settings.FIELD_ENCRYPTION_KEYS (the environment, comma
separated): the first encrypts, all of them decrypt (MultiFernet), so a key is
rotated by putting a new one first and running `manage.py rotate_field_keys`,
which re-encrypts every stored value with it; then the old key can go.
"""

from __future__ import annotations

import base64
import binascii
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# A Fernet token: version byte 0x80, 8 bytes time, 16 bytes IV, the AES blocks
# (at least one) and a 32-byte HMAC, all urlsafe base64.
_TOKEN_OVERHEAD = 1 + 8 + 16 + 32


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted: is its key in FIELD_ENCRYPTION_KEYS?"
        ) from error


def decrypt_stored(value: str) -> str:
    """A stored value as plain text: decrypted, or legacy plain text as it is.

    Decryption decides what is a token, never the look of a value: before
    every value was encrypted, text typed as "gAAAAA..." was stored in plain
    (and text from before encryption was introduced). Only a value that has a
    token's exact shape and that no key opens is an error: its key is missing.
    """
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken as error:
        if has_token_shape(value):
            raise ImproperlyConfigured(
                "A stored value cannot be decrypted: is its key in "
                "FIELD_ENCRYPTION_KEYS?"
            ) from error
        return value


def rotate(token: str) -> str:
    """The same value, encrypted with the first (current) key (InvalidToken if
    no key opens it)."""
    return fernet().rotate(token.encode()).decode()


def has_token_shape(value: str) -> bool:
    """Whether `value` is built like a Fernet token (says nothing about its key)."""
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return False
    return (
        raw[:1] == b"\x80"
        and len(raw) >= _TOKEN_OVERHEAD + 16
        and (len(raw) - _TOKEN_OVERHEAD) % 16 == 0
    )
