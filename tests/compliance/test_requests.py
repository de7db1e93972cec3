"""Data-subject requests: Art. 12(3) due dates, extension, closing, the DPO's list."""

from datetime import date

import pytest
from django.urls import reverse

from compliance import services
from compliance.models import DataSubjectRequest

from .conftest import open_request


def test_the_due_date_follows_article_12_3(demo, erika):
    # received Fri 31.01.2025 -> Fri 28.02.2025; Wed 05.03.2025 -> Mon 07.04.2025
    assert open_request(demo["dora"], person=erika).due_on == date(2025, 2, 28)
    second = open_request(demo["dora"], person=erika, received=date(2025, 3, 5))
    assert second.due_on == date(2025, 4, 7)
    assert second.number != open_request(demo["dora"]).number


def test_the_company_s_land_adds_its_holidays(demo):
    from tests.support.companies import set_company

    # 06.12.2025 + 1 month = Tue 06.01.2026: Epiphany in Bavaria, not in Berlin
    set_company(demo["dora"], land="BY")
    assert open_request(demo["dora"], received=date(2025, 12, 6)).due_on == date(
        2026, 1, 7
    )
    set_company(demo["dora"], land="BE")
    assert open_request(demo["dora"], received=date(2025, 12, 6)).due_on == date(
        2026, 1, 6
    )


def test_an_extension_needs_reasons_comes_once_and_only_in_the_first_month(demo):
    dora = demo["dora"]
    request = open_request(dora)
    with pytest.raises(services.RequestRefused):
        services.request_extend(
            request=request, actor=dora, version=1, reason=" ", today=date(2025, 2, 3)
        )
    with pytest.raises(services.RequestRefused):
        services.request_extend(
            request=request, actor=dora, version=1, reason="x", today=date(2025, 3, 1)
        )
    extended = services.request_extend(
        request=request,
        actor=dora,
        version=1,
        reason="Umfangreiche Daten in drei Systemen",
        today=date(2025, 2, 28),
    )
    assert extended.due_on == date(2025, 4, 30)  # three months from receipt
    assert extended.history.latest().history_change_reason
    with pytest.raises(services.RequestRefused):
        services.request_extend(
            request=extended, actor=dora, version=2, reason="x", today=date(2025, 2, 28)
        )


def test_the_dpo_records_a_request_from_the_person_s_page(client_as, demo, erika):
    client = client_as("dora")
    new = reverse("compliance:request_new")
    form = client.get(new, {"person": erika.pk})
    assert form.context["form"].initial["subject_name"] == "Erika Muster"
    response = client.post(
        new,
        {
            "kind": "erasure", "person": erika.pk, "subject_name": "Erika Muster",
            "received_on": "2025-01-31", "channel": "letter",
            "identity_method": "Unterschrift verglichen",
        },
    )  # fmt: skip
    created = DataSubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == (
        created.get_absolute_url()
    )
    assert (created.person, created.due_on) == (erika, date(2025, 2, 28))
    assert created.identity_checked_at is not None
    assert created.handled_by == demo["dora"]
    page = client.get(created.get_absolute_url()).content.decode()
    assert "28.02.2025" in page and "Erika Muster" in page


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(client_as):
    client = client_as("dora")
    response = client.post(
        reverse("compliance:request_new"),
        {"kind": "access", "subject_name": "", "received_on": "2999-01-01",
         "channel": "email"},
    )  # fmt: skip
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"subject_name", "received_on"}
    assert "Zukunft" in str(form.errors["received_on"])
    assert DataSubjectRequest.objects.exists() is False


def test_the_list_is_sorted_by_due_date_and_shows_overdue_in_red(client_as, demo):
    from django.utils import timezone

    dora = demo["dora"]
    today = timezone.localdate()
    late = open_request(dora, received=date(2025, 1, 31))
    fresh = open_request(dora, received=today)
    closed = open_request(dora, received=date(2025, 1, 2))
    services.request_close(
        request=closed, actor=dora, version=1, status="done", today=today
    )
    client = client_as("dora")
    response = client.get(reverse("compliance:request_list"))
    rows = list(response.context["requests"])
    assert rows == [late, fresh]  # open ones, soonest due first
    html = response.content.decode()
    assert html.count('data-overdue="1"') == 1
    every = client.get(reverse("compliance:request_list"), {"status": "all"})
    assert closed in list(every.context["requests"])
    dashboard = client.get(reverse("compliance:index")).content.decode()
    assert 'data-testid="overdue-count">1<' in dashboard


def test_working_on_a_request_and_a_stale_form(client_as, demo):
    request = open_request(demo["dora"])
    client = client_as("dora")
    update = reverse("compliance:request_update", args=[request.pk])
    data = {"status": "in_progress", "note": "Daten gesammelt", "version": 1}
    assert client.post(update, data).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.version) == ("in_progress", 2)
    stale = client.post(update, {**data, "note": "anders"})  # still version 1
    assert stale.status_code == 409
    request.refresh_from_db()
    assert request.note == "Daten gesammelt"
    close = reverse("compliance:request_close", args=[request.pk])
    assert client.post(close, {"status": "done", "version": 2}).status_code == 302
    request.refresh_from_db()
    assert request.status == "done" and request.closed_on is not None
    refused = client.post(update, {**data, "version": 3})
    assert refused.status_code == 400
    assert "geschlossen" in refused.content.decode()


def test_the_extension_form_refuses_without_reason(client_as, demo):
    request = open_request(demo["dora"])
    client = client_as("dora")
    url = reverse("compliance:request_extend", args=[request.pk])
    response = client.post(url, {"reason": "", "version": 1})
    assert response.status_code == 400
    assert response.context["extend_form"].errors["reason"]
    request.refresh_from_db()
    assert request.extended is False


def test_the_dashboard_shows_what_needs_attention(client_as, demo, erika):
    from compliance.models import AccessLog

    consent = services.consent_record(
        person=erika, purpose="phone_marketing", source="phone", actor=demo["anna"]
    )
    services.consent_withdraw(consent=consent, actor=demo["anna"], via="staff")
    AccessLog.objects.create(
        company_id=demo["anna"].company_id,
        user=demo["anna"],
        action="export",
        what="customers",
    )
    client = client_as("dora")
    client.get(reverse("compliance:index"))  # warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("compliance:index")).content.decode()
    assert "1 Einwilligung in 30 Tagen widerrufen" in page
    assert "Erika Muster" in page
    assert "1 Export oder Auskunft in 30 Tagen" in page
    # with the OTP device of the session and the trainings panel (members, trainings)
    assert len(queries) <= 15


def test_a_restriction_hides_the_customer_until_it_is_lifted(client_as, demo, erika):
    request = open_request(demo["dora"], person=erika, kind="restriction")
    dora = client_as("dora")
    url = reverse("compliance:request_action", args=[request.pk, "restrict"])
    assert dora.post(url, {"version": 1}).status_code == 302
    customer = erika.customer
    assert client_as("anna").get(customer.get_absolute_url()).status_code == 404
    assert client_as("dora").get(customer.get_absolute_url()).status_code == 200
    lift = reverse("compliance:request_action", args=[request.pk, "lift"])
    assert client_as("dora").post(lift, {"version": 2}).status_code == 302
    assert client_as("anna").get(customer.get_absolute_url()).status_code == 200
    request.refresh_from_db()
    assert "aufgehoben" in request.note


def test_an_objection_withdraws_every_consent(client_as, demo, erika):
    from compliance.models import Consent

    services.consent_record(
        person=erika, purpose="phone_marketing", source="phone", actor=demo["anna"]
    )
    request = open_request(demo["dora"], person=erika, kind="objection")
    url = reverse("compliance:request_action", args=[request.pk, "object"])
    assert client_as("dora").post(url, {"version": 1}).status_code == 302
    consent = Consent.objects.get()
    assert (consent.status, consent.withdrawn_via) == ("withdrawn", "objection")
    wrong = reverse("compliance:request_action", args=[request.pk, "restrict"])
    refused = client_as("dora").post(wrong, {"version": 2})
    assert refused.status_code == 400
    assert client_as("anna").post(url, {"version": 2}).status_code == 403


def test_a_contact_of_an_organization_is_restricted_alone(client_as, demo):
    from crm.models import Person

    from .conftest import add_person, make_customer

    org = make_customer(demo["anna"], "Nord", name="Nordlicht GmbH")
    contact = add_person(org, demo["anna"], first_name="Ole", last_name="Leise")
    other = add_person(org, demo["anna"], first_name="Pia", last_name="Laut")
    request = open_request(demo["dora"], person=contact, kind="restriction")
    url = reverse("compliance:request_action", args=[request.pk, "restrict"])
    assert client_as("dora").post(url, {"version": 1}).status_code == 302
    anna = client_as("anna")
    page = anna.get(org.get_absolute_url()).content.decode()
    assert "Nordlicht GmbH" in page and "Laut" in page and "Leise" not in page
    person_url = reverse("crm:person_detail", args=[org.pk, contact.pk])
    assert anna.get(person_url).status_code == 404
    assert not Person.objects.visible_to(demo["anna"]).filter(pk=contact.pk).exists()
    assert (
        anna.get(reverse("search"), {"q": "Leise"}).content.decode().count("Ole Leise")
        == 0
    )
    assert client_as("dora").get(person_url).status_code == 200
    lift = reverse("compliance:request_action", args=[request.pk, "lift"])
    assert client_as("dora").post(lift, {"version": 2}).status_code == 302
    assert client_as("anna").get(person_url).status_code == 200
    assert other.restricted_until is None
