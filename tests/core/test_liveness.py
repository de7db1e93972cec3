"""/healthz/tasks: worker and beat liveness and each daily task's last run."""

import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from core.models import Heartbeat
from tests.support.worker import start_worker, stop


def tasks_health(client):
    response = client.get("/healthz/tasks")
    return response.status_code, response.json()


def test_no_worker_and_no_beat_is_an_error(client, db):
    status, body = tasks_health(client)

    assert status == 503
    assert body["worker"] == {"status": "never", "last_seen": None}
    assert body["beat"] == {"status": "never", "last_seen": None}
    assert body["tasks"]["contracts.send_reminders"]["status"] == "never"
    assert body["status"] == "error"


@pytest.mark.slow
def test_a_real_worker_running_the_heartbeat_and_a_daily_task_is_ok(
    client, transactional_db
):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue)
    try:
        # We publish it as beat does (the publishing process records "beat").
        app.send_task("core.heartbeat", queue=queue)
        app.send_task("compliance.reports_expire", queue=queue).get(timeout=60)
        deadline = timezone.now() + timedelta(seconds=60)
        while not Heartbeat.objects.filter(name="worker").exists():
            assert timezone.now() < deadline, "the worker recorded no heartbeat"
            time.sleep(0.2)
    finally:
        stop(worker)

    status, body = tasks_health(client)

    assert body["worker"]["status"] == "ok"
    assert body["beat"]["status"] == "ok"
    assert body["tasks"]["compliance.reports_expire"]["status"] == "ok"
    assert status == 200
    assert body["status"] == "ok"


def test_a_dead_worker_and_a_missed_daily_run_are_reported(client, db):
    now = timezone.now()
    Heartbeat.objects.create(name="beat", at=now)
    Heartbeat.objects.create(name="worker", at=now - timedelta(minutes=10))
    Heartbeat.objects.create(
        name="contracts.send_reminders", at=now - timedelta(hours=30)
    )

    status, body = tasks_health(client)

    assert status == 503
    assert body["beat"]["status"] == "ok"
    assert body["worker"]["status"] == "stale"
    assert body["tasks"]["contracts.send_reminders"]["status"] == "late"


def test_beat_sends_the_heartbeat_every_minute():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]
    assert entry["task"] == "core.heartbeat"
    assert entry["schedule"] == timedelta(minutes=1)
