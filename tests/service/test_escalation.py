"""SLA escalation: the owner is told once when a target is due soon, the team's
manager once when it is missed, each in their language; a reopened case's
resolution is escalated anew; waiting cases, restricted customers and users who
cannot be written to are not; the scan reads only what is due, through the
partial indexes; the e-mail is re-checked when it is sent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation

from accounts.models import Company, Team
from core import outbox
from core.models import OutboxMessage
from crm.models import Customer
from service import cases, escalation
from service.models import AlertStage, Case, CaseAlert
from tests.crm.conftest import make_customer
from tests.service.test_cases import TUESDAY, new_case

MINUTE = timedelta(minutes=1)


@pytest.fixture
def nord(demo):
    return make_customer(demo["anna"], "Nord", name="Nordlicht Eskalation GmbH")


@pytest.fixture
def case(demo, nord):
    """A normal case of anna's (Nord, managed by maria): first response due
    Tuesday 17:00 (warned 15:00), resolution due Monday 13:00."""
    return new_case(nord, demo["anna"], subject="Lieferung beschädigt")


def scan(at) -> int:
    return escalation.escalation_scan(now=at)


def alerts(case) -> list[tuple[str, int, int, str]]:
    return sorted(
        CaseAlert.objects.filter(case=case).values_list(
            "target", "stage", "cycle", "recipient__username"
        )
    )


def stages(case) -> tuple[int, int]:
    case.refresh_from_db()
    return case.response_alert, case.resolution_alert


def test_each_alert_goes_once_soon_to_the_owner_missed_to_the_manager(demo, case):
    maria = demo["maria"]
    maria.language = "en"
    maria.save()
    mail.outbox.clear()
    assert scan(case.response_warn_at - MINUTE) == 0
    moments = [
        case.response_warn_at,
        case.response_due_at,
        case.resolution_warn_at,
        case.resolution_due_at,
    ]
    for moment in moments:
        assert scan(moment + MINUTE) == 1
        assert scan(moment + 2 * MINUTE) == 0  # the next run: nothing new
    assert alerts(case) == [
        ("resolution", AlertStage.SOON, 1, "anna"),
        ("resolution", AlertStage.BREACHED, 1, "maria"),
        ("response", AlertStage.SOON, 1, "anna"),
        ("response", AlertStage.BREACHED, 1, "maria"),
    ]
    assert stages(case) == (AlertStage.BREACHED, AlertStage.BREACHED)
    assert [m.to for m in mail.outbox] == [
        [demo["anna"].email],
        [maria.email],
        [demo["anna"].email],
        [maria.email],
    ]
    assert CaseAlert.objects.filter(sent_at__isnull=True).exists() is False


def test_the_e_mail_names_case_customer_target_due_time_and_link(demo, case):
    maria = demo["maria"]
    maria.language = "en"
    maria.save()
    mail.outbox.clear()
    scan(case.response_warn_at + MINUTE)
    scan(case.response_due_at + MINUTE)
    german, english = mail.outbox
    link = outbox.site_url() + case.get_absolute_url()
    for message in (german, english):
        body = message.body
        html = message.alternatives[0][0]
        assert case.number in message.subject and case.number in body
        assert "Lieferung beschädigt" in body and "Nordlicht Eskalation GmbH" in body
        assert link in body and f'href="{link}"' in html
        assert message.from_email == case.company.sender_email
    with translation.override("de"):
        due_de = formats.date_format(
            case.response_due_at.astimezone(TUESDAY.tzinfo), "SHORT_DATETIME_FORMAT"
        )
    assert due_de == "01.12.2026 17:00"
    assert "Hallo Anna" in german.body and due_de in german.body
    assert "Hello Maria" in english.body and "1 Dec 2026, 17:00" in english.body
    assert "first response missed" in english.subject
    assert "customer is still waiting" in english.body
    assert "Anna Albers" in english.body  # the manager learns whose case it is


def test_a_case_first_seen_past_its_due_time_gets_only_the_missed_alert(demo, case):
    mail.outbox.clear()
    assert scan(case.response_due_at + MINUTE) == 1
    assert alerts(case) == [("response", AlertStage.BREACHED, 1, "maria")]
    assert stages(case) == (AlertStage.BREACHED, AlertStage.NONE)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [demo["maria"].email]


def test_after_a_reopening_the_resolution_is_escalated_again(demo, case):
    anna = demo["anna"]
    scan(case.resolution_due_at + MINUTE)  # both targets missed: two alerts
    assert stages(case) == (AlertStage.BREACHED, AlertStage.BREACHED)
    resolved_at = case.resolution_due_at + timedelta(hours=1)
    case = cases.case_set_status(
        case=case,
        actor=anna,
        version=case.version,
        status="resolved",
        resolution="Ersatz geliefert",
        now=resolved_at,
    )
    case = cases.case_set_status(
        case=case,
        actor=anna,
        version=case.version,
        status="reopened",
        now=resolved_at + timedelta(days=1),
    )
    assert case.cycle == 2 and stages(case) == (AlertStage.BREACHED, AlertStage.NONE)
    mail.outbox.clear()
    case.refresh_from_db()
    assert scan(case.resolution_due_at + MINUTE) == 1
    assert ("resolution", AlertStage.BREACHED, 2, "maria") in alerts(case)
    assert len(alerts(case)) == 3  # no second first-response alert
    assert scan(case.resolution_due_at + 2 * MINUTE) == 0


def test_a_waiting_case_is_not_escalated_while_its_clock_stands(demo, case):
    anna = demo["anna"]
    case = cases.case_set_status(
        case=case,
        actor=anna,
        version=case.version,
        status="waiting",
        now=TUESDAY + timedelta(hours=1),  # the first response, in time
    )
    mail.outbox.clear()
    assert scan(TUESDAY + timedelta(days=60)) == 0
    assert alerts(case) == [] and mail.outbox == []


def test_a_restricted_customer_is_not_escalated(demo, nord, case):
    Customer.objects.filter(pk=nord.pk).update(restricted_until=date.max)
    mail.outbox.clear()
    assert scan(case.resolution_due_at + MINUTE) == 0
    assert alerts(case) == [] and mail.outbox == []
    # Lifted: the next scan tells what is due now (missed), not what is stale.
    Customer.objects.filter(pk=nord.pk).update(restricted_until=None)
    assert scan(case.resolution_due_at + 2 * MINUTE) == 2
    assert [stage for _t, stage, _c, _u in alerts(case)] == [2, 2]


def test_without_an_active_manager_the_owner_is_told_of_the_miss(demo, nord, case):
    maria = demo["maria"]
    maria.is_active = False
    maria.save()
    other = new_case(nord, demo["anna"], subject="Ohne Team", team=None)
    mail.outbox.clear()
    assert scan(case.response_due_at + MINUTE) == 2
    assert alerts(case) == [("response", AlertStage.BREACHED, 1, "anna")]
    assert alerts(other) == [("response", AlertStage.BREACHED, 1, "anna")]


def test_who_cannot_be_written_to_now_is_told_once_they_can(demo, case):
    anna = demo["anna"]
    anna.is_active = False
    anna.save()
    mail.outbox.clear()
    assert scan(case.response_warn_at + MINUTE) == 0  # inactive owner: waits
    assert stages(case) == (AlertStage.NONE, AlertStage.NONE)
    anna.is_active = True
    anna.save()
    company = Company.objects.get(pk=case.company_id)
    company.commitment_version += 1  # a new commitment nobody accepted yet
    company.save()
    assert scan(case.response_warn_at + 2 * MINUTE) == 0
    assert alerts(case) == []
    company.commitment_version -= 1
    company.save()
    assert scan(case.response_warn_at + 3 * MINUTE) == 1
    assert alerts(case) == [("response", AlertStage.SOON, 1, "anna")]


def test_the_e_mail_is_not_sent_when_the_case_moved_on_meanwhile(demo, case):
    anna = demo["anna"]
    at = case.response_warn_at + MINUTE
    assert escalation.escalation_plan(now=at) == 1
    assert escalation.escalation_plan(now=at) == 0  # planned once
    cases.case_set_status(
        case=case, actor=anna, version=case.version, status="in_progress", now=at
    )
    mail.outbox.clear()
    assert outbox.deliver(kinds=[escalation.ALERT]) == 0  # answered meanwhile
    assert mail.outbox == []
    assert OutboxMessage.objects.get(kind=escalation.ALERT).status == "sent"


def test_a_recipient_who_may_no_longer_see_the_case_gets_nothing(demo, nord, case):
    at = case.response_warn_at + MINUTE
    escalation.escalation_plan(now=at)
    Customer.objects.filter(pk=nord.pk).update(
        team=Team.objects.get(name="Süd"), owner=demo["ben"]
    )
    mail.outbox.clear()
    assert outbox.deliver(kinds=[escalation.ALERT]) == 0
    assert mail.outbox == []


def test_a_stale_due_soon_is_not_sent_once_the_target_is_missed(demo, case):
    escalation.escalation_plan(now=case.response_warn_at + MINUTE)
    # the retried "due soon" is overtaken by the scan's "missed"
    Case.objects.filter(pk=case.pk).update(response_alert=AlertStage.BREACHED)
    mail.outbox.clear()
    assert outbox.deliver(kinds=[escalation.ALERT]) == 0


# --- What the scan reads ------------------------------------------------------------


def _open_cases_not_due(template: Case, count: int) -> None:
    """`count` open cases whose warning times are far ahead (bulk: the scan
    does not care how they were made)."""
    far = template.opened_at + timedelta(days=365)
    rows = []
    for number in range(count):
        copy = Case(
            **{
                field.attname: getattr(template, field.attname)
                for field in Case._meta.concrete_fields
                if field.attname != "id"
            }
        )
        copy.number = f"B-{number:06d}"
        copy.response_warn_at = copy.resolution_warn_at = far
        copy.response_due_at = copy.resolution_due_at = far + timedelta(days=1)
        rows.append(copy)
    Case.objects.bulk_create(rows)


def _scan_queries(case: Case, at) -> int:
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            assert scan(at) == 2  # the response of `case` and of its twin
        transaction.set_rollback(True)  # the next measurement finds them again
    return len(queries)


@pytest.mark.parametrize("bystanders", [10, 200])
def test_the_scans_queries_follow_what_is_due_not_how_many_cases(
    demo, nord, case, bystanders
):
    new_case(nord, demo["anna"], subject="Zwilling")
    _open_cases_not_due(case, bystanders)
    at = case.response_warn_at + MINUTE
    assert _scan_queries(case, at) == SCAN_QUERIES


# Three queries to find (one per target, one for restricted customers), two
# for the commitments; the alerts in 8 whatever their number (their rows, their
# ids, the outbox rows with its two counts, the stages; the savepoint); per
# e-mail 11 (claim, the alert with case, customer and owner, the recipient's
# access and visibility, mark sent; savepoints counted, as the test runs in a
# transaction); and the last claim that finds nothing (3).
SCAN_QUERIES = 5 + 8 + 2 * 11 + 3


@pytest.mark.parametrize("target", escalation.TARGETS, ids=lambda t: t.kind)
def test_the_scan_reads_through_its_partial_index(demo, case, target):
    queryset = escalation.due_for_alert(target, now=case.resolution_due_at)
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows make a sequential scan the cheapest plan; forbid
        # it, so the plan shows the index the query can use (a predicate that
        # does not imply the index's condition would fall back to another).
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert f"service_case_{target.kind}_scan" in plan, plan


def test_beat_runs_the_escalation_task_every_five_minutes(demo, settings):
    from service.tasks import case_escalations_task

    entry = settings.CELERY_BEAT_SCHEDULE["case-escalations"]
    assert entry["task"] == "service.case_escalations"
    assert entry["schedule"] == timedelta(minutes=5)
    assert entry["options"]["expires"] < 5 * 60  # a dead worker's backlog expires
    assert case_escalations_task.apply().get()["sent"] == 0
