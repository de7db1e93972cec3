"""The DPO is reminded 7 days and 1 day before a request is due, once each."""

from datetime import date, timedelta

import pytest
from django.core import mail

from compliance import services
from compliance.models import RequestReminder
from compliance.reminders import request_reminders_plan, request_reminders_send

from .conftest import open_request

# received Fri 31.01.2025 -> due Fri 28.02.2025
DUE = date(2025, 2, 28)


def run(today):
    planned = request_reminders_plan(today=today)
    return planned, request_reminders_send()


def test_seven_days_and_one_day_before_each_once(demo):
    open_request(demo["dora"])
    assert run(DUE - timedelta(days=8)) == (0, 0)
    assert run(DUE - timedelta(days=7)) == (1, 1)
    assert run(DUE - timedelta(days=7)) == (0, 0)  # a second run: nothing
    assert run(DUE - timedelta(days=3)) == (0, 0)  # same window
    assert run(DUE - timedelta(days=1)) == (1, 1)
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == [demo["dora"].email]
    assert "DS-" in mail.outbox[0].subject and "7" in mail.outbox[0].subject
    assert "28.02.2025" in mail.outbox[0].body
    assert "Morgen fällig" in mail.outbox[1].subject


def test_a_missed_day_is_caught_up_and_a_closed_request_is_left_alone(demo):
    request = open_request(demo["dora"])
    assert run(DUE - timedelta(days=5)) == (1, 1)  # the 7-day run was missed
    assert RequestReminder.objects.get().lead_days == 7
    services.request_close(
        request=request, actor=demo["dora"], version=1, status="done", today=DUE
    )
    assert run(DUE - timedelta(days=1)) == (0, 0)


def test_an_extension_gets_reminders_of_its_own(demo):
    request = open_request(demo["dora"])
    run(DUE - timedelta(days=7))
    extended = services.request_extend(
        request=request, actor=demo["dora"], version=1, reason="Umfang",
        today=DUE - timedelta(days=2),
    )  # fmt: skip
    assert run(extended.due_on - timedelta(days=7)) == (1, 1)
    assert RequestReminder.objects.count() == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_reminder_once(demo, tmp_path):
    from django.utils import timezone

    from compliance.deadlines import answer_due
    from compliance.tasks import request_reminders_task
    from tests.support.worker import mail_worker

    today = timezone.localdate()
    received = next(  # a request due in 2 to 6 days: in the 7-day window today
        today - timedelta(days=back)
        for back in range(20, 40)
        if 2 <= (answer_due(today - timedelta(days=back)) - today).days <= 6
    )
    open_request(demo["dora"], received=received)
    with mail_worker(tmp_path) as (queue, log):
        first = request_reminders_task.apply_async(queue=queue).get(timeout=60)
        second = request_reminders_task.apply_async(queue=queue).get(timeout=60)
    assert (first["planned"], first["sent"]) == (1, 1)
    assert (second["planned"], second["sent"]) == (0, 0)
    assert len(log.read_text().splitlines()) == 1


def test_a_dpo_is_reminded_once_they_accepted_the_commitment(demo, mailoutbox):
    from accounts import services
    from accounts.models import Company

    dora = demo["dora"]
    services.commitment_publish(actor=dora, text="Neue Fassung")
    open_request(dora)
    assert run(DUE - timedelta(days=7)) == (1, 0)  # planned, not sent to her yet
    services.commitment_accept(
        user=dora, version=Company.objects.get(pk=dora.company_id).commitment_version
    )
    assert run(DUE - timedelta(days=7)) == (0, 1)
    assert [m.to for m in mailoutbox] == [[dora.email]]


def test_two_dpos_one_refused_mailbox_the_other_gets_it_once(demo, settings):
    from django.utils import timezone

    from accounts import services
    from accounts.models import Company, User
    from core.models import OutboxMessage
    from tests.support.smtp import smtp_server

    second = User.objects.create_user("dpo2", email="dpo2@example.com")
    services.user_set_roles(
        user=second,
        roles=["DPO"],
        company=Company.objects.get(pk=demo["dora"].company_id),
        actor=None,
    )
    second = User.objects.select_related("company").get(pk=second.pk)
    services.commitment_accept(user=second, version=second.company.commitment_version)
    open_request(demo["dora"])
    with smtp_server(settings, refuse={demo["dora"].email}) as server:
        assert run(DUE - timedelta(days=7)) == (1, 1)
        for _day in range(3):  # later runs, after the backoff: dora is retried
            OutboxMessage.objects.update(next_attempt_at=timezone.now())
            assert run(DUE - timedelta(days=6)) == (0, 0)
        server.refuse.clear()
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        assert run(DUE - timedelta(days=6)) == (0, 1)
    assert sorted(to for _id, (to,) in server.received) == sorted(
        ["dpo2@example.com", demo["dora"].email]
    )
    assert OutboxMessage.objects.get(recipient=demo["dora"]).attempts == 5
