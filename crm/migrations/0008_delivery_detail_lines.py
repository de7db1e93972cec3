"""Delivery details as a list of lines in the user's order (was {"label": "value"}).

jsonb keeps an object's keys sorted (shorter keys first, then bytewise), not in the
order they were typed, so the order a row shows today is the only one left: each
object becomes its "label: value" lines in that order, in the live rows and in the
history rows (the history tab and the access report show the same text).
Backwards, lines become an object again; a line without a label gets the key
"-" plus its number (the object cannot hold it otherwise).
"""

from django.db import migrations

import crm.models

TABLES = ["crm_address", "crm_historicaladdress"]

TO_LINES = """
UPDATE {table} SET details = (
    SELECT coalesce(
        jsonb_agg(
            CASE WHEN e.key ~ '^-[0-9]+$' THEN e.value  -- unlabelled, see TO_OBJECT
                 ELSE e.key || ': ' || e.value END
            ORDER BY e.n
        ),
        '[]'::jsonb
    )
    FROM jsonb_each_text(details) WITH ORDINALITY AS e(key, value, n)
) WHERE jsonb_typeof(details) = 'object'
"""

TO_OBJECT = """
UPDATE {table} SET details = (
    SELECT coalesce(
        jsonb_object_agg(
            CASE WHEN l.line ~ '^[^:]*\\S\\s*:\\s+\\S'
                 THEN trim(split_part(l.line, ':', 1)) ELSE '-' || l.n END,
            CASE WHEN l.line ~ '^[^:]*\\S\\s*:\\s+\\S'
                 THEN trim(substr(l.line, strpos(l.line, ':') + 1)) ELSE l.line END
        ),
        '{{}}'::jsonb
    )
    FROM jsonb_array_elements_text(details) WITH ORDINALITY AS l(line, n)
) WHERE jsonb_typeof(details) = 'array'
"""


class Migration(migrations.Migration):
    dependencies = [("crm", "0007_analyze_restriction")]

    operations = [
        migrations.AlterField(
            model_name="address",
            name="details",
            field=crm.models.DetailLinesField(
                blank=True, default=list, verbose_name="delivery details"
            ),
        ),
        migrations.AlterField(
            model_name="historicaladdress",
            name="details",
            field=crm.models.DetailLinesField(
                blank=True, default=list, verbose_name="delivery details"
            ),
        ),
        *[
            migrations.RunSQL(
                TO_LINES.format(table=table), TO_OBJECT.format(table=table)
            )
            for table in TABLES
        ],
    ]
