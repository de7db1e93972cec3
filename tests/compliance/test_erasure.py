"""Erasure: nothing of the person is left anywhere, unless a retention duty holds it."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from compliance import services
from compliance.erasure import erasure_plan, erasures_complete
from compliance.models import Erasure
from contracts.models import Contract
from crm import services as crm_services
from crm.models import Customer, Person
from tests.support.versions import current

from .conftest import add_person, make_customer, open_request

FIRST, LAST = "Quirinius", "Zwetschgenbaum"
EMAIL = "quirinius.z@example.org"
PHONE = "+49 30 9876543"
BIRTHDAY = date(1971, 3, 9)
NEEDLES = [FIRST, LAST, EMAIL, "309876543", "Pflaumenallee"]
# Encrypted at rest (core.fields): never in any column in plain text.
ENCRYPTED = ["1971-03-09", "mag Pflaumen"]


def columns_containing(needle: str) -> list[str]:
    """Every text-like or date column of every table that contains `needle`.

    Straight SQL over information_schema: history tables, link tables and
    tables of other apps included, not only what the ORM knows.
    """
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN "
            "('text', 'character varying', 'character', 'json', 'jsonb', 'date')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


def private_customer(anna):
    customer = make_customer(
        anna, "Nord", kind="private",
        person_fields={"first_name": FIRST, "last_name": LAST, "email": EMAIL,
                       "phone": PHONE, "birthday": BIRTHDAY,
                       "personal_notes": f"{FIRST} mag Pflaumen"},
    )  # fmt: skip
    person = customer.persons.get()
    crm_services.address_create(
        customer=customer, actor=anna,
        fields={"purpose": "postal", "recipient": f"{FIRST} {LAST}",
                "street": "Pflaumenallee 7", "postcode": "10115", "city": "Berlin",
                "country": "DE"},
    )  # fmt: skip
    # history rows with old values: a changed e-mail, a changed name
    crm_services.person_update(
        person=person,
        actor=anna,
        version=current(person),
        fields={"email": "neu." + EMAIL, "mobile": PHONE},
    )
    crm_services.interaction_create(
        customer=customer, actor=anna, persons=[person],
        fields={"kind": "call", "direction": "in", "occurred_at": timezone.now(),
                "subject": f"Rückruf {LAST}", "text": f"{FIRST} fragt nach"},
    )  # fmt: skip
    return customer, person


def checked_request(dora, person, received=date(2025, 1, 31)):
    request = open_request(dora, person=person, kind="erasure", received=received)
    return services.request_update(
        request=request, actor=dora, version=1,
        fields={"identity_checked_at": timezone.now(),
                "identity_method": "Ausweis per Videoanruf"},
    )  # fmt: skip


def test_after_erasure_no_column_anywhere_holds_the_person(client_as, demo):
    customer, person = private_customer(demo["anna"])
    client_as("anna").get(customer.get_absolute_url())  # an access log row
    for needle in NEEDLES:
        assert columns_containing(needle), needle  # the scan finds them before
    for needle in ENCRYPTED:
        assert columns_containing(needle) == [], needle
    history = Person.history.filter(id=person.pk)
    assert history.exclude(birthday=None).exists()  # old rows hold it (encrypted)
    request = checked_request(demo["dora"], person)
    services.request_erase(
        request=request, actor=demo["dora"], version=2, today=timezone.localdate()
    )
    for needle in NEEDLES:
        assert columns_containing(needle) == [], needle
    assert history.exclude(birthday=None).exists() is False
    assert history.exclude(personal_notes="").exists() is False
    erasure = Erasure.objects.get()
    assert erasure.completed_at is not None and erasure.request == request
    assert erasure.counts["crm.Person"] == 1 and erasure.counts["crm.Address"] == 1
    request.refresh_from_db()
    assert (request.status, request.subject_name) == ("done", "[gelöscht]")
    customer.refresh_from_db()
    assert customer.restricted_until is None and customer.status == "former"


def test_an_organization_contact_is_erased_and_the_organization_kept(demo):
    anna = demo["anna"]
    org = make_customer(anna, "Nord", name="Nordlicht Logistik GmbH")
    contact = add_person(org, anna, first_name=FIRST, last_name=LAST, email=EMAIL)
    colleague = add_person(org, anna, first_name="Pia", last_name="Bleibt")
    request = checked_request(demo["dora"], contact)
    services.request_erase(
        request=request, actor=demo["dora"], version=2, today=timezone.localdate()
    )
    for needle in (FIRST, LAST, EMAIL):
        assert columns_containing(needle) == [], needle
    org.refresh_from_db()
    colleague.refresh_from_db()
    assert org.name == "Nordlicht Logistik GmbH" and org.restricted_until is None
    assert colleague.last_name == "Bleibt"


def held_contract(customer, anna, *, status="active"):
    from tests.contracts.conftest import make_contract

    contract = make_contract(customer, anna, title="Stromliefervertrag")
    Contract.objects.filter(pk=contract.pk).update(status=status)
    return contract


def test_a_running_contract_restricts_instead_of_erasing(client_as, demo):
    customer, person = private_customer(demo["anna"])
    contract = held_contract(customer, demo["anna"])
    request = checked_request(demo["dora"], person)
    plan = erasure_plan(person, today=timezone.localdate())
    assert [(h.label, h.until) for h in plan.holds] == [("contracts.Contract", None)]
    dora = client_as("dora")
    page = dora.get(reverse("compliance:request_erase", args=[request.pk]))
    assert "Stromliefervertrag" in page.content.decode()
    response = dora.post(
        reverse("compliance:request_erase", args=[request.pk]),
        {"version": 2, "confirm": "on"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.restricted_until == date.max
    # the phone, e-mail, birthday and notes went now; name and address are held
    for needle in (EMAIL, "309876543"):
        hits = [c for c in columns_containing(needle) if "address" not in c]
        assert hits == [], needle
    assert columns_containing(LAST)  # kept, restricted
    # hidden from staff, the DPO still sees it
    assert client_as("anna").get(customer.get_absolute_url()).status_code == 404
    assert client_as("anna").get(contract.get_absolute_url()).status_code == 404
    assert client_as("dora").get(customer.get_absolute_url()).status_code == 200
    # while the contract runs nothing more happens
    assert erasures_complete(today=date(2040, 1, 1)) == 0


def erased_with_an_ended_contract(demo):
    """A private customer whose contract ended 31.12.2025, erased on 22.11.2026."""
    customer, person = private_customer(demo["anna"])
    contract = held_contract(customer, demo["anna"], status="ended")
    Contract.objects.filter(pk=contract.pk).update(term_end=date(2025, 12, 31))
    request = checked_request(demo["dora"], person)
    erasure = services.request_erase(
        request=request, actor=demo["dora"], version=2, today=date(2026, 11, 22)
    )
    return customer, erasure


def test_the_daily_task_erases_the_day_the_hold_ends(demo):
    customer, erasure = erased_with_an_ended_contract(demo)
    hold = erasure.holds.get()
    assert hold.until == date(2032, 1, 1)  # six years from the end of 2025
    customer.refresh_from_db()
    assert customer.restricted_until == date(2032, 1, 1)
    assert erasures_complete(today=date(2031, 12, 31)) == 0
    assert columns_containing(LAST)
    assert erasures_complete(today=date(2032, 1, 1)) == 1
    for needle in [*NEEDLES, "Stromliefervertrag"]:
        assert columns_containing(needle) == [], needle
    customer.refresh_from_db()
    assert customer.restricted_until is None
    erasure.refresh_from_db()
    assert erasure.completed_at is not None
    assert erasures_complete(today=date(2032, 1, 2)) == 0  # once


def test_a_manual_extension_keeps_the_hold(demo):
    _customer, erasure = erased_with_an_ended_contract(demo)
    erasure.holds.update(extended_until=date(2033, 6, 30))  # open tax assessment
    assert erasures_complete(today=date(2032, 1, 1)) == 0
    assert erasures_complete(today=date(2033, 6, 30)) == 1


def test_a_business_letter_is_held_six_years(demo):
    customer, person = private_customer(demo["anna"])
    crm_services.interaction_create(
        customer=customer, actor=demo["anna"], persons=[person],
        fields={"kind": "letter", "direction": "out", "subject": "Angebot",
                "occurred_at": datetime(2025, 6, 10, 9, 0, tzinfo=UTC)},
    )  # fmt: skip
    plan = erasure_plan(person, today=date(2026, 11, 22))
    assert [(h.label, h.until) for h in plan.holds] == [
        ("crm.Interaction", date(2032, 1, 1))
    ]
    assert erasure_plan(person, today=date(2032, 1, 1)).holds == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "access"}, "Nur ein Löschantrag"),
        ({"identity_checked_at": None}, "Identität"),
        ({"status": "done"}, "geschlossen"),
    ],
)
def test_erasure_is_refused_when_the_request_does_not_allow_it(
    client_as, demo, change, message
):
    _customer, person = private_customer(demo["anna"])
    request = checked_request(demo["dora"], person)
    type(request).objects.filter(pk=request.pk).update(**change)
    response = client_as("dora").post(
        reverse("compliance:request_erase", args=[request.pk]),
        {"version": 2, "confirm": "on"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Erasure.objects.exists() is False
    assert Customer.objects.filter(name__contains=LAST).exists()


def test_staff_cannot_reach_the_erasure(client_as, demo):
    _customer, person = private_customer(demo["anna"])
    request = checked_request(demo["dora"], person)
    url = reverse("compliance:request_erase", args=[request.pk])
    assert client_as("anna").get(url).status_code == 403
    assert client_as("maria").post(url, {"version": 2}).status_code == 403
    assert Erasure.objects.exists() is False


def test_an_austrian_company_keeps_business_letters_seven_years(demo):
    from tests.support.companies import set_company

    set_company(demo["anna"], country="AT")
    customer, person = private_customer(demo["anna"])
    crm_services.interaction_create(
        customer=customer, actor=demo["anna"], persons=[person],
        fields={"kind": "email", "direction": "in", "subject": "Bestellung",
                "occurred_at": datetime(2025, 6, 10, 9, 0, tzinfo=UTC)},
    )  # fmt: skip
    plan = erasure_plan(person, today=date(2026, 11, 22))
    assert [hold.until for hold in plan.holds] == [date(2033, 1, 1)]


def test_a_contact_with_held_letters_is_restricted_alone_then_erased(client_as, demo):
    anna = demo["anna"]
    org = make_customer(anna, "Nord", name="Nordlicht Logistik GmbH")
    contact = add_person(org, anna, first_name=FIRST, last_name=LAST, email=EMAIL)
    crm_services.interaction_create(
        customer=org, actor=anna, persons=[contact],
        fields={"kind": "email", "direction": "in", "subject": "Auftrag",
                "occurred_at": datetime(2025, 6, 10, 9, 0, tzinfo=UTC)},
    )  # fmt: skip
    request = checked_request(demo["dora"], contact)
    services.request_erase(
        request=request, actor=demo["dora"], version=2, today=date(2026, 11, 22)
    )
    contact.refresh_from_db()
    assert contact.restricted_until == date(2032, 1, 1)
    assert columns_containing(EMAIL) == [] and columns_containing(LAST)
    url = reverse("crm:person_detail", args=[org.pk, contact.pk])
    assert client_as("anna").get(url).status_code == 404
    assert client_as("anna").get(org.get_absolute_url()).status_code == 200
    assert erasures_complete(today=date(2032, 1, 1)) == 1
    assert columns_containing(LAST) == [] and columns_containing(FIRST) == []
    contact.refresh_from_db()
    assert contact.restricted_until is None
    org.refresh_from_db()
    assert org.restricted_until is None and org.name == "Nordlicht Logistik GmbH"


def test_proof_of_a_phone_consent_is_held_five_years(demo):
    _customer, person = private_customer(demo["anna"])
    consent = services.consent_record(
        person=person, purpose="phone_marketing", source="phone", actor=demo["anna"]
    )
    given = timezone.localtime(consent.confirmed_at).date()
    plan = erasure_plan(person, today=given)
    holds = [(h.label, h.until) for h in plan.holds]
    from core.dates import add_months

    assert holds == [("compliance.Consent", add_months(given, 60))]


def test_a_record_deleted_earlier_is_found_in_the_history_and_erased(client_as, demo):
    anna = demo["anna"]
    old_org = make_customer(anna, "Nord", name="Alte Firma GmbH")
    earlier = add_person(old_org, anna, first_name="Q.", last_name="Zwetschge",
                         email=EMAIL.upper())  # fmt: skip
    crm_services.person_delete(person=earlier, actor=anna)  # history keeps it
    assert columns_containing("Zwetschge")
    _customer, person = private_customer(anna)
    request = checked_request(demo["dora"], person)
    page = client_as("dora").get(reverse("compliance:request_erase", args=[request.pk]))
    assert 'data-testid="former-records"' in page.content.decode()
    services.request_erase(
        request=request, actor=demo["dora"], version=2, today=timezone.localdate()
    )
    assert columns_containing("Zwetschge") == []
    assert columns_containing(EMAIL) == []
    assert Erasure.objects.get().counts["crm.Person (deleted earlier)"] == 1


def test_erasure_blanks_the_salutation_that_would_tell_the_gender(client_as, demo):
    _customer, person = private_customer(demo["anna"])
    crm_services.person_update(
        person=person,
        actor=demo["anna"],
        version=current(person),
        fields={"salutation": "mr"},
    )
    request = checked_request(demo["dora"], person)
    services.request_erase(
        request=request, actor=demo["dora"], version=2, today=timezone.localdate()
    )
    person.refresh_from_db()
    assert (person.salutation, person.last_name) == ("", "[gelöscht]")
    history = Person.history.filter(id=person.pk)
    assert history.exclude(salutation="").exists() is False  # old rows too
    page = client_as("dora").get(person.get_absolute_url()).content.decode()
    heading = page[page.index("<h1") : page.index("</h1>")]
    assert "[gelöscht]" in heading
    for salutation in ("Herr", "Frau", "(keine)"):
        assert salutation not in heading, salutation


def test_while_the_identity_is_unchecked_the_plan_only_records_the_check(
    client_as, demo
):
    _customer, person = private_customer(demo["anna"])
    request = open_request(demo["dora"], person=person, kind="erasure")
    url = reverse("compliance:request_erase", args=[request.pk])
    dora = client_as("dora")
    page = dora.get(url).content.decode()
    assert 'data-testid="identity-form"' in page
    assert 'data-testid="confirm-erasure"' not in page  # no button that refuses
    assert 'name="confirm"' not in page
    # erasing anyway (a crafted POST) is refused by the service
    refused = dora.post(url, {"version": 1, "confirm": "on"})
    assert refused.status_code == 400
    assert "Identität" in refused.content.decode()
    assert Erasure.objects.exists() is False
    # an empty check is no check
    empty = dora.post(url, {"step": "identity", "version": 1, "identity_method": ""})
    assert empty.status_code == 400
    request.refresh_from_db()
    assert request.identity_checked_at is None
    # recorded: by whom and how, in the request's history
    response = dora.post(
        url,
        {"step": "identity", "version": 1, "identity_method": "Rückruf bekannte Nr."},
    )
    assert response.status_code == 302 and response["Location"] == url
    request.refresh_from_db()
    assert request.identity_checked_at is not None and request.version == 2
    assert request.identity_method == "Rückruf bekannte Nr."
    latest = request.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        demo["dora"],
        "Identität geprüft",
    )
    page = dora.get(url).content.decode()
    assert 'data-testid="identity-form"' not in page
    assert 'data-testid="confirm-erasure"' in page and 'name="confirm"' in page
    assert Erasure.objects.exists() is False  # recording the check erases nothing


def test_erasing_needs_the_confirmation_next_to_the_checkbox(client_as, demo):
    _customer, person = private_customer(demo["anna"])
    request = checked_request(demo["dora"], person)
    url = reverse("compliance:request_erase", args=[request.pk])
    dora = client_as("dora")
    response = dora.post(url, {"version": 2})
    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index('name="confirm"') :]
    message = "Bestätigen Sie, dass sich das Löschen nicht rückgängig machen lässt."
    assert message in field[:1500]  # the message stands with the checkbox
    assert Erasure.objects.exists() is False
    assert Customer.objects.filter(name__contains=LAST).exists()
    request.refresh_from_db()
    assert request.status == "open"
    assert dora.post(url, {"version": 2, "confirm": "on"}).status_code == 302
    assert Erasure.objects.count() == 1


def test_the_identity_check_is_refused_on_a_closed_request(demo):
    _customer, person = private_customer(demo["anna"])
    request = open_request(demo["dora"], person=person, kind="erasure")
    type(request).objects.filter(pk=request.pk).update(status="done")
    with pytest.raises(services.RequestRefused):
        services.request_identity_check(
            request=request, actor=demo["dora"], version=1,
            method="Ausweis", now=timezone.now(),
        )  # fmt: skip


def kept_for_the_test(ids, today):
    """A record kind's hold function, declared in the registry like the others."""
    from compliance.holds import Hold

    return [
        Hold("crm.Address", pk, "Adresse", "Testpflicht", date(2099, 1, 1))
        for pk in ids
    ]


def test_retention_holds_come_from_the_registry_so_new_kinds_plug_in(demo, monkeypatch):
    import dataclasses

    from django.utils.module_loading import import_string

    from compliance import erasure, registry

    declared = {entry.label: entry.holds for entry in registry.REGISTRY if entry.holds}
    assert declared == {
        "crm.Interaction": "compliance.holds.business_letters",
        "contracts.Contract": "compliance.holds.private_contracts",
        "compliance.Consent": "compliance.holds.phone_consents",
        "service.Case": "compliance.holds.cases",
    }
    assert all(callable(import_string(path)) for path in declared.values())

    plugged = tuple(
        dataclasses.replace(entry, holds=f"{__name__}.kept_for_the_test")
        if entry.label == "crm.Address"
        else entry
        for entry in registry.REGISTRY
    )
    monkeypatch.setattr(erasure, "REGISTRY", plugged)
    customer, person = private_customer(demo["anna"])
    crm_services.address_create(
        customer=customer, actor=demo["anna"],
        fields={"purpose": "postal", "street": "Weg 1", "postcode": "20095",
                "city": "Hamburg", "country": "DE"},
    )  # fmt: skip
    plan = erasure_plan(person, today=date(2026, 12, 1))
    addresses = plan.rows["crm.Address"]
    assert len(addresses) >= 1
    assert [h.object_id for h in plan.holds if h.reason == "Testpflicht"] == addresses
