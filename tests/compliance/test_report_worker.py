"""The access report through Redis and a real Celery worker, as `make run` makes it."""

import time
import uuid

import pytest

from compliance import services
from compliance.models import AccessReport
from compliance.tasks import access_report_task
from tests.support.worker import start_worker, stop

from .conftest import open_request

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_makes_the_report_others_see_its_state_a_redelivery_changes_nothing(
    demo, erika, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, MEDIA_ROOT=str(tmp_path))
    try:
        request = open_request(demo["dora"], person=erika)
        report = AccessReport.objects.create(
            request=request, person=erika, requested_by=demo["dora"]
        )
        result = access_report_task.apply_async((report.pk,), queue=queue)
        seen = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            report.refresh_from_db()
            seen.append((report.status, report.progress))
            if report.status in {"done", "failed"}:
                break
            time.sleep(0.05)
        assert result.get(timeout=30) == {"report": report.pk, "status": "done"}
        # each step is committed by the worker: this process (the polling page's
        # side) saw the report move on, never a failure
        statuses = [status for status, _progress in seen]
        assert "done" in statuses
        assert set(statuses) <= {"queued", "running", "done"}
        # and only forward: never back to "queued, 0 %" once it ran
        progress = [percent for _status, percent in seen]
        assert progress == sorted(progress), seen
        started = statuses.index("running") if "running" in statuses else len(seen)
        assert "queued" not in statuses[started:], seen
        assert (report.status, report.progress) == ("done", 100)
        assert report.pages >= 2  # letter, then the rest flows
        assert report.pdf.read().startswith(b"%PDF")
        # a second delivery of the same task changes nothing
        again = services.access_report_build(report_id=report.pk)
        assert again.pdf.name == report.pdf.name
    finally:
        stop(worker)
