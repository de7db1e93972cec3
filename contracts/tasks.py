"""Celery tasks of contracts: thin wrappers that pick "today" and call services."""

from celery import shared_task
from django.utils import timezone

from contracts.reminders import reminders_plan, reminders_send
from contracts.services import contracts_roll_over
from core.tasks import RETRY


@shared_task(name="contracts.send_reminders", **RETRY)
def send_reminders_task() -> dict:
    """Roll passed deadlines over, plan today's reminders, send the digests.

    Idempotent and safe to retry.
    """
    today = timezone.localdate()
    rolled = contracts_roll_over(today=today)
    plan = reminders_plan(today=today)
    sent = reminders_send(today=today)
    return {
        "day": today.isoformat(),
        "rolled_over": rolled,
        "planned": plan.written,
        "sent": sent,
    }
