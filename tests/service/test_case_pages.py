"""The case pages as a user works them: recorded from the customer page (bad
input next to the field, nothing written), the SLA clock and its explanation on
the case, status moves (waiting stops the clock), contacts logged on the case on
both timelines, lost updates refused, and another team's case a 404 on every
view, the DPO reading but not writing."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Customer
from service import cases
from service.models import Case
from tests.crm.conftest import add_person, make_customer

LIST = reverse("service:case_list")


@pytest.fixture
def nord(demo):
    return make_customer(demo["anna"], "Nord", name="Nordlicht Fälle GmbH")


def new_case(customer, actor, **fields):
    fields.setdefault("subject", "Lieferung beschädigt")
    fields.setdefault("kind", "complaint")
    fields.setdefault("priority", "normal")
    fields.setdefault("channel", "phone")
    return cases.case_create(actor=actor, customer=customer, fields=fields)


def _form(**values):
    data = {
        "kind": "complaint",
        "subject": "Ware kam zerkratzt an",
        "priority": "high",
        "channel": "phone",
    }
    data.update(values)
    return data


def test_a_case_is_recorded_from_the_customer_page(client_as, demo, nord):
    client = client_as("anna")
    page = client.get(nord.get_absolute_url())
    assert b'data-testid="customer-cases"' in page.content
    new = reverse("service:customer_case_new", args=[nord.pk])
    assert new.encode() in page.content
    person = add_person(nord, demo["anna"], last_name="Weber")
    response = client.post(new, _form(person=person.pk, description="Kratzer"))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert (case.person, case.priority, case.owner) == (person, "high", nord.owner)
    detail = client.get(case.get_absolute_url())
    html = detail.content.decode()
    assert detail.status_code == 200
    assert case.number in html and 'data-testid="sla-response-due"' in html
    assert 'data-testid="sla-resolution-due"' in html
    assert case.number in client.get(nord.get_absolute_url()).content.decode()
    assert case.number in client.get(LIST).content.decode()


def test_bad_input_stands_next_to_the_field_and_writes_nothing(client_as, nord):
    client = client_as("anna")
    new = reverse("service:customer_case_new", args=[nord.pk])
    response = client.post(new, _form(subject="", goodwill_amount="-5"))
    assert response.status_code == 400
    form = response.context["form"]
    assert "subject" in form.errors and "goodwill_amount" in form.errors
    response = client.post(new, _form(kind="alles"))
    assert response.status_code == 400 and "kind" in response.context["form"].errors
    assert not Case.objects.exists()


def test_the_goodwill_is_read_and_shown_in_german(client_as, nord):
    client = client_as("anna")
    new = reverse("service:customer_case_new", args=[nord.pk])
    client.post(new, _form(goodwill_amount="1.234,56"))
    case = Case.objects.get()
    assert str(case.goodwill_amount) == "1234.56"
    assert "1.234,56\u00a0€" in client.get(case.get_absolute_url()).content.decode()


def test_waiting_moves_the_due_time_and_resolving_needs_a_resolution(
    client_as, demo, nord
):
    client = client_as("anna")
    case = new_case(nord, demo["anna"])
    status = reverse("service:case_status", args=[case.pk])
    response = client.post(status, {"status": "waiting", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "waiting" and case.resolution_due_at is None
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="sla-waiting"' in page
    response = client.post(status, {"status": "resolved", "version": case.version})
    assert response.status_code == 400
    assert "resolution" in response.context["status_form"].errors
    response = client.post(
        status,
        {"status": "resolved", "resolution": "Gutschrift", "version": case.version},
    )
    case.refresh_from_db()
    assert (case.status, case.resolution) == ("resolved", "Gutschrift")


def test_a_status_not_allowed_next_is_refused(client_as, demo, nord):
    case = new_case(nord, demo["anna"])
    response = client_as("anna").post(
        reverse("service:case_status", args=[case.pk]),
        {"status": "closed", "version": case.version},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "new"


def test_a_stale_save_is_a_conflict_and_overwrites_nothing(client_as, demo, nord):
    case = new_case(nord, demo["anna"])
    cases.case_update(
        case=case,
        actor=demo["anna"],
        version=1,
        fields=_form(subject="Von Kollegin geändert", owner=demo["anna"], team=None),
    )
    response = client_as("anna").post(
        case.get_absolute_url(),
        _form(subject="Meine Fassung", owner=demo["anna"].pk, version=1),
    )
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.subject == "Von Kollegin geändert"


def test_a_contact_logged_on_the_case_is_on_both_timelines(client_as, demo, nord):
    client = client_as("anna")
    case = new_case(nord, demo["anna"])
    response = client.post(
        reverse("service:case_contact", args=[case.pk]),
        {
            "kind": "call",
            "direction": "out",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "subject": "Rückruf wegen Kratzer",
        },
    )
    assert response.status_code == 302
    assert (
        "Rückruf wegen Kratzer" in client.get(case.get_absolute_url()).content.decode()
    )
    assert (
        "Rückruf wegen Kratzer" in client.get(nord.get_absolute_url()).content.decode()
    )
    case.refresh_from_db()
    assert case.first_response_at is not None


def test_another_teams_case_is_404_on_every_view(client_as, demo, nord):
    case = new_case(nord, demo["anna"])
    ben = client_as("ben")
    for url in (
        case.get_absolute_url(),
        reverse("service:case_status", args=[case.pk]),
        reverse("service:case_contact", args=[case.pk]),
    ):
        method = ben.get if url == case.get_absolute_url() else ben.post
        assert method(url, {}).status_code == 404, url
    assert ben.post(case.get_absolute_url(), _form()).status_code == 404
    new = reverse("service:customer_case_new", args=[nord.pk])
    assert ben.get(new).status_code == 404
    assert case.number not in ben.get(LIST + "?status=all").content.decode()


def test_the_dpo_reads_cases_but_changes_none(client_as, demo, nord):
    case = new_case(nord, demo["anna"])
    dora = client_as("dora")
    page = dora.get(case.get_absolute_url())
    assert page.status_code == 200 and b'data-testid="case-edit"' not in page.content
    assert dora.post(case.get_absolute_url(), _form()).status_code == 403
    status = reverse("service:case_status", args=[case.pk])
    assert dora.post(status, {"status": "in_progress"}).status_code == 403


def test_a_restricted_customers_cases_are_hidden(client_as, demo, nord):
    case = new_case(nord, demo["anna"], subject="Geheime Beschwerde")
    Customer.objects.filter(pk=nord.pk).update(restricted_until=date.max)
    client = client_as("anna")
    assert client.get(case.get_absolute_url()).status_code == 404
    assert b"Geheime" not in client.get(LIST + "?status=all").content
    assert client_as("dora").get(case.get_absolute_url()).status_code == 200


def test_the_list_filters_by_status_and_sla(client_as, demo, nord):
    anna = demo["anna"]
    open_case = new_case(nord, anna, subject="Offen")
    done = new_case(nord, anna, subject="Erledigt")
    cases.case_set_status(
        case=done, actor=anna, version=1, status="resolved", resolution="ok"
    )
    client = client_as("anna")
    listed = client.get(LIST).content.decode()
    assert open_case.number in listed and done.number not in listed
    everything = client.get(LIST + "?status=all").content.decode()
    assert done.number in everything
    Case.objects.filter(pk=open_case.pk).update(
        response_due_at=timezone.now(), response_warn_at=timezone.now()
    )
    breached = client.get(LIST + "?sla=breached").content.decode()
    assert open_case.number in breached


def test_resolving_with_a_rating_asks_the_contact_once(client_as, demo, nord):
    from django.core import mail

    from service.models import CaseRating

    person = add_person(nord, demo["anna"], last_name="Weber", email="w@example.com")
    case = new_case(nord, demo["anna"], person=person)
    client = client_as("anna")
    mail.outbox.clear()
    response = client.post(
        reverse("service:case_status", args=[case.pk]),
        {"status": "resolved", "resolution": "Ersatz geliefert", "ask_rating": "on",
         "version": case.version},
    )  # fmt: skip
    assert response.status_code == 302
    rating = CaseRating.objects.get()
    assert (rating.case, rating.person) == (case, person)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="case-rating"' in page


def test_resolving_with_a_rating_for_a_case_without_contact_warns(
    client_as, demo, nord
):
    from service.models import CaseRating

    case = new_case(nord, demo["anna"])
    response = client_as("anna").post(
        reverse("service:case_status", args=[case.pk]),
        {"status": "resolved", "resolution": "Erledigt", "ask_rating": "on",
         "version": case.version},
        follow=True,
    )  # fmt: skip
    case.refresh_from_db()
    assert case.status == "resolved" and not CaseRating.objects.exists()
    levels = [message.level_tag for message in response.context["messages"]]
    assert "warning" in levels


def test_a_task_on_the_case_is_on_the_case_and_the_customer(client_as, demo, nord):
    case = new_case(nord, demo["anna"])
    client = client_as("anna")
    due = timezone.localdate().isoformat()
    response = client.post(
        reverse("service:case_task", args=[case.pk]),
        {"title": "Ersatzteil zusenden", "due_on": due, "assignee": demo["anna"].pk,
         "priority": "normal"},
    )  # fmt: skip
    assert response.status_code == 302
    task = case.tasks.get()
    assert (task.customer, task.title) == (nord, "Ersatzteil zusenden")
    assert "Ersatzteil zusenden" in client.get(case.get_absolute_url()).content.decode()
    assert "Ersatzteil zusenden" in client.get(nord.get_absolute_url()).content.decode()
    response = client.post(
        reverse("service:case_task", args=[case.pk]),
        {"title": "", "due_on": due, "assignee": demo["anna"].pk},
    )
    assert response.status_code == 400 and case.tasks.count() == 1
    ben = client_as("ben")
    assert ben.post(reverse("service:case_task", args=[case.pk]), {}).status_code == 404
