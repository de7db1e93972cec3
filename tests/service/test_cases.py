"""Cases: recorded by the service with a number, checked field by field, the SLA
clock stored on the case (waiting stops it, going on starts it again, a
reopening begins a new cycle), contacts logged on the case reach the customer's
timeline, and another team or the DPO cannot write."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import NotPossible, PermissionRefused
from core.versioning import StaleEdit
from crm.models import Customer
from service import cases
from service.models import Case, CaseCategory, CasePause, CaseStatus, SlaTarget
from service.sla import BERLIN
from tests.crm.conftest import add_person, make_customer

# Tuesday 1 December 2026, 09:00 in Berlin: a plain working day.
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN)


def new_case(customer, actor, *, now=TUESDAY, **fields):
    fields.setdefault("subject", "Lieferung beschädigt")
    fields.setdefault("kind", "complaint")
    fields.setdefault("priority", "normal")
    fields.setdefault("channel", "phone")
    return cases.case_create(actor=actor, customer=customer, fields=fields, now=now)


@pytest.fixture
def nord(demo):
    return make_customer(demo["anna"], "Nord", name="Nordlicht Service GmbH")


def test_a_case_gets_the_next_number_and_the_customers_owner_and_team(demo, nord):
    first = new_case(nord, demo["anna"])
    second = new_case(nord, demo["anna"], subject="Rechnung falsch")
    assert first.number.startswith("R-") and len(first.number) == 8
    assert int(second.number[2:]) == int(first.number[2:]) + 1
    assert first.owner == nord.owner and first.team == nord.team
    assert first.company_id == nord.company_id
    assert first.history.get().history_user == demo["anna"]


def test_the_clock_counts_business_hours_from_the_opening(demo, nord):
    case = new_case(nord, demo["anna"], priority="normal")  # 8 h / 40 h
    # Tuesday 09:00 + 8 business hours (08:00-17:00) = Tuesday 17:00.
    assert case.response_due_at == datetime(2026, 12, 1, 17, 0, tzinfo=BERLIN)
    # 40 hours: Tue 8 h, Wed-Fri 27 h, Mon 5 h -> Monday 13:00.
    assert case.resolution_due_at == datetime(2026, 12, 7, 13, 0, tzinfo=BERLIN)
    # Warned at three quarters: 6 h -> Tuesday 15:00.
    assert case.response_warn_at == datetime(2026, 12, 1, 15, 0, tzinfo=BERLIN)


def test_the_companys_target_for_priority_and_category_wins(demo, nord):
    company = nord.company
    category = CaseCategory.objects.get(company=company, name="Rechnung")
    SlaTarget.objects.create(
        company=company, priority="high", response_hours=2, resolution_hours=9
    )
    SlaTarget.objects.create(
        company=company,
        priority="high",
        category=category,
        response_hours=Decimal("0.5"),
        resolution_hours=3,
    )
    plain = new_case(nord, demo["anna"], priority="high")
    billed = new_case(nord, demo["anna"], priority="high", category=category)
    assert plain.response_due_at == TUESDAY + timedelta(hours=2)
    assert plain.resolution_due_at == datetime(2026, 12, 2, 9, 0, tzinfo=BERLIN)
    assert billed.response_due_at == TUESDAY + timedelta(minutes=30)
    assert billed.resolution_due_at == TUESDAY + timedelta(hours=3)


def test_waiting_for_the_customer_stops_the_clock_and_moves_the_due_time(demo, nord):
    anna = demo["anna"]
    case = new_case(nord, anna, priority="high")  # 4 h / 16 h
    assert case.resolution_due_at == datetime(2026, 12, 2, 16, 0, tzinfo=BERLIN)
    case = cases.case_set_status(
        case=case,
        actor=anna,
        version=case.version,
        status=CaseStatus.WAITING,
        now=TUESDAY + timedelta(hours=2),
    )
    assert case.first_response_at == TUESDAY + timedelta(hours=2)
    assert case.response_due_at is None  # met
    assert case.resolution_due_at is None  # the clock stands
    # The customer answers on Thursday 09:00: two days of waiting added.
    case = cases.case_set_status(
        case=case,
        actor=anna,
        version=case.version,
        status=CaseStatus.IN_PROGRESS,
        now=datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN),
    )
    # 2 h counted on Tuesday, 14 h left from Thursday 09:00 -> Friday 14:00.
    assert case.resolution_due_at == datetime(2026, 12, 4, 14, 0, tzinfo=BERLIN)
    assert CasePause.objects.filter(case=case, ended_at__isnull=True).count() == 0


def test_resolving_needs_a_resolution_and_reopening_starts_a_new_cycle(demo, nord):
    anna = demo["anna"]
    case = new_case(nord, anna)
    with pytest.raises(ValidationError) as error:
        cases.case_set_status(
            case=case, actor=anna, version=case.version, status="resolved"
        )
    assert "resolution" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == "new" and case.version == 1
    case = cases.case_set_status(
        case=case,
        actor=anna,
        version=case.version,
        status="resolved",
        resolution="Ersatz geliefert",
        now=TUESDAY + timedelta(hours=1),
    )
    assert case.resolved_at and case.resolution_due_at is None
    case = cases.case_set_status(
        case=case,
        actor=anna,
        version=case.version,
        status="reopened",
        now=TUESDAY + timedelta(days=1),
    )
    assert case.cycle == 2 and case.resolved_at is None
    # The day resolved does not count: 1 h used, 39 h left from Wednesday 09:00.
    assert case.resolution_due_at == datetime(2026, 12, 8, 12, 0, tzinfo=BERLIN)


def test_a_status_change_out_of_order_is_refused(demo, nord):
    anna = demo["anna"]
    case = new_case(nord, anna)
    with pytest.raises(NotPossible):
        cases.case_set_status(
            case=case, actor=anna, version=case.version, status="closed"
        )
    with pytest.raises(StaleEdit):
        cases.case_set_status(case=case, actor=anna, version=0, status="in_progress")


def test_bad_input_is_named_by_field_and_writes_nothing(demo, nord):
    before = Case.objects.count(), Case.history.count()
    with pytest.raises(ValidationError) as error:
        new_case(
            nord,
            demo["anna"],
            subject="  ",
            kind="nonsense",
            goodwill_amount=Decimal("-1"),
            delivered_on=TUESDAY.date() + timedelta(days=3),
            agreed_months=0,
        )
    assert set(error.value.message_dict) == {
        "subject",
        "kind",
        "goodwill_amount",
        "delivered_on",
        "agreed_months",
    }
    assert (Case.objects.count(), Case.history.count()) == before


def test_another_team_and_the_dpo_cannot_record_a_case(demo, nord):
    with pytest.raises(PermissionRefused):
        new_case(nord, demo["ben"])
    with pytest.raises(PermissionRefused):
        new_case(nord, demo["dora"])
    assert not Case.objects.exists()


def test_a_restricted_customer_gets_no_case(demo, nord):
    Customer.objects.filter(pk=nord.pk).update(restricted_until=date.max)
    nord.refresh_from_db()
    with pytest.raises((NotPossible, PermissionRefused)):
        new_case(nord, demo["anna"])
    with pytest.raises(NotPossible) as refused:  # the system too (import, API)
        new_case(nord, None, owner=demo["anna"])
    assert refused.value.code == "case_customer_restricted"
    assert not Case.objects.exists()


def test_a_contact_logged_on_the_case_is_on_the_customers_timeline(demo, nord):
    anna = demo["anna"]
    person = add_person(nord, anna, last_name="Weber")
    case = new_case(nord, anna, person=person)
    interaction = cases.case_log_contact(
        case=case,
        actor=anna,
        fields={
            "kind": "call",
            "direction": "out",
            "occurred_at": TUESDAY,
            "subject": "Rückruf zur Reklamation",
            "text": "",
        },
        persons=[person],
        now=TUESDAY + timedelta(minutes=20),
    )
    assert nord.interactions.get() == interaction
    assert list(case.interactions.all()) == [interaction]
    case.refresh_from_db()
    assert case.first_response_at == TUESDAY + timedelta(minutes=20)
    assert case.response_due_at is None


# --- Data protection ------------------------------------------------------------------


def test_a_persons_case_is_held_as_a_business_letter_on_erasure(demo):
    from compliance.erasure import erasure_plan
    from tests.compliance.test_erasure import private_customer

    customer, person = private_customer(demo["anna"])
    case = new_case(
        customer,
        demo["anna"],
        person=person,
        now=datetime(2025, 6, 10, 9, 0, tzinfo=BERLIN),
    )
    case = cases.case_set_status(
        case=case,
        actor=demo["anna"],
        version=1,
        status="resolved",
        resolution="Ersatz",
        now=datetime(2026, 2, 3, 9, 0, tzinfo=BERLIN),
    )
    plan = erasure_plan(person, today=date(2026, 11, 22))
    # Last worked on in 2026: six years from the end of 2026.
    assert ("service.Case", date(2033, 1, 1)) in [
        (hold.label, hold.until) for hold in plan.holds
    ]
    assert ("service.Case", date(2033, 1, 1)) not in [
        (hold.label, hold.until)
        for hold in erasure_plan(person, today=date(2033, 1, 1)).holds
    ]


def test_the_access_report_lists_the_persons_cases(
    demo, django_capture_on_commit_callbacks
):
    import json

    from compliance import services as compliance
    from tests.compliance.conftest import open_request

    anna, dora = demo["anna"], demo["dora"]
    org = make_customer(anna, "Nord")
    person = add_person(org, anna, first_name="Erika", last_name="Beschwerde")
    other = add_person(org, anna, last_name="Andere")
    mine = new_case(org, anna, person=person, subject="Erika beschwert sich")
    new_case(org, anna, person=other, subject="Nicht ihr Fall")
    request = open_request(dora, person=person)
    with django_capture_on_commit_callbacks(execute=False):
        report = compliance.access_report_request(
            request=request, actor=dora, language="de"
        )
    report = compliance.access_report_build(report_id=report.pk)
    data = json.loads(report.json.read())
    sections = {section["model"]: section for section in data["records"]}
    assert [row["id"] for row in sections["service.Case"]["rows"]] == [mine.pk]
