import itertools

import pytest

from accounts.models import Team

_numbers = itertools.count(1)


def make_customer(
    owner, team_name: str, *, name: str | None = None, kind="organization", **fields
):
    """A customer made through the service, as a user would make it (a private
    one takes `person_fields`)."""
    from crm import services

    fields.setdefault("status", "active")
    person_fields = fields.pop("person_fields", None)
    return services.customer_create(
        actor=owner,
        kind=kind,
        person_fields=person_fields,
        fields={
            "name": name or f"Firma {next(_numbers)} GmbH",
            "owner": owner,
            "team": Team.objects.get(name=team_name),
            **fields,
        },
    )


def add_person(customer, actor, **fields):
    from crm import services

    fields.setdefault("last_name", "Muster")
    fields.setdefault("email", "kontakt@example.com")
    return services.person_create(customer=customer, actor=actor, fields=fields)


def add_address(customer, actor, **fields):
    from crm import services

    fields = {
        "purpose": "postal",
        "street": "Hauptstraße 1",
        "postcode": "20095",
        "city": "Hamburg",
        "country": "DE",
        **fields,
    }
    return services.address_create(customer=customer, actor=actor, fields=fields)


def log_interactions(
    customer, actor, count=1, *, kind="call", subject=None, start=None, persons=()
):
    """`count` interactions, a minute apart backwards from `start` (default now)."""
    from datetime import timedelta

    from django.utils import timezone

    from crm import services

    start = start or timezone.now()
    for number in range(count):
        services.interaction_create(
            customer=customer,
            actor=actor,
            fields={
                "kind": kind,
                "direction": "out",
                "occurred_at": start - timedelta(minutes=number),
                "subject": subject or f"{kind} {number}",
            },
            persons=persons,
        )


@pytest.fixture
def nord(demo):
    """A customer of team Nord (owner anna) with a person and an address."""
    customer = make_customer(demo["anna"], "Nord", name="Nordlicht Logistik GmbH")
    add_person(customer, demo["anna"], first_name="Nina", last_name="Nordmann")
    add_address(customer, demo["anna"])
    return customer


@pytest.fixture
def sud(demo):
    """A customer of team Süd (owner ben) with a person, address and interaction."""
    customer = make_customer(demo["ben"], "Süd", name="Südwind Bau AG")
    person = add_person(customer, demo["ben"], first_name="Sepp", last_name="Huber")
    add_address(customer, demo["ben"], postcode="80331", city="München")
    log_interactions(
        customer, demo["ben"], subject="Angebot besprochen", persons=[person]
    )
    return customer
