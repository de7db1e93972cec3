"""The reminder task through Redis and a real Celery worker on the test database."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.models import Reminder, ReminderDigest
from contracts.tasks import send_reminders_task
from core.models import OutboxMessage, OutboxStatus
from tests.support.worker import start_worker, stop

from .conftest import add_address, make_contract, make_customer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = start_worker(queue)
    try:
        yield queue
    finally:
        stop(process)


def due_contract(demo):
    """A contract of anna's whose last notice day is within 7 days (escalates)."""
    today = timezone.localdate()
    customer = make_customer(demo["anna"], "Nord", name="Fristen GmbH")
    add_address(customer, demo["anna"])
    contract = make_contract(
        customer, demo["anna"], today=today, title="Bald fällig",
        start=today - timedelta(days=345), concluded_on=today - timedelta(days=345),
        notice_amount=14, notice_unit="days",
    )  # fmt: skip
    assert 0 <= (contract.last_notice_day - today).days <= 7
    return contract


def test_the_daily_task_sends_each_due_reminder_once(demo, worker):
    contract = due_contract(demo)

    first = send_reminders_task.apply_async(queue=worker).get(timeout=60)
    second = send_reminders_task.apply_async(queue=worker).get(timeout=60)

    assert first["sent"] == 2  # one digest to anna, one to maria (escalation)
    assert second == {**first, "planned": 0, "sent": 0}
    kinds = sorted(
        Reminder.objects.filter(contract=contract).values_list(
            "kind", "recipient__username", "escalation"
        )
    )
    assert kinds == [
        ("notice", "anna", False),
        ("notice", "maria", True),
        ("term_end", "anna", False),
    ]
    assert ReminderDigest.objects.filter(sent_at__isnull=False).count() == 2


def test_a_worker_killed_mid_batch_and_a_rerun_send_each_digest_once(
    demo, transactional_db, tmp_path
):
    due_contract(demo)  # two digests are due: anna's and maria's (escalation)
    log = tmp_path / "mail.log"
    log.touch()
    mail = {"TEST_EMAIL_BACKEND": "tests.support.mail.EmailBackend",
            "TEST_MAIL_LOG": str(log)}  # fmt: skip
    queue = f"test-{uuid.uuid4().hex[:8]}"

    doomed = start_worker(queue, TEST_MAIL_CRASH_AT="2", **mail)
    send_reminders_task.apply_async(queue=queue)
    assert doomed.wait(timeout=90) != 0  # it died while sending the 2nd e-mail
    assert len(log.read_text().splitlines()) == 1
    assert ReminderDigest.objects.filter(sent_at__isnull=False).count() == 1
    # The dead worker's digest is "sending" under its lease; let the lease run
    # out (instead of waiting OUTBOX_LEASE) so the next run may send it.
    claimed = OutboxMessage.objects.filter(status=OutboxStatus.SENDING)
    assert claimed.count() == 1
    claimed.update(lease_until=timezone.now() - timedelta(seconds=1))

    survivor = start_worker(queue, **mail)
    try:
        result = send_reminders_task.apply_async(queue=queue).get(timeout=60)
    finally:
        stop(survivor)
    lines = log.read_text().splitlines()
    assert result["sent"] == 1
    assert len(lines) == 2
    assert len({line.split()[0] for line in lines}) == 2  # two different digests
    assert ReminderDigest.objects.filter(sent_at__isnull=True).exists() is False
