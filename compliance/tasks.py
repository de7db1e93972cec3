"""Celery tasks of compliance: thin wrappers that pick "today" and call services."""

from celery import shared_task
from django.utils import timezone

from compliance.erasure import erasures_complete
from core.tasks import RETRY


@shared_task(name="compliance.erasures_complete", **RETRY)
def erasures_complete_task() -> dict:
    """Erase held data whose retention ended (idempotent, safe to retry)."""
    today = timezone.localdate()
    return {"day": today.isoformat(), "released": erasures_complete(today=today)}


@shared_task(name="compliance.access_report", **RETRY)
def access_report_task(report_id: int) -> dict:
    """Make an access report's PDF and JSON (never inside a request)."""
    from compliance.services import access_report_build

    report = access_report_build(report_id=report_id)
    return {"report": report_id, "status": report.status if report else None}


@shared_task(name="compliance.access_reports_sweep", **RETRY)
def access_reports_sweep_task() -> dict:
    """Queue again access reports whose task was lost (stuck queued or running)."""
    from compliance.services import access_reports_sweep

    return {"requeued": access_reports_sweep(now=timezone.now())}


@shared_task(name="compliance.request_reminders", **RETRY)
def request_reminders_task() -> dict:
    """Remind the DPO of requests due in 7 days and tomorrow (exactly once)."""
    from compliance.reminders import request_reminders_plan, request_reminders_send

    today = timezone.localdate()
    planned = request_reminders_plan(today=today)
    return {
        "day": today.isoformat(),
        "planned": planned,
        "sent": request_reminders_send(),
    }


@shared_task(name="compliance.review_digests", **RETRY)
def review_digests_task() -> dict:
    """Each owner's daily e-mail of customers due for a data review (once a day)."""
    from compliance.reviews import review_digests_send

    today = timezone.localdate()
    return {"day": today.isoformat(), "sent": review_digests_send(today=today)}


@shared_task(name="compliance.retention_rules", **RETRY)
def retention_rules_task() -> dict:
    """Apply every active retention rule (idempotent: erased persons are skipped)."""
    from compliance.retention import rules_apply

    today = timezone.localdate()
    return {"day": today.isoformat(), "erased": rules_apply(today=today)}


@shared_task(name="compliance.reports_expire", **RETRY)
def reports_expire_task() -> dict:
    """Delete access report files after 30 days (copies of personal data)."""
    from compliance.services import reports_expire

    return {"deleted": reports_expire(now=timezone.now())}


@shared_task(name="compliance.training_reminders", **RETRY)
def training_reminders_task() -> dict:
    """Remind users whose data protection training ends soon (once per training)."""
    from compliance.trainings import training_reminders_send

    today = timezone.localdate()
    return {"day": today.isoformat(), "sent": training_reminders_send(today=today)}
