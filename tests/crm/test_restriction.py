"""Art. 18: a restricted person is shown to nobody but the DPO and Admin, on every
page and in every e-mail that reaches a person (crm.models.person_shown)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from crm.models import Customer, Person
from crm.validation import display_phone

from .conftest import add_address, add_person, log_interactions, make_customer

NAME = "Zwetschgenbaum"
EMAIL = "zwetschge@example.com"
MOBILE = "+4917198765432"


@pytest.fixture
def leak(demo):
    """Nordlicht (team Nord) with a contact restricted under Art. 18 who is named in
    an interaction, a contract, a disclosure and shares an e-mail with a second
    customer of the team; `open` is a contact that is not restricted."""
    from compliance import services as compliance_services
    from contracts import services as contract_services

    anna = demo["anna"]
    org = make_customer(anna, "Nord", name="Nordlicht Logistik GmbH")
    add_address(org, anna)
    hidden = add_person(
        org, anna, first_name="Zora", last_name=NAME, email=EMAIL, mobile=MOBILE
    )
    shown = add_person(org, anna, first_name="Olga", last_name="Offen", email="o@x.de")
    log_interactions(org, anna, subject="Jahresgespräch", persons=[hidden, shown])
    contract = contract_services.contract_create(
        customer=org,
        actor=anna,
        persons=[hidden, shown],
        today=date(2025, 2, 1),
        fields={
            "title": "Wartungsvertrag",
            "concluded_on": date(2025, 1, 1),
            "start": date(2025, 1, 1),
            "initial_months": 12,
            "renewal": "months",
            "renewal_months": 12,
            "notice_amount": 3,
            "notice_unit": "months",
            "anchor": "term_end",
            "owner": anna,
        },
    )
    compliance_services.disclosure_record(
        customer=org,
        actor=anna,
        fields={
            "recipient": "Steuerbüro Kranich",
            "what": "Telefonnummer",
            "disclosed_on": date(2025, 1, 10),
            "person": hidden,
        },
    )
    twin = make_customer(anna, "Nord", name="Zweitfirma KG")
    add_person(twin, anna, last_name="Doppel", email=EMAIL)
    Person.objects.filter(pk=hidden.pk).update(restricted_until=date.max)
    return {"org": org, "shown": shown, "contract": contract, "twin": twin}


def _pages(leak) -> list[tuple[str, str, str, dict | None]]:
    org, contract = leak["org"], leak["contract"]
    disclosure = {"recipient": "Kanzlei", "what": "Name", "disclosed_on": "2025-01-11"}
    return [
        ("customer page", "get", org.get_absolute_url(), None),
        ("timeline", "get", reverse("crm:customer_timeline", args=[org.pk]), None),
        ("person page", "get", leak["shown"].get_absolute_url(), None),
        ("history", "get", reverse("crm:customer_history", args=[org.pk]), None),
        ("contract page", "get", contract.get_absolute_url(), None),
        (
            "contract history",
            "get",
            reverse("contracts:contract_history", args=[contract.pk]),
            None,
        ),
        ("disclosures", "get", reverse("disclosures:customer", args=[org.pk]), None),
        (
            "disclosures POST",
            "post",
            reverse("disclosures:customer", args=[org.pk]),
            disclosure,
        ),
        ("duplicates card", "get",
         reverse("crm:customer_duplicates", args=[org.pk]), None),
        (
            "twin's duplicates card",
            "get",
            reverse("crm:customer_duplicates", args=[leak["twin"].pk]),
            None,
        ),
        ("duplicate list", "get", reverse("crm:duplicate_list"), None),
    ]  # fmt: skip


PAGES = [
    "customer page",
    "timeline",
    "person page",
    "history",
    "contract page",
    "contract history",
    "disclosures",
    "disclosures POST",
    "duplicates card",
    "twin's duplicates card",
    "duplicate list",
]


@pytest.mark.parametrize("username", ["anna", "maria"])
@pytest.mark.parametrize("page", PAGES)
def test_a_restricted_contact_appears_on_no_page_for_staff_and_managers(
    client_as, leak, username, page
):
    label, method, url, data = next(p for p in _pages(leak) if p[0] == page)
    client = client_as(username)
    response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), label
    html = response.content.decode()
    for secret in (NAME, "Zora", EMAIL, display_phone(MOBILE), "Kranich"):
        assert secret not in html, (label, secret)
    if page == "duplicate list":  # the pair was found only through her e-mail
        assert response.context["pairs"] == []


def test_the_dpo_still_sees_the_restricted_contact(client_as, leak):
    client = client_as("dora")
    assert NAME in client.get(leak["org"].get_absolute_url()).content.decode()
    history = reverse("crm:customer_history", args=[leak["org"].pk])
    assert EMAIL in client.get(history).content.decode()
    disclosures = reverse("disclosures:customer", args=[leak["org"].pk])
    assert "Kranich" in client.get(disclosures).content.decode()


def test_the_restricted_contact_is_still_stored_and_linked(leak):
    contract = leak["contract"]
    assert contract.persons.filter(last_name=NAME).exists() is True
    assert leak["org"].interactions.get().persons.count() == 2


def test_reminder_digests_do_not_name_a_restricted_private_customer(demo, mailoutbox):
    from contracts import services as contract_services
    from contracts.models import Reminder
    from contracts.reminders import reminders_plan, reminders_send

    anna = demo["anna"]
    private = make_customer(
        anna, "Nord", kind="private",
        person_fields={"first_name": "Zora", "last_name": NAME},
    )  # fmt: skip
    add_address(private, anna)
    contract_services.contract_create(
        customer=private,
        actor=anna,
        today=date(2025, 2, 1),
        fields={
            "title": "Gartenpflege",
            "concluded_on": date(2025, 1, 1),
            "start": date(2025, 1, 1),
            "initial_months": 12,
            "renewal": "months",
            "renewal_months": 12,
            "notice_amount": 3,
            "notice_unit": "months",
            "anchor": "term_end",
            "owner": anna,
        },
    )
    notice = date(2025, 9, 30)  # the last notice day
    reminders_plan(today=notice - timedelta(days=30))  # planned before the restriction
    assert Reminder.objects.count() >= 1
    Customer.objects.filter(pk=private.pk).update(restricted_until=date.max)
    reminders_plan(today=notice - timedelta(days=7))
    reminders_send(today=notice - timedelta(days=7))
    for message in mailoutbox:
        assert NAME not in message.body
        assert NAME not in message.alternatives[0][0]
    assert (
        Reminder.objects.filter(lead_days=7, contract__customer=private).exists()
        is False
    )


def test_editing_the_contract_keeps_the_restricted_contact_linked(demo, leak):
    from contracts import services as contract_services

    contract = leak["contract"]
    contract_services.contract_update(
        contract=contract,
        actor=demo["anna"],
        version=contract.version,
        fields={"title": "Wartungsvertrag 2025"},
        persons=[leak["shown"]],  # what the form offers: no restricted person
        today=date(2025, 2, 1),
    )
    names = set(contract.persons.values_list("last_name", flat=True))
    assert names == {NAME, "Offen"}


def test_another_person_s_access_report_does_not_name_the_restricted_contact(leak):
    from compliance.report import collect

    report = collect(leak["shown"])
    shown = [
        text
        for entry in report.history
        for change in entry.changes
        for text in (change.old, change.new, entry.record)
    ]
    assert any("Offen" in text for text in shown)  # her own name is in it
    assert not any(NAME in text for text in shown)
