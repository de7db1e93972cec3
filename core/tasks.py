"""Celery tasks of core: the outbox's delivery; and the retry policy of all tasks."""

from celery import shared_task

# Every task of the project is idempotent, so a failure is retried: after 30 s,
# then doubling up to 10 minutes (with jitter), five times. The cap stays below
# the broker's visibility timeout (settings), so a waiting retry is never
# delivered twice.
RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="core.outbox_deliver", **RETRY)
def outbox_deliver_task() -> dict:
    """Send every due e-mail of the outbox (new ones, retries, expired leases)."""
    from core.outbox import deliver

    return {"sent": deliver()}
