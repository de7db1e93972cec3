"""Celery tasks of compliance: thin wrappers that pick "today" and call services."""

from celery import shared_task
from django.utils import timezone

from compliance.erasure import erasures_complete


@shared_task(name="compliance.erasures_complete")
def erasures_complete_task() -> dict:
    """Erase held data whose retention ended (idempotent, safe to retry)."""
    today = timezone.localdate()
    return {"day": today.isoformat(), "released": erasures_complete(today=today)}


@shared_task(name="compliance.access_report")
def access_report_task(report_id: int) -> dict:
    """Make an access report's PDF and JSON (never inside a request)."""
    from compliance.services import access_report_build

    report = access_report_build(report_id=report_id)
    return {"report": report_id, "status": report.status if report else None}
