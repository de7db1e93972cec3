"""Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS.

Key rotation: put the new key first (keep the old ones after it), run this
command, then remove the old keys. History tables are included.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core import crypto
from core.fields import EncryptedDateField, EncryptedTextField

BATCH = 1000


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the current (first) key."

    def handle(self, *args, **options) -> None:
        total = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedTextField | EncryptedDateField):
                    count = self._rotate(
                        model._meta.db_table, model._meta.pk.column, field.column
                    )
                    total += count
                    self.stdout.write(f"{model._meta.label}.{field.name}: {count}")
        self.stdout.write(f"rotate_field_keys: {total} values re-encrypted")

    def _rotate(self, table: str, pk: str, column: str) -> int:
        done, last = 0, None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f'"{column}" LIKE %s' + (f' AND "{pk}" > %s' if last else "")
                params = [crypto.TOKEN_PREFIX + "%"] + ([last] if last else [])
                cursor.execute(
                    f'SELECT "{pk}", "{column}" FROM "{table}" WHERE {where} '
                    f'ORDER BY "{pk}" LIMIT {BATCH} FOR UPDATE',
                    params,
                )
                rows = cursor.fetchall()
                for key, token in rows:
                    cursor.execute(
                        f'UPDATE "{table}" SET "{column}" = %s WHERE "{pk}" = %s',
                        [crypto.rotate(token), key],
                    )
            done += len(rows)
            if len(rows) < BATCH:
                return done
            last = rows[-1][0]
