"""Every task is retried with backoff, and the broker redelivers lost tasks in time."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app


def project_tasks():
    app.loader.import_default_modules()
    return {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0] in {"core", "accounts", "contracts", "compliance"}
    }


def test_every_project_task_is_retried_with_backoff_below_the_visibility_timeout():
    tasks = project_tasks()
    assert {"core.outbox_deliver", "compliance.access_reports_sweep"} <= set(tasks)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for name, task in tasks.items():
        assert task.autoretry_for == (Exception,), name
        assert task.max_retries >= 3, name
        assert 0 < task.retry_backoff_max < visibility, name
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit < visibility <= 30 * 60
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert settings.EMAIL_TIMEOUT > 0
    assert settings.OUTBOX_LEASE.total_seconds() > 3 * settings.EMAIL_TIMEOUT
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"core.outbox_deliver", "compliance.access_reports_sweep"} <= beat


@pytest.mark.django_db
def test_a_report_stuck_queued_or_running_is_queued_again(
    demo, django_capture_on_commit_callbacks
):
    from compliance.models import AccessReport
    from compliance.services import REPORT_STUCK_AFTER, access_reports_sweep
    from tests.compliance.conftest import open_request

    request = open_request(demo["dora"])
    now = timezone.now()
    old = now - REPORT_STUCK_AFTER - timedelta(minutes=1)
    stuck = AccessReport.objects.create(
        request=request, requested_by=demo["dora"], status="running", progress=40
    )
    fresh = AccessReport.objects.create(request=request, requested_by=demo["dora"])
    done = AccessReport.objects.create(
        request=request, requested_by=demo["dora"], status="done", progress=100
    )
    AccessReport.objects.filter(pk__in=[stuck.pk, done.pk]).update(updated_at=old)
    with django_capture_on_commit_callbacks() as queued:
        assert access_reports_sweep(now=now) == 1
    assert len(queued) == 1  # access_report_task.delay(stuck)
    stuck.refresh_from_db()
    assert stuck.updated_at == now  # the next sweep leaves it to that task
    assert access_reports_sweep(now=now) == 0
    fresh.refresh_from_db()
    assert fresh.status == "queued"
