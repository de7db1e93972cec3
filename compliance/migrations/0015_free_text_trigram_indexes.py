"""Trigram indexes for the erasure plan's free-text scan (compliance/freetext.py):
a case-insensitive regex on a text column cannot use a B-tree index, a pg_trgm
GIN index serves it. One per free-text field the registry declares today; a
later entry brings its own (tests/compliance/test_free_text.py checks that every
registered field has one). Skipped where pg_trgm is not available."""

from django.db import migrations

INDEXES = [
    ("crm_customer", "notes"),
    ("crm_interaction", "subject"),
    ("crm_interaction", "text"),
    ("contracts_contract", "title"),
    ("contracts_contract", "notes"),
    ("contracts_notice", "note"),
    ("contracts_contractdocument", "title"),
    ("compliance_disclosure", "what"),
]


def _name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


def create(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if cursor.fetchone() is None:
        return
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {_name(table, column)} ON {table} "
            f"USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    for table, column in INDEXES:
        cursor.execute(f"DROP INDEX IF EXISTS {_name(table, column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0014_report_files_encrypted"),
        ("crm", "0010_person_address_version"),
        ("contracts", "0006_unsent_digests_to_outbox"),
    ]

    operations = [migrations.RunPython(create, drop)]
