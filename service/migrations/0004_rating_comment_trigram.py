"""The trigram index for the erasure plan's free-text scan of rating comments
(compliance/freetext.py; tests/compliance/test_free_text.py asks one of every
registered free-text field). Skipped where pg_trgm is not available."""

from django.db import migrations

INDEX = "service_caserating_comment_trgm"


def create(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if cursor.fetchone() is None:
        return
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON service_caserating "
        "USING gin (comment gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    schema_editor.connection.cursor().execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("service", "0003_cases")]

    operations = [migrations.RunPython(create, drop)]
