"""Celery tasks and signal hooks of core: the heartbeats of beat, worker and tasks."""

from celery import shared_task
from celery.signals import before_task_publish, task_success

from core.liveness import HEARTBEAT_TASK, heartbeat_record, scheduled_tasks


@shared_task(name=HEARTBEAT_TASK, ignore_result=True)
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
