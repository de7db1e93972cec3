"""Names sort by German rules: the collation crm_german on the sorted name columns.

PostgreSQL's "C" collation sorts by bytes, so "Schäfer" came after "Schweizer".
The collation is created here, before the columns use it:

- ICU German (DIN 5007-1: ä next to a; digits by value, "Filiale 2" before
  "Filiale 10") where the server has ICU (the local PostgreSQL 15, Docker's);
- else the libc German locale, if the server has one;
- else a copy of "C", with a warning: an embedded PostgreSQL built without ICU
  still migrates and runs, and sorts by bytes as before.

The models name the collation (`db_collation`), so the state stays one and the
same everywhere and later AlterFields keep it; only what it sorts by differs. The
collation is deterministic (ties broken by bytes): equality, unique checks and
LIKE behave as before. Changing a column's collation rebuilds its indexes
(crm_customer_name_id, _owner, _team, crm_person_customer) with it, so keyset
paging by name still reads the (name, id) index.
"""

import warnings

from django.db import DatabaseError, migrations, models, transaction

COLLATION = "crm_german"
ICU_SQL = "CREATE COLLATION \"{name}\" (provider = icu, locale = 'de-u-kn-true')"
LIBC_LOCALES = ["de_DE.utf8", "de_DE.UTF-8", "de_AT.utf8", "de_CH.utf8"]


def create_collation(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [COLLATION])
        if cursor.fetchone():
            return
        # Try it rather than look for ICU collations in pg_collation: PostgreSQL 16
        # lists "unicode" (provider i) even when built without ICU (pgserver is).
        try:
            with transaction.atomic(using=connection.alias):  # a savepoint
                cursor.execute(ICU_SQL.format(name=COLLATION))
            return
        except DatabaseError:
            pass  # "ICU is not supported in this build"
        cursor.execute(
            "SELECT collname FROM pg_collation WHERE collname = ANY(%s) "
            "AND collencoding IN (-1, pg_char_to_encoding('UTF8')) LIMIT 1",
            [LIBC_LOCALES],
        )
        row = cursor.fetchone()
        source = row[0] if row else "C"
        cursor.execute(f'CREATE COLLATION "{COLLATION}" FROM "{source}"')
    if source == "C":
        warnings.warn(
            "This PostgreSQL has no ICU and no German locale: customer and person "
            f'names sort by bytes ("{COLLATION}" is a copy of "C").',
            RuntimeWarning,
            stacklevel=1,
        )


def drop_collation(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'DROP COLLATION IF EXISTS "{COLLATION}"')


class Migration(migrations.Migration):
    dependencies = [("crm", "0008_delivery_detail_lines")]

    operations = [
        migrations.RunPython(create_collation, drop_collation),
        migrations.AlterField(
            model_name="customer",
            name="name",
            field=models.CharField(
                db_collation=COLLATION, max_length=200, verbose_name="name"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="first_name",
            field=models.CharField(
                blank=True,
                db_collation=COLLATION,
                max_length=100,
                verbose_name="first name",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="last_name",
            field=models.CharField(
                db_collation=COLLATION, max_length=100, verbose_name="last name"
            ),
        ),
        # The planner's statistics on the re-collated columns start afresh.
        migrations.RunSQL("ANALYZE crm_customer, crm_person", migrations.RunSQL.noop),
    ]
