"""The reminder task through Redis and a real Celery worker on the test database."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from contracts.models import Reminder, ReminderDigest
from contracts.tasks import send_reminders_task

from .conftest import add_address, make_contract, make_customer

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db):
    """A worker on a queue of its own, using the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    auth = f"{db['USER']}:{db['PASSWORD'] or ''}"
    url = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--queues", queue, "--without-gossip", "--without-mingle",
         "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_daily_task_sends_each_due_reminder_once(demo, worker):
    today = timezone.localdate()
    customer = make_customer(demo["anna"], "Nord", name="Fristen GmbH")
    add_address(customer, demo["anna"])
    contract = make_contract(
        customer, demo["anna"], today=today, title="Bald fällig",
        start=today - timedelta(days=345), concluded_on=today - timedelta(days=345),
        notice_amount=14, notice_unit="days",
    )  # fmt: skip
    assert 0 <= (contract.last_notice_day - today).days <= 7

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
