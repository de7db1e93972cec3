"""Celery tasks of contracts: thin wrappers that pick "today" and call services."""

from celery import shared_task
from django.utils import timezone

from contracts.reminders import reminders_plan, reminders_send


@shared_task(name="contracts.send_reminders")
def send_reminders_task() -> dict:
    """Plan today's reminders and send the digests (idempotent, safe to retry)."""
    today = timezone.localdate()
    plan = reminders_plan(today=today)
    sent = reminders_send(today=today)
    return {"day": today.isoformat(), "planned": plan.written, "sent": sent}
