"""Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS.

Key rotation: put the new key first (keep the old ones after it), run this
command, then remove the old keys. History tables are included.

Plain text is encrypted on the way: values stored before a column was encrypted,
and notes typed as "gAAAAA..." that the old field stored unencrypted because it
took them for tokens. Decryption tells them apart: what no key opens and is not
built like a token is plain text. A value built like a token that no key opens
stops the command (a key is missing) unless --encrypt-undecryptable says it was
typed text.
"""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core import crypto
from core.fields import EncryptedDateField, EncryptedTextField

BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the current (first) key."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--encrypt-undecryptable",
            action="store_true",
            help="Encrypt values built like a token that no key opens as plain text.",
        )

    def handle(self, *args, **options) -> None:
        self.force = options["encrypt_undecryptable"]
        total, undecryptable = 0, []
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedTextField | EncryptedDateField):
                    count, plain, stuck = self._rotate(
                        model._meta.db_table, model._meta.pk.column, field.column
                    )
                    total += count
                    label = f"{model._meta.label}.{field.name}"
                    note = f" ({plain} plain text encrypted)" if plain else ""
                    self.stdout.write(f"{label}: {count}{note}")
                    if stuck:
                        undecryptable.append(f"{label}: {stuck}")
        self.stdout.write(f"rotate_field_keys: {total} values re-encrypted")
        if undecryptable:
            raise CommandError(
                "Values built like a token that no key decrypts were left as they "
                f"are ({', '.join(undecryptable)}): add their key to "
                "FIELD_ENCRYPTION_KEYS, or run with --encrypt-undecryptable if they "
                "are typed text."
            )

    def _rotate(self, table: str, pk: str, column: str) -> tuple[int, int, int]:
        done, plain, stuck, last = 0, 0, 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"\"{column}\" <> ''" + (f' AND "{pk}" > %s' if last else "")
                cursor.execute(
                    f'SELECT "{pk}", "{column}" FROM "{table}" WHERE {where} '
                    f'ORDER BY "{pk}" LIMIT {BATCH} FOR UPDATE',
                    [last] if last else [],
                )
                rows = cursor.fetchall()
                for key, value in rows:
                    new = self._reencrypt(value)
                    if new is None:
                        stuck += 1
                        continue
                    if new[1]:
                        plain += 1
                    cursor.execute(
                        f'UPDATE "{table}" SET "{column}" = %s WHERE "{pk}" = %s',
                        [new[0], key],
                    )
                    done += 1
            if len(rows) < BATCH:
                return done, plain, stuck
            last = rows[-1][0]

    def _reencrypt(self, value: str) -> tuple[str, bool] | None:
        """(the value under the first key, whether it was plain text), or None."""
        try:
            return crypto.rotate(value), False
        except InvalidToken:
            if crypto.has_token_shape(value) and not self.force:
                return None
            return crypto.encrypt(value), True
