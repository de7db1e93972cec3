"""VAT IDs of the DACH countries (and the rest of the EU): each checked by its
country's rule, stored compact, shown as written, refused with the country named."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from crm import selectors, services, validation
from crm.forms import CustomerForm
from crm.models import Customer

from .conftest import make_customer
from .test_forms import new_organization


@pytest.mark.parametrize(
    ("case", "typed", "stored", "shown"),
    [
        ("Swiss UID with MWST", "CHE-116.281.710 MWST", "CHE116281710MWST", None),
        ("Swiss, French suffix", "che 116 281 710 tva", "CHE116281710TVA", None),
        ("German", "de 136 695 976", "DE136695976", "DE136695976"),
        ("Austrian", "ATU 1358 5627", "ATU13585627", "ATU13585627"),
        ("French (other EU)", "FR 40 303 265 045", "FR40303265045", "FR40303265045"),
        ("Greek prefix EL", "EL094259216", "EL094259216", "EL094259216"),
    ],
)
def test_valid_vat_ids_are_stored_compact_and_shown_as_written(
    case, typed, stored, shown
):
    assert validation.normalize_vat_id(typed) == stored
    expected = shown or "CHE-116.281.710 " + stored.removeprefix("CHE116281710")
    assert validation.format_vat_id(stored) == expected


@pytest.mark.parametrize(
    ("case", "typed", "english", "german"),
    [
        ("German check digit", "DE123456789", "German VAT ID", "deutsche USt-IdNr."),
        ("Austrian check digit", "ATU13585628", "Austrian VAT ID", "österreichische"),
        ("Swiss without suffix", "CHE-116.281.710", "Swiss VAT", "Schweizer UID"),
        ("Swiss check digit", "CHE-116.281.711 MWST", "Swiss VAT", "Schweizer UID"),
        ("French check digit", "FR 41 303 265 045", "of France", "von Frankreich"),
        ("no country prefix", "123456789", "country code", "Ländercode"),
        ("US is no VAT country here", "US123456789", "country code", "Ländercode"),
    ],
)
def test_a_bad_vat_id_names_the_rule_that_failed(case, typed, english, german):
    for language, expected in (("en", english), ("de", german)):
        with translation.override(language):
            with pytest.raises(ValidationError) as raised:
                validation.normalize_vat_id(typed)
            assert raised.value.code == "invalid_vat_id"
            assert expected in " ".join(raised.value.messages)


def test_the_help_text_examples_are_valid_vat_ids():
    help_text = str(CustomerForm.Meta.help_texts["vat_id"])
    for example in ("DE136695976", "ATU13585627", "CHE-116.281.710 MWST"):
        assert example in help_text
        validation.normalize_vat_id(example)  # raises when not valid


def test_a_swiss_organization_is_saved_and_shown_formatted(client_as, demo):
    client = client_as("anna")
    response = new_organization(client, demo, vat_id="CHE-116.281.710 MWST")
    assert response.status_code == 302
    customer = Customer.objects.get(name="Prüfstand GmbH")
    assert customer.vat_id == "CHE116281710MWST"
    page = client.get(customer.get_absolute_url()).content.decode()
    assert 'data-testid="vat-id">CHE-116.281.710 MWST<' in page
    edit = client.get(reverse("crm:customer_edit", args=[customer.pk]))
    assert edit.context["form"]["vat_id"].value() == "CHE-116.281.710 MWST"
    found = client.get(reverse("search"), {"q": "CHE-116.281.710"})
    assert [c.pk for c in found.context["result"].customers] == [customer.pk]


def test_a_bad_swiss_vat_id_is_refused_next_to_the_field(client_as, demo):
    client = client_as("anna")
    response = new_organization(client, demo, vat_id="CHE-116.281.711 MWST")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["vat_id"])
    assert "Keine gültige Schweizer UID" in errors
    assert "CHE-116.281.710 MWST" in errors
    assert 'id="id_vat_id_error"' in response.content.decode()
    assert Customer.objects.exists() is False


def test_the_service_checks_the_vat_id_for_every_entry_point(demo):
    # An import or the API calls the service without a form.
    with pytest.raises(ValidationError):
        make_customer(demo["anna"], "Nord", vat_id="DE123456789")
    assert Customer.objects.exists() is False
    customer = make_customer(demo["anna"], "Nord", vat_id="che-116.281.710 mwst")
    assert customer.vat_id == "CHE116281710MWST"
    with pytest.raises(ValidationError):
        services.customer_update(
            customer=customer,
            actor=demo["anna"],
            version=customer.version,
            fields={"vat_id": "ATU13585628"},
        )
    customer.refresh_from_db()
    assert customer.vat_id == "CHE116281710MWST"
    assert customer.version == 1


def test_the_same_swiss_vat_id_typed_two_ways_is_a_duplicate(demo):
    anna = demo["anna"]
    first = make_customer(anna, "Nord", name="Alpen AG", vat_id="CHE-116.281.710 MWST")
    second = make_customer(anna, "Nord", name="Berg AG", vat_id="che116281710mwst")
    duplicates = selectors.duplicates_of(user=anna, customer=first)
    assert [d.customer.pk for d in duplicates] == [second.pk]
    assert "CHE-116.281.710 MWST" in duplicates[0].reasons[0]
    pairs = selectors.duplicate_candidates(user=anna)
    assert [(a.pk, b.pk) for a, b, _reason in pairs] == [(first.pk, second.pk)]
