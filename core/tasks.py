"""Celery tasks of core: the outbox's delivery, the heartbeats of beat, worker and
tasks; and the retry policy of all tasks."""

from celery import shared_task
from celery.signals import before_task_publish, task_success

from core.liveness import HEARTBEAT_TASK, heartbeat_record, scheduled_tasks

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


@shared_task(name=HEARTBEAT_TASK, ignore_result=True, **RETRY)
def heartbeat_task() -> None:
    """A worker ran it: the worker is alive."""
    heartbeat_record("worker")


@before_task_publish.connect
def _beat_sends_heartbeat(sender=None, **kwargs) -> None:
    # Only beat publishes the heartbeat (every minute), so publishing it proves
    # that beat runs, even while no worker takes it.
    if sender == HEARTBEAT_TASK:
        heartbeat_record("beat")


@task_success.connect
def _daily_task_ran(sender=None, **kwargs) -> None:
    if sender is not None and sender.name in scheduled_tasks():
        heartbeat_record(sender.name)
