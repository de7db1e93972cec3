"""Trigram indexes for the erasure plan's free-text scan of cases (subject,
description, root cause, resolution: compliance/freetext.py). Skipped where
pg_trgm is not available."""

from django.db import migrations

FIELDS = ("subject", "description", "root_cause", "resolution")


def create(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if cursor.fetchone() is None:
        return
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for field in FIELDS:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS service_case_{field}_trgm ON service_case "
            f"USING gin ({field} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    for field in FIELDS:
        cursor.execute(f"DROP INDEX IF EXISTS service_case_{field}_trgm")


class Migration(migrations.Migration):
    dependencies = [("service", "0004_rating_comment_trigram")]

    operations = [migrations.RunPython(create, drop)]
