"""Celery tasks of accounts: thin wrappers around services."""

from celery import shared_task
from django.utils import timezone

from core.tasks import RETRY


@shared_task(name="accounts.sessions_clear", **RETRY)
def sessions_clear_task() -> dict:
    """Delete the rows of ended sessions (idempotent, safe to retry)."""
    from accounts.services import sessions_clear_expired

    return {"deleted": sessions_clear_expired(now=timezone.now())}
