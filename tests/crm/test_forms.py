"""Validation at capture: bad input gets a message next to the field, nothing saved."""

import pytest
from django.urls import reverse

from crm.models import Address, Customer, Person
from tests.support.versions import current


def new_organization(client, demo, **overrides):
    data = {
        "kind": "organization",
        "name": "Prüfstand GmbH",
        "status": "prospect",
        "owner": demo["anna"].pk,
        "team": demo["anna"].groups.get(team__isnull=False).team.pk,
        "next_review_on": "2027-05-01",
        **overrides,
    }
    return client.post(reverse("crm:customer_new"), data)


def test_a_valid_organization_is_created_with_normalized_ids(client_as, demo):
    client = client_as("anna")
    response = new_organization(
        client,
        demo,
        vat_id="de 136 695 976",
        iban="de89 3704 0044 0532 0130 00",
        tags="Messe, Newsletter",
    )
    assert response.status_code == 302
    customer = Customer.objects.get(name="Prüfstand GmbH")
    assert customer.vat_id == "DE136695976"
    assert customer.iban == "DE89370400440532013000"
    assert customer.number.startswith("K-")
    assert sorted(customer.tags.values_list("name", flat=True)) == [
        "Messe",
        "Newsletter",
    ]
    assert customer.history.first().history_user == demo["anna"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vat_id", "DE123456789", "USt-IdNr"),
        ("iban", "DE89 3704 0044 0532 0130 01", "IBAN"),
        ("name", "", "erforderlich"),
        ("website", "kein link", "gültige"),
    ],
)
def test_bad_customer_input_is_refused_next_to_the_field(
    client_as, demo, field, value, message
):
    client = client_as("anna")
    response = new_organization(client, demo, **{field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Customer.objects.exists() is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "anna@@example"),
        ("phone", "12"),
        ("phone", "0171 123"),
        ("mobile", "+49 999 1234567890123"),
    ],
)
def test_bad_person_input_is_refused(client_as, nord, field, value):
    client = client_as("anna")
    before = Person.objects.count()
    data = {"last_name": "Neu", "email": "neu@example.com", "preferred_language": "de"}
    data[field] = value
    response = client.post(reverse("crm:person_new", args=[nord.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Person.objects.count() == before


def test_phone_is_stored_in_e164_and_shown_national(client_as, nord):
    client = client_as("anna")
    response = client.post(
        reverse("crm:person_new", args=[nord.pk]),
        {"last_name": "Telefon", "phone": "0171 234 56 78", "preferred_language": "de"},
    )
    assert response.status_code == 302
    person = Person.objects.get(last_name="Telefon")
    assert person.phone == "+491712345678"
    page = client.get(nord.get_absolute_url()).content.decode()
    assert "0171 2345678" in page


def test_a_contact_person_needs_an_email_or_a_phone(client_as, nord):
    client = client_as("anna")
    response = client.post(
        reverse("crm:person_new", args=[nord.pk]),
        {"last_name": "Stumm", "preferred_language": "de"},
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


@pytest.mark.parametrize(
    ("country", "postcode", "ok"),
    [
        ("DE", "20095", True),
        ("DE", "2009", False),
        ("AT", "1010", True),
        ("AT", "10101", False),
        ("CH", "8001", True),
        ("NL", "1012 AB", True),
        ("PL", "00950", False),
    ],
)
def test_postcode_is_checked_per_country(client_as, nord, country, postcode, ok):
    client = client_as("anna")
    before = Address.objects.count()
    response = client.post(
        reverse("crm:address_new", args=[nord.pk]),
        {
            "purpose": "billing",
            "street": "Weg 1",
            "postcode": postcode,
            "city": "Ort",
            "country": country,
        },
    )
    if ok:
        assert response.status_code == 302
        assert Address.objects.count() == before + 1
    else:
        assert response.status_code == 200
        assert "postcode" in response.context["form"].errors
        assert Address.objects.count() == before


def test_a_new_address_replaces_the_current_one_of_its_purpose(client_as, nord):
    client = client_as("anna")
    response = client.post(
        reverse("crm:address_new", args=[nord.pk]),
        {
            "purpose": "postal",
            "street": "Neuer Weg 2",
            "postcode": "20097",
            "city": "Hamburg",
            "country": "DE",
            "details": "Torhöhe: 3,80 m\nWarenannahme: Mo-Fr 7-15",
        },
    )
    assert response.status_code == 302
    current = nord.addresses.get(purpose="postal", is_current=True)
    assert current.street == "Neuer Weg 2"
    assert current.details == ["Torhöhe: 3,80 m", "Warenannahme: Mo-Fr 7-15"]
    assert nord.addresses.filter(purpose="postal", is_current=False).count() == 1


def test_overlong_delivery_details_are_refused(client_as, nord):
    client = client_as("anna")
    response = client.post(
        reverse("crm:address_new", args=[nord.pk]),
        {
            "purpose": "delivery",
            "street": "Weg 1",
            "postcode": "20095",
            "city": "Hamburg",
            "country": "DE",
            "details": "Torhöhe: " + "3" * 600,
        },
    )
    assert response.status_code == 200
    assert "details" in response.context["form"].errors


def new_private(client, demo, **person):
    return client.post(
        reverse("crm:customer_new") + "?kind=private",
        {
            "kind": "private",
            "status": "active",
            "owner": demo["anna"].pk,
            "team": demo["anna"].groups.get(team__isnull=False).team.pk,
            "next_review_on": "2027-05-01",
            "person-preferred_language": "de",
            **{f"person-{name}": value for name, value in person.items()},
        },
    )


def test_a_private_customer_needs_first_and_last_name(client_as, demo):
    response = new_private(client_as("anna"), demo, last_name="Privat")
    assert response.status_code == 200
    assert "first_name" in response.context["person_form"].errors
    assert Customer.objects.exists() is False


def test_a_private_customer_is_named_after_its_person(client_as, demo):
    response = new_private(
        client_as("anna"),
        demo,
        first_name="Erika",
        last_name="Mustermann",
        phone="030 1234567",
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.name == "Erika Mustermann"
    assert customer.persons.get().phone == "+49301234567"


def test_renaming_a_private_customers_person_renames_the_customer(client_as, demo):
    from crm import services
    from crm.selectors import search_all

    customer = services.customer_create(
        actor=demo["anna"],
        kind="private",
        fields={
            "owner": demo["anna"],
            "team": demo["anna"].groups.get(team__isnull=False).team,
        },
        person_fields={"first_name": "Erika", "last_name": "Mustermann"},
    )
    person = customer.persons.get()
    client = client_as("anna")
    response = client.post(
        reverse("crm:person_edit", args=[customer.pk, person.pk]),
        {
            "first_name": "Erika",
            "last_name": "Gabler",
            "preferred_language": "de",
            "version": current(person),
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Erika Gabler"
    assert customer.version == 2
    assert customer.history.first().history_user == demo["anna"]
    assert search_all(user=demo["anna"], text="Gabler").customers == [customer]
    assert search_all(user=demo["anna"], text="Mustermann").customers == []


@pytest.mark.parametrize("birthday", ["1899-12-31", "2999-01-01"])
def test_a_birthday_outside_1900_to_today_is_refused(client_as, nord, birthday):
    client = client_as("anna")
    response = client.post(
        reverse("crm:person_new", args=[nord.pk]),
        {
            "last_name": "Zeitreise",
            "email": "z@example.com",
            "birthday": birthday,
            "preferred_language": "de",
        },
    )
    assert response.status_code == 200
    assert "birthday" in response.context["form"].errors
    assert Person.objects.filter(last_name="Zeitreise").exists() is False


def test_creating_a_customer_for_another_team_hands_it_over(client_as, demo):
    from accounts.models import Team

    client = client_as("anna")
    response = client.post(
        reverse("crm:customer_new"),
        {
            "kind": "organization",
            "name": "Übergabe GmbH",
            "status": "prospect",
            "owner": demo["ben"].pk,
            "team": Team.objects.get(name="Süd").pk,
            "next_review_on": "2027-05-01",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("crm:customer_list")
    assert "Übergabe GmbH" in response.content.decode()  # the message says so
    assert Customer.objects.get(name="Übergabe GmbH").owner == demo["ben"]


def test_a_customer_with_thousands_of_tags_is_refused(client_as, demo):
    from crm.models import Tag

    client = client_as("anna")
    tags = ", ".join(f"tag{number}" for number in range(20_000))
    response = client.post(
        reverse("crm:customer_new") + "?kind=organization",
        {"name": "Viele Schlagworte GmbH", "status": "prospect", "tags": tags},
    )
    assert response.status_code in (200, 400)
    assert "Höchstens 20 Schlagworte" in response.content.decode()
    assert Customer.objects.filter(name="Viele Schlagworte GmbH").exists() is False
    assert Tag.objects.filter(name__startswith="tag").exists() is False


def test_the_service_bounds_the_tags_too(demo):
    from django.core.exceptions import ValidationError

    from accounts.models import Team
    from crm import services

    with pytest.raises(ValidationError):
        services.customer_create(
            actor=demo["anna"],
            kind="organization",
            fields={
                "name": "Direkt GmbH",
                "owner": demo["anna"],
                "team": Team.objects.get(name="Nord"),
            },
            tags=[f"t{number}" for number in range(21)],
        )


@pytest.mark.parametrize(
    ("value", "german", "english"),
    [
        ("DE89 3704 0044 0532 0130 01", "Prüfziffern", "check digits"),
        ("DE89 3704 0044 0532 0130", "Anzahl", "number of characters"),
        ("XX89 3704 0044 0532 0130 00", "Ländercode", "country code"),
    ],
)
def test_the_iban_error_says_its_reason_in_the_readers_language(value, german, english):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from crm import validation

    for language, expected in [("de", german), ("en", english)]:
        with translation.override(language):
            with pytest.raises(ValidationError) as bad:
                validation.normalize_iban(value)
            message = bad.value.messages[0]
        assert expected in message
        assert "Invalid" not in message and "checksum" not in message
