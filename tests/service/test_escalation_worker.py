"""The escalation task through Redis and a real Celery worker on the test database:
each alert e-mail leaves once, also when the worker is killed (SIGKILL) in the
middle of a batch and a new worker runs the scan again."""

import signal
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboxMessage, OutboxStatus
from service.escalation import ALERT
from service.models import AlertStage, Case, CaseAlert
from service.tasks import case_escalations_task
from tests.crm.conftest import make_customer
from tests.service.test_cases import new_case
from tests.support.worker import start_worker, stop
from tests.test_worker_killed import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def due_cases(demo) -> list[Case]:
    """Three cases of anna's due now: one due soon (to anna), two missed (to
    maria, the manager of Nord). The worker scans at its own clock, so their
    stored moments are set around it."""
    now = timezone.now()
    customer = make_customer(demo["anna"], "Nord", name="Eskalation GmbH")
    made = []
    for number, missed in enumerate([False, True, True]):
        case = new_case(customer, demo["anna"], subject=f"Fall {number}", now=now)
        Case.objects.filter(pk=case.pk).update(
            response_warn_at=now - timedelta(hours=2),
            response_due_at=now + timedelta(hours=-1 if missed else 1),
            resolution_warn_at=now + timedelta(days=3),
            resolution_due_at=now + timedelta(days=4),
        )
        made.append(case)
    return made


def test_the_task_sends_each_alert_once(demo, tmp_path):
    due_cases(demo)
    log = tmp_path / "mail.log"
    log.touch()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        queue, TEST_EMAIL_BACKEND="tests.support.mail.EmailBackend",
        TEST_MAIL_LOG=str(log),
    )  # fmt: skip
    try:
        first = case_escalations_task.apply_async(queue=queue).get(timeout=60)
        second = case_escalations_task.apply_async(queue=queue).get(timeout=60)
    finally:
        stop(worker)
    assert (first["sent"], second["sent"]) == (3, 0)
    recipients = sorted(line.split(" ", 1)[1] for line in log.read_text().splitlines())
    assert recipients == [
        "['anna@example.com']",
        "['maria@example.com']",
        "['maria@example.com']",
    ]
    assert sorted(CaseAlert.objects.values_list("stage", flat=True)) == [
        AlertStage.SOON,
        AlertStage.BREACHED,
        AlertStage.BREACHED,
    ]


def test_a_worker_killed_mid_batch_and_a_rerun_send_each_alert_once(demo, tmp_path):
    due_cases(demo)
    log = tmp_path / "mail.log"
    log.touch()
    mail = {"TEST_EMAIL_BACKEND": "tests.support.mail.EmailBackend",
            "TEST_MAIL_LOG": str(log)}  # fmt: skip
    queue = f"test-{uuid.uuid4().hex[:8]}"
    outbox = OutboxMessage.objects.filter(kind=ALERT)

    # Each e-mail takes 2 s, so the worker can be caught in the middle: the
    # first alert sent and marked, the second claimed and being sent.
    doomed = start_worker(queue, TEST_MAIL_DELAY="2", **mail)
    try:
        case_escalations_task.apply_async(queue=queue)
        caught = wait_for(
            lambda: (
                len(log.read_text().splitlines()) == 1
                and outbox.filter(status=OutboxStatus.SENT).count() == 1
                and outbox.filter(status=OutboxStatus.SENDING).count() == 1
            ),
            90,
        )
        assert caught, log.read_text()
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
    finally:
        if doomed.poll() is None:
            stop(doomed)
    assert len(log.read_text().splitlines()) == 1
    assert CaseAlert.objects.count() == 3  # all three planned before sending
    assert CaseAlert.objects.filter(sent_at__isnull=False).count() == 1
    assert outbox.filter(status=OutboxStatus.PENDING).count() == 1
    # The dead worker's alert is "sending" under its lease; let the lease run
    # out (instead of waiting OUTBOX_LEASE) so the next run may send it.
    outbox.filter(status=OutboxStatus.SENDING).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )

    survivor = start_worker(queue, **mail)
    try:
        result = case_escalations_task.apply_async(queue=queue).get(timeout=60)
        again = case_escalations_task.apply_async(queue=queue).get(timeout=60)
    finally:
        stop(survivor)
    lines = log.read_text().splitlines()
    assert (result["sent"], again["sent"]) == (2, 0)
    assert len(lines) == 3
    assert len({line.split()[0] for line in lines}) == 3  # three different alerts
    assert CaseAlert.objects.count() == 3  # the rescan planned nothing twice
    assert CaseAlert.objects.filter(sent_at__isnull=True).exists() is False
    assert set(outbox.values_list("status", flat=True)) == {OutboxStatus.SENT}
