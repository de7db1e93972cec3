"""Celery tasks of service: thin wrappers that pick "today" and call services.

(The domain module of follow-up tasks is service/followups.py: `tasks.py` is
the name Celery's autodiscovery looks for.)
"""

from celery import shared_task
from django.utils import timezone

from core.tasks import RETRY
from service.escalation import escalation_scan
from service.followups import task_digests_send


@shared_task(name="service.task_digests", **RETRY)
def task_digests_task() -> dict:
    """Send today's e-mail of due and overdue tasks to each assignee, once."""
    today = timezone.localdate()
    return {"day": today.isoformat(), "sent": task_digests_send(today=today)}


@shared_task(name="service.case_escalations", **RETRY)
def case_escalations_task() -> dict:
    """Tell owners of cases due soon and managers of missed targets, once each."""
    now = timezone.now()
    return {"at": now.isoformat(), "sent": escalation_scan(now=now)}
