"""Reminder digests against a real SMTP server that refuses a mailbox or hangs."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from contracts.models import ReminderDigest
from contracts.reminders import reminders_plan, reminders_send
from core.models import OutboxMessage, OutboxStatus
from tests.support.smtp import hanging_smtp_server, smtp_server

NOTICE = date(2025, 9, 30)  # nord_contract's and sud_contract's last notice day
TODAY = NOTICE - timedelta(days=7)


def retry_now():
    """Let the backoff pass (instead of waiting for it)."""
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(
        next_attempt_at=timezone.now()
    )


def test_a_refused_mailbox_is_retried_later_and_the_others_go_on(
    demo, nord_contract, sud_contract, settings
):
    reminders_plan(today=TODAY)  # digests for anna, ben and maria (escalation)
    with smtp_server(settings, refuse={demo["anna"].email}) as server:
        assert reminders_send(today=TODAY) == 2
        assert sorted(to for _id, (to,) in server.received) == sorted(
            [demo["ben"].email, demo["maria"].email]
        )
        failed = OutboxMessage.objects.get(status=OutboxStatus.PENDING)
        assert failed.recipient_id is None and failed.attempts == 1
        assert failed.last_error == "SMTPRecipientsRefused 550"
        assert "@" not in failed.last_error
        assert failed.next_attempt_at > timezone.now()
        assert reminders_send(today=TODAY) == 0  # not before the backoff

        server.refuse.clear()  # the mailbox works again
        retry_now()
        assert reminders_send(today=TODAY) == 1
        assert reminders_send(today=TODAY) == 0
    assert len(server.received) == 3
    assert len({message_id for message_id, _to in server.received}) == 3
    assert ReminderDigest.objects.filter(sent_at__isnull=True).exists() is False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_hung_mail_server_times_out_and_locks_no_user(demo, nord_contract, settings):
    reminders_plan(today=TODAY)
    settings.EMAIL_TIMEOUT = 3
    with hanging_smtp_server(settings) as connected:
        results = []

        def send():
            try:
                results.append(reminders_send(today=TODAY))
            finally:
                connection.close()

        sender = threading.Thread(target=send)
        sender.start()
        assert connected.wait(timeout=30)  # the sender waits for the greeting
        # Meanwhile anna logs in (last_login is written) and the row can be read:
        # nothing holds a lock on accounts_user or the outbox row.
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
            cursor.execute(
                "UPDATE accounts_user SET last_login = now() WHERE id = %s",
                [demo["anna"].pk],
            )
            cursor.execute("SELECT 1 FROM core_outboxmessage FOR UPDATE NOWAIT LIMIT 1")
            cursor.execute("RESET lock_timeout")
        sender.join(timeout=120)
        assert sender.is_alive() is False
    assert results == [0]
    failed = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    assert failed.count() == 2  # anna's and maria's, each tried once
    assert {row.attempts for row in failed} == {1}
    assert all(row.last_error.endswith("timed out") for row in failed)
