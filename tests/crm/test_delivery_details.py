"""Delivery details: the lines as typed, in their order, with or without a label."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from crm import services
from crm.models import Address, DetailLines
from tests.support.versions import current

from .conftest import add_address, make_customer

TYPED = "Warenannahme: Mo-Fr 7-15 Uhr\nTorhöhe: 3,80 m\n\nAnmeldung an der Pforte\n"
LINES = ["Warenannahme: Mo-Fr 7-15 Uhr", "Torhöhe: 3,80 m", "Anmeldung an der Pforte"]


def delivery(**overrides):
    return {
        "purpose": "delivery",
        "street": "Lagerweg 4",
        "postcode": "20095",
        "city": "Hamburg",
        "country": "DE",
        "details": TYPED,
        **overrides,
    }


def test_lines_keep_their_order_and_a_line_needs_no_label(client_as, nord):
    client = client_as("anna")
    response = client.post(reverse("crm:address_new", args=[nord.pk]), delivery())
    assert response.status_code == 302
    address = Address.objects.get(customer=nord, purpose="delivery")
    assert address.details == LINES
    with connection.cursor() as cursor:  # stored as a JSON list, not an object
        cursor.execute("SELECT details FROM crm_address WHERE id = %s", [address.pk])
        assert json.loads(cursor.fetchone()[0]) == LINES
    page = client.get(nord.get_absolute_url()).content.decode()
    card = page[page.index('data-testid="delivery-details"') :]
    card = card[: card.index("</dl>")]
    positions = [card.index(text) for text in ("Mo-Fr 7-15 Uhr", "3,80 m", "Pforte")]
    assert positions == sorted(positions)
    assert '<dt class="col-5 fw-normal text-body-secondary">Torhöhe</dt>' in card
    assert '<dd class="col-12 mb-0">Anmeldung an der Pforte</dd>' in card


def test_edit_shows_the_text_as_saved_and_saving_it_again_changes_nothing(
    client_as, nord
):
    client = client_as("anna")
    client.post(reverse("crm:address_new", args=[nord.pk]), delivery())
    address = Address.objects.get(customer=nord, purpose="delivery")
    edit_url = reverse("crm:address_edit", args=[nord.pk, address.pk])
    text = client.get(edit_url).context["form"]["details"].value()
    assert text == "\n".join(LINES)
    response = client.post(edit_url, delivery(details=text, version=current(address)))
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.details == LINES
    assert client.get(edit_url).context["form"]["details"].value() == text


def test_the_history_shows_the_lines_in_order(client_as, nord):
    client = client_as("anna")
    client.post(reverse("crm:address_new", args=[nord.pk]), delivery())
    address = Address.objects.get(customer=nord, purpose="delivery")
    services.address_update(
        address=address,
        actor=nord.owner,
        version=current(address),
        fields={"details": "Torhöhe: 4,00 m"},
    )
    page = client.get(reverse("crm:customer_history", args=[nord.pk])).content
    html = page.decode()
    assert "; ".join(LINES) in html
    assert "Torhöhe: 4,00 m" in html
    record = address.history.first()
    assert record.details == ["Torhöhe: 4,00 m"]


def test_a_line_too_long_is_refused_next_to_the_field(client_as, nord):
    client = client_as("anna")
    before = Address.objects.count()
    response = client.post(
        reverse("crm:address_new", args=[nord.pk]),
        delivery(details="Torhöhe: 3,80 m\n" + "x" * 501),
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["details"])
    assert "Zeile 2" in errors
    assert 'id="id_details_error"' in response.content.decode()
    assert Address.objects.count() == before


def test_the_service_stores_lines_for_every_entry_point(demo, nord):
    address = add_address(nord, demo["anna"], purpose="delivery", details=TYPED)
    address.refresh_from_db()
    assert address.details == LINES
    assert isinstance(address.details, DetailLines)
    assert str(address.details) == "; ".join(LINES)


@pytest.mark.parametrize(
    ("case", "line", "label", "value"),
    [
        ("label and value", "Torhöhe: 3,80 m", "Torhöhe", "3,80 m"),
        ("no label", "Anmeldung an der Pforte", "", "Anmeldung an der Pforte"),
        (
            "a time is no label",
            "Anlieferung ab 7:30 Uhr",
            "",
            "Anlieferung ab 7:30 Uhr",
        ),
        ("a time after a label", "Zeiten: 7:30-15:00", "Zeiten", "7:30-15:00"),
    ],
)
def test_a_line_is_shown_with_its_label_when_it_has_one(case, line, label, value):
    assert DetailLines([line]).pairs == [(label, value)]


def test_the_migration_turns_objects_into_lines_in_the_order_shown(demo, nord):
    """0008's SQL on a row stored the old way (and a legacy row reads as lines)."""
    import importlib

    migration = importlib.import_module("crm.migrations.0008_delivery_detail_lines")
    address = add_address(nord, demo["anna"], purpose="delivery")
    old = {"Warenannahme": "Mo-Fr 7-15 Uhr", "Torhöhe": "3,80 m"}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crm_address SET details = %s::jsonb WHERE id = %s",
            [json.dumps(old), address.pk],
        )
        shown = Address.objects.get(pk=address.pk).details  # read the old way
        # jsonb had already sorted the keys: shorter first
        assert shown == ["Torhöhe: 3,80 m", "Warenannahme: Mo-Fr 7-15 Uhr"]
        cursor.execute(migration.TO_LINES.format(table="crm_address"))
        cursor.execute("SELECT details FROM crm_address WHERE id = %s", [address.pk])
        assert json.loads(cursor.fetchone()[0]) == shown


def test_the_access_report_prints_the_lines(demo):
    from compliance.report import as_json, collect

    customer = make_customer(
        demo["anna"],
        "Nord",
        kind="private",
        person_fields={"first_name": "Erika", "last_name": "Lieferung"},
    )
    add_address(customer, demo["anna"], purpose="delivery", details=TYPED)
    report = collect(customer.persons.get())
    section = next(s for s in report.sections if s.model == "crm.Address")
    assert any("; ".join(LINES) in line for line in section.display_rows())
    exported = json.loads(json.dumps(as_json(report)))
    rows = next(s for s in exported["records"] if s["model"] == "crm.Address")
    assert rows["rows"][0]["values"]["details"] == LINES
