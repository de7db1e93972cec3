"""Celery tasks of compliance: thin wrappers that pick "today" and call services."""

from celery import shared_task
from django.utils import timezone

from compliance.erasure import erasures_complete


@shared_task(name="compliance.erasures_complete")
def erasures_complete_task() -> dict:
    """Erase held data whose retention ended (idempotent, safe to retry)."""
    today = timezone.localdate()
    return {"day": today.isoformat(), "released": erasures_complete(today=today)}
