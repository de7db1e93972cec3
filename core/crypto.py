"""Field-level encryption at rest (birthday, personal notes, IBAN): Fernet.

Keys come from settings.FIELD_ENCRYPTION_KEYS (the environment, comma
separated): the first encrypts, all of them decrypt (MultiFernet), so a key is
rotated by putting a new one first and running `manage.py rotate_field_keys`,
which re-encrypts every stored value with it; then the old key can go.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80)


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


def rotate(token: str) -> str:
    """The same value, encrypted with the first (current) key."""
    return fernet().rotate(token.encode()).decode()


def is_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)
