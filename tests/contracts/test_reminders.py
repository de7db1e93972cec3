"""Reminders: planned from the database, one row per key, one digest a day."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from contracts.models import Reminder, ReminderDigest
from contracts.reminders import reminders_plan, reminders_send

# nord_contract: term 01.01.-31.12.2025, last notice day 30.09.2025, owner anna,
# team Nord (anna; manager maria). Leads 90, 30 and 7 days.
NOTICE = date(2025, 9, 30)


def test_nothing_is_due_before_the_first_lead_time(nord_contract):
    assert reminders_plan(today=NOTICE - timedelta(days=91)).written == 0


def test_each_window_writes_once_and_a_second_run_writes_nothing(demo, nord_contract):
    first = reminders_plan(today=NOTICE - timedelta(days=90))
    assert first.written == 1  # anna: owner and only team member
    assert reminders_plan(today=NOTICE - timedelta(days=90)).written == 0
    assert reminders_plan(today=NOTICE - timedelta(days=60)).written == 0  # same window
    assert reminders_plan(today=NOTICE - timedelta(days=30)).written == 1
    leads = sorted(Reminder.objects.values_list("lead_days", flat=True))
    assert leads == [30, 90]


def test_a_missed_day_is_caught_up_the_next_day(demo, nord_contract):
    # the scheduler was down on the 30-days day; the next run still reminds
    assert reminders_plan(today=NOTICE - timedelta(days=29)).written == 1
    assert Reminder.objects.get().lead_days == 30


def test_escalation_reaches_the_manager_unless_someone_acknowledged(
    demo, nord_contract
):
    reminders_plan(today=NOTICE - timedelta(days=7))
    recipients = set(Reminder.objects.values_list("recipient__username", "escalation"))
    assert recipients == {("anna", False), ("maria", True)}


def test_an_acknowledged_deadline_does_not_escalate(client_as, demo, nord_contract):
    reminders_plan(today=NOTICE - timedelta(days=30))
    reminder = Reminder.objects.get()
    client = client_as("anna")
    url = reverse("contracts:reminder_acknowledge", args=[reminder.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    reminders_plan(today=NOTICE - timedelta(days=7))
    assert not Reminder.objects.filter(escalation=True).exists()


def test_one_digest_per_recipient_and_day_sent_once(demo, nord_contract, mailoutbox):
    from .conftest import make_contract

    make_contract(nord_contract.customer, demo["anna"], title="Zweiter Vertrag")
    reminders_plan(today=NOTICE - timedelta(days=7))
    assert reminders_send(today=NOTICE - timedelta(days=7)) == 2  # anna, maria
    assert reminders_send(today=NOTICE - timedelta(days=7)) == 0
    assert len(mailoutbox) == 2
    to_anna = next(m for m in mailoutbox if m.to == ["anna@example.com"])
    assert to_anna.body.count("Letzter Kündigungstag 30.09.2025") == 2
    html = to_anna.alternatives[0][0]
    assert "/contracts/reminders/" in html
    assert to_anna.extra_headers["Message-ID"].startswith("<reminder-digest-")
    assert ReminderDigest.objects.filter(sent_at__isnull=False).count() == 2


def test_the_digest_follows_the_recipient_s_language(demo, nord_contract, mailoutbox):
    from accounts import services

    services.user_set_language(user=demo["anna"], language="en")
    reminders_plan(today=NOTICE - timedelta(days=30))
    reminders_send(today=NOTICE - timedelta(days=30))
    (message,) = mailoutbox
    assert "Last notice day 30 Sep 2025" in message.body
    # The company first: a user of two companies tells their digests apart.
    assert message.subject.startswith(
        f"{nord_contract.company.name}: Contract deadline"
    )


def test_the_text_digest_writes_names_as_they_are_and_html_escapes(
    demo, nord_contract, mailoutbox
):
    from crm.models import Customer

    Customer.objects.filter(pk=nord_contract.customer_id).update(
        name="Müller & Söhne GmbH & Co. KG <Nord>"
    )
    reminders_plan(today=NOTICE - timedelta(days=30))
    reminders_send(today=NOTICE - timedelta(days=30))
    (message,) = mailoutbox
    assert "Müller & Söhne GmbH & Co. KG <Nord>" in message.body
    assert "&amp;" not in message.body and "&lt;" not in message.body
    (html, _mime) = message.alternatives[0]
    assert "Müller &amp; Söhne GmbH &amp; Co. KG &lt;Nord&gt;" in html


def test_reminders_of_other_teams_are_404_to_acknowledge(client_as, sud_contract):
    reminders_plan(today=NOTICE - timedelta(days=30))
    reminder = Reminder.objects.get(contract=sud_contract)
    url = reverse("contracts:reminder_acknowledge", args=[reminder.pk])
    assert client_as("anna").get(url).status_code == 404


def test_the_contract_page_lists_its_reminders(client_as, demo, nord_contract):
    reminders_plan(today=NOTICE - timedelta(days=30))
    reminders_send(today=NOTICE - timedelta(days=30))
    page = client_as("anna").get(nord_contract.get_absolute_url()).content.decode()
    assert 'data-testid="reminders"' in page
    assert "gesendet" in page


@pytest.mark.parametrize("status", ["notice_given", "ended", "draft"])
def test_contracts_not_active_get_no_reminders(nord_contract, status):
    nord_contract.status = status
    nord_contract.save()
    assert reminders_plan(today=NOTICE - timedelta(days=7)).written == 0


def test_the_send_reminders_command_runs_the_same_services(demo, mailoutbox):
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from .conftest import add_address, make_contract, make_customer

    today = timezone.localdate()
    customer = make_customer(demo["anna"], "Nord")
    add_address(customer, demo["anna"])
    make_contract(
        customer, demo["anna"], today=today,
        start=today - timedelta(days=345), concluded_on=today - timedelta(days=345),
        notice_amount=14, notice_unit="days",
    )  # fmt: skip
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("3 reminders written, 2 e-mails sent")
    assert lines[1].endswith("0 reminders written, 0 e-mails sent")
    assert len(mailoutbox) == 2


def test_a_contract_s_own_lead_times_win_over_its_type(client_as, demo, nord_contract):
    client = client_as("anna")
    data = {
        "title": nord_contract.title, "status": "active", "owner": demo["anna"].pk,
        "concluded_on": "2025-01-01", "start": "2025-01-01", "initial_months": "12",
        "renewal": "months", "renewal_months": "12", "notice_amount": "3",
        "notice_unit": "months", "anchor": "term_end", "standard_terms": "on",
        "currency": "EUR", "value_period": "month", "version": nord_contract.version,
        "lead_times": "14, 120",
    }  # fmt: skip
    bad = client.post(
        reverse("contracts:contract_edit", args=[nord_contract.pk]),
        {**data, "lead_times": "zwei Wochen"},
    )
    assert "lead_times" in bad.context["form"].errors
    assert (
        client.post(
            reverse("contracts:contract_edit", args=[nord_contract.pk]), data
        ).status_code
        == 302
    )
    nord_contract.refresh_from_db()
    assert nord_contract.reminder_lead_times == [120, 14]
    deadline = nord_contract.last_notice_day  # recomputed for today by the edit
    assert reminders_plan(today=deadline - timedelta(days=100)).written == 1
    assert Reminder.objects.get().lead_days == 120


@pytest.mark.parametrize("reader", ["dora", "ben_read_only"])
def test_a_reader_cannot_acknowledge_a_reminder(client_as, demo, nord_contract, reader):
    from crm.services import customer_share

    if reader == "ben_read_only":
        customer_share(
            customer=nord_contract.customer, actor=demo["anna"], user=demo["ben"]
        )
    reminders_plan(today=NOTICE - timedelta(days=30))
    reminder = Reminder.objects.get()
    client = client_as(reader.removesuffix("_read_only"))
    url = reverse("contracts:reminder_acknowledge", args=[reminder.pk])
    assert client.get(url).status_code == 200  # they may read the contract
    response = client.post(url)
    assert response.status_code == 403
    assert "nicht bestätigen" in response.content.decode()
    assert Reminder.objects.filter(acknowledged_at__isnull=False).exists() is False


def test_the_service_refuses_an_acknowledgement_without_edit_rights(
    demo, nord_contract
):
    from contracts.reminders import reminder_acknowledge
    from core.errors import PermissionRefused

    reminders_plan(today=NOTICE - timedelta(days=30))
    reminder = Reminder.objects.get()
    with pytest.raises(PermissionRefused):
        reminder_acknowledge(reminder=reminder, actor=demo["dora"])
    assert Reminder.objects.get().acknowledged_at is None
    assert reminder_acknowledge(reminder=reminder, actor=demo["anna"]) == 1


def test_reminders_wait_for_the_new_commitment_and_skip_a_disabled_owner(
    demo, nord_contract, mailoutbox
):
    from accounts import services

    anna, maria = demo["anna"], demo["maria"]
    services.commitment_publish(actor=demo["dora"], text="Neue Fassung")
    reminders_plan(today=NOTICE - timedelta(days=7))
    # neither has accepted version 2: no customer names by e-mail yet
    assert reminders_send(today=NOTICE - timedelta(days=7)) == 0
    assert Reminder.objects.filter(digest__isnull=True).count() == 2

    version = anna.company.__class__.objects.get(pk=anna.company_id).commitment_version
    services.commitment_accept(user=anna, version=version)
    assert reminders_send(today=NOTICE - timedelta(days=6)) == 1
    assert [m.to for m in mailoutbox] == [["anna@example.com"]]
    assert "Letzter Kündigungstag 30.09.2025" in mailoutbox[0].body
    assert Reminder.objects.get(digest__isnull=True).recipient == maria

    # a disabled owner is reminded of nothing at the next window
    services.commitment_accept(user=maria, version=version)
    anna.is_active = False
    anna.save(update_fields=["is_active"])
    Reminder.objects.all().delete()
    reminders_plan(today=NOTICE - timedelta(days=7))
    assert set(Reminder.objects.values_list("recipient__username", flat=True)) == {
        "maria"
    }
