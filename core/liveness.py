"""Is anyone running the tasks? Beat, worker and daily tasks leave heartbeats.

Beat sends `core.heartbeat` every minute and records that it did (in the
publishing process, see core.tasks); a worker records running it; each task of
the beat schedule records its last successful run. /healthz/tasks reads them: one
primary-key query, no broadcast to the workers.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from core.models import Heartbeat

HEARTBEAT_TASK = "core.heartbeat"
HEARTBEAT_EVERY = timedelta(minutes=1)
# Beat and worker count as dead after missing a few heartbeats; a daily task
# as late when its last run is more than a day and a bit ago.
STALE_AFTER = timedelta(minutes=5)
DAILY_LATE_AFTER = timedelta(hours=26)


def heartbeat_record(name: str, *, at: datetime | None = None) -> None:
    """Upsert the time `name` last showed life."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})


def scheduled_tasks() -> list[str]:
    """The task names beat runs daily (everything in the schedule but the heartbeat)."""
    return sorted(
        {
            entry["task"]
            for entry in settings.CELERY_BEAT_SCHEDULE.values()
            if entry["task"] != HEARTBEAT_TASK
        }
    )


@dataclass(frozen=True)
class Liveness:
    state: dict
    healthy: bool


def liveness(*, now: datetime) -> Liveness:
    """Worker and beat alive, last run of each daily task, and whether all is well."""
    seen = dict(Heartbeat.objects.values_list("name", "at"))
    state: dict = {}
    healthy = True
    for name in ["worker", "beat"]:
        at = seen.get(name)
        status = "never" if at is None else "ok" if now - at <= STALE_AFTER else "stale"
        healthy &= status == "ok"
        state[name] = {"status": status, "last_seen": at and at.isoformat()}
    tasks = {}
    for name in scheduled_tasks():
        at = seen.get(name)
        # "never" is no error: a new installation has not reached 03:15 yet.
        status = "never" if at is None else "ok"
        if at is not None and now - at > DAILY_LATE_AFTER:
            status = "late"
            healthy = False
        tasks[name] = {"status": status, "last_run": at and at.isoformat()}
    state["tasks"] = tasks
    state["status"] = "ok" if healthy else "error"
    return Liveness(state=state, healthy=healthy)
