"""Every editable record carries a version: simultaneous saves of one form state
save once, the rest are refused (409) with what changed, nothing is overwritten."""

import threading
from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, Notice
from crm.models import Address, Person
from tests.support.otp import sign_in
from tests.support.versions import current

from .conftest import add_address, add_person, make_customer


def post_at_once(user, url: str, forms: list[dict]) -> list[int]:
    """POST each form from its own client and thread, all released together."""
    barrier = threading.Barrier(len(forms))
    statuses: list[int] = [0] * len(forms)

    def run(index: int, data: dict) -> None:
        client = Client()
        sign_in(client, user)  # password and second factor
        try:
            barrier.wait(timeout=60)
            statuses[index] = client.post(url, data).status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, data))
        for index, data in enumerate(forms)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_person_edits_save_one_and_refuse_the_rest(demo):
    anna = demo["anna"]
    customer = make_customer(anna, "Nord", name="Gleichzeitig GmbH")
    person = add_person(customer, anna)
    url = reverse("crm:person_edit", args=[customer.pk, person.pk])
    version = current(person)
    forms = [
        {
            "first_name": f"Name{number}",
            "last_name": "Parallel",
            "email": "p@example.com",
            "preferred_language": "de",
            "version": version,
        }
        for number in range(50)
    ]
    statuses = post_at_once(anna, url, forms)

    assert sorted(statuses) == [302] + [409] * 49
    person.refresh_from_db()
    assert person.version == version + 1
    assert person.history.filter(history_type="~").count() == 1  # one save only


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_simultaneous_address_corrections_save_one(demo):
    anna = demo["anna"]
    customer = make_customer(anna, "Nord", name="Adressen GmbH")
    address = add_address(customer, anna)
    url = reverse("crm:address_edit", args=[customer.pk, address.pk])
    forms = [
        {
            "recipient": "",
            "street": f"Hauptstraße {number}",
            "postcode": "20095",
            "city": "Hamburg",
            "country": "DE",
            "details": "",
            "version": current(address),
        }
        for number in range(1, 11)
    ]
    assert sorted(post_at_once(anna, url, forms)) == [302] + [409] * 9
    assert Address.objects.get(pk=address.pk).version == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_notices_record_one(demo):
    from tests.contracts.conftest import make_contract

    anna = demo["anna"]
    customer = make_customer(anna, "Nord", name="Kündigung GmbH")
    add_address(customer, anna)
    contract = make_contract(customer, anna)
    url = reverse("contracts:contract_notice", args=[contract.pk])
    received = timezone.localtime().replace(second=0, microsecond=0)
    forms = [
        {
            "given_by": "customer",
            "channel": "letter",
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
            "version": current(contract),
        }
        for _ in range(20)
    ]
    statuses = post_at_once(anna, url, forms)

    assert sorted(statuses) == [302] + [409] * 19
    assert Notice.objects.filter(contract=contract).count() == 1
    assert Contract.objects.get(pk=contract.pk).status == "notice_given"


def test_a_stale_person_form_is_refused_with_what_changed(client_as, demo):
    anna = demo["anna"]
    customer = make_customer(anna, "Nord", name="Alt GmbH")
    person = add_person(customer, anna)
    client = client_as("anna")
    url = reverse("crm:person_edit", args=[customer.pk, person.pk])
    opened = current(person)
    data = {
        "first_name": "Erste",
        "last_name": "Fassung",
        "email": "a@example.com",
        "preferred_language": "de",
        "version": opened,
    }
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "first_name": "Zweite"})

    assert stale.status_code == 409
    body = stale.content.decode()
    assert 'data-testid="conflict"' in body and "Erste" in body
    assert 'value="Zweite"' in body  # the user's input is kept
    assert Person.objects.get(pk=person.pk).first_name == "Erste"


def test_notice_on_an_ended_contract_is_refused_by_the_service(demo):
    from contracts import services
    from core.errors import NotPossible
    from tests.contracts.conftest import make_contract

    anna = demo["anna"]
    customer = make_customer(anna, "Nord", name="Beendet GmbH")
    contract = make_contract(customer, anna)
    Contract.objects.filter(pk=contract.pk).update(status="ended")
    with pytest.raises(NotPossible) as refused:
        services.contract_give_notice(
            contract=contract,
            actor=anna,
            version=current(contract),
            given_by="customer",
            channel="letter",
            received_at=datetime(
                2025, 6, 1, 9, 0, tzinfo=timezone.get_default_timezone()
            ),
        )
    assert refused.value.code == "notice_not_possible"
    assert Notice.objects.filter(contract=contract).exists() is False


def test_a_service_refuses_fields_it_does_not_allow(demo):
    from core.errors import DomainError
    from crm import services

    anna = demo["anna"]
    customer = make_customer(anna, "Nord", name="Felder GmbH")
    person = add_person(customer, anna)
    with pytest.raises(DomainError) as refused:
        services.person_update(
            person=person,
            actor=anna,
            version=current(person),
            fields={"last_name": "Neu", "customer_id": 1, "version": 99},
        )
    assert refused.value.code == "unknown_fields"
    assert refused.value.params == {"fields": ["customer_id", "version"]}


def test_services_normalize_and_check_what_forms_did_before(demo):
    from django.core.exceptions import ValidationError

    from core.errors import DomainError, NotPossible
    from crm import services

    anna = demo["anna"]
    customer = make_customer(anna, "Nord", name="Regeln GmbH")
    updated = services.customer_update(
        customer=customer,
        actor=anna,
        version=current(customer),
        fields={"iban": "de89 3704 0044 0532 0130 00"},
    )
    assert updated.iban == "DE89370400440532013000"  # as a form would store it
    with pytest.raises(ValidationError):
        services.customer_update(
            customer=customer,
            actor=anna,
            version=current(customer),
            fields={"iban": "DE00 0000"},
        )
    with pytest.raises(DomainError) as unknown:
        services.customer_update(
            customer=customer,
            actor=anna,
            version=current(customer),
            fields={"search_text": "x", "restricted_until": "2030-01-01"},
        )
    assert unknown.value.code == "unknown_fields"

    private = make_customer(
        anna, "Nord", kind="private",
        person_fields={"first_name": "Erika", "last_name": "Privat"},
    )  # fmt: skip
    with pytest.raises(NotPossible) as refused:
        services.person_delete(person=private.persons.get(), actor=anna)
    assert refused.value.code == "private_customer_person"
    assert private.persons.count() == 1
