"""Customer numbers from a sequence; trigram indexes for the search where pg_trgm
exists (a PostgreSQL without contrib has none: the search then finds
exact words only, see crm/search.py)."""

from django.db import migrations

TRIGRAM_INDEXES = [
    ("crm_customer_search_trgm", "crm_customer"),
    ("crm_person_search_trgm", "crm_person"),
]


def create_trigram_indexes(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if cursor.fetchone() is None:
        return
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in TRIGRAM_INDEXES:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    for name, _table in TRIGRAM_INDEXES:
        cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS crm_customer_number_seq START 1",
            "DROP SEQUENCE IF EXISTS crm_customer_number_seq",
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
