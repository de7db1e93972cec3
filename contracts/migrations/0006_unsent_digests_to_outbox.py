"""Unsent digests of before the outbox get their outbox row (core.outbox)."""

from django.db import migrations
from django.utils import timezone


def enqueue_unsent(apps, schema_editor):
    ReminderDigest = apps.get_model("contracts", "ReminderDigest")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind="reminder-digest",
                key=f"reminder-digest:{pk}",
                object_id=pk,
                next_attempt_at=now,
            )
            for pk in ReminderDigest.objects.filter(sent_at__isnull=True).values_list(
                "pk", flat=True
            )
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0005_value_wording_and_bounds"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(enqueue_unsent, migrations.RunPython.noop)]
