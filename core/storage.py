"""File storage that keeps files encrypted at rest (Fernet, the field keys).

For files that are copies of personal data kept for days, such as access
reports: whoever reads the media directory or a backup of it sees tokens. Files
are encrypted and decrypted whole in memory (reports are a few megabytes); the
keys and their rotation are those of the encrypted fields (core.crypto).
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from core import crypto


class EncryptedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage (MEDIA_ROOT) whose files hold Fernet tokens."""

    def _save(self, name, content):
        content.seek(0)
        token = crypto.fernet().encrypt(content.read())
        return super()._save(name, ContentFile(token))

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Encrypted files are written through save() only.")
        with super()._open(name, "rb") as stored:
            data = stored.read()
        return ContentFile(self._plain(data), name=name)

    def size(self, name) -> int:
        with super()._open(name, "rb") as stored:
            return len(self._plain(stored.read()))

    @staticmethod
    def _plain(data: bytes) -> bytes:
        # Decryption, not the look, tells a token: a file written before the
        # storage encrypted (kept at most 30 days) is returned as it is.
        try:
            return crypto.fernet().decrypt(data)
        except InvalidToken:
            return data


def encrypted_storage() -> EncryptedFileSystemStorage:
    """The storage of access report files (a callable: FileField(storage=...))."""
    return EncryptedFileSystemStorage()
