"""Merging duplicates: everything moves to the survivor, history records it."""

from django.urls import reverse

from crm import services
from crm.models import Customer, CustomerUserObjectPermission
from crm.selectors import duplicates_of, names_similar

from .conftest import add_address, add_person, log_interactions, make_customer


def test_duplicates_are_found_with_their_reason(demo):
    anna = demo["anna"]
    first = make_customer(anna, "Nord", name="Elbe Logistik GmbH", vat_id="DE136695976")
    add_person(first, anna, email="info@elbe.example")
    add_address(first, anna, postcode="20095")
    same_vat = make_customer(anna, "Nord", name="Anders", vat_id="DE136695976")
    same_mail = make_customer(anna, "Nord", name="Noch anders")
    add_person(same_mail, anna, email="INFO@elbe.example")
    similar = make_customer(anna, "Nord", name="Elbe-Logistik")
    add_address(similar, anna, postcode="20095")
    unrelated = make_customer(anna, "Nord", name="Ganz woanders AG")
    add_address(unrelated, anna, postcode="20095")
    found = {d.customer.pk: d.reasons for d in duplicates_of(user=anna, customer=first)}
    assert set(found) == {same_vat.pk, same_mail.pk, similar.pk}
    assert "VAT" in found[same_vat.pk][0] or "USt" in found[same_vat.pk][0]


def test_names_similar_ignores_case_umlauts_and_legal_forms():
    assert names_similar("Müller GmbH", "MUELLER GmbH & Co. KG") is True
    assert names_similar("Elbe Logistik", "Elbe-Logistik AG") is True
    assert names_similar("Elbe Logistik", "Weser Logistik") is False


def test_merge_moves_every_child_record_and_leaves_history(client_as, demo):
    anna = demo["anna"]
    survivor = make_customer(anna, "Nord", name="Elbe Logistik GmbH")
    add_address(survivor, anna, street="Alter Weg 1")
    duplicate = make_customer(anna, "Nord", name="Elbe Logistik", industry="Logistik")
    person = add_person(duplicate, anna, last_name="Doppelt")
    add_address(duplicate, anna, street="Doppelweg 2")
    add_address(duplicate, anna, purpose="delivery", street="Rampe 3")
    log_interactions(duplicate, anna, 3, kind="note")
    services.customer_share(customer=duplicate, actor=anna, user=demo["ben"])
    client = client_as("anna")
    response = client.post(
        reverse("crm:customer_merge", args=[survivor.pk]),
        {"duplicate": duplicate.pk, "confirm": "yes"},
    )
    assert response.status_code == 302
    assert Customer.objects.filter(pk=duplicate.pk).exists() is False
    assert list(survivor.persons.all()) == [person]
    assert survivor.interactions.count() == 3
    assert survivor.addresses.current().get(purpose="postal").street == "Alter Weg 1"
    assert survivor.addresses.current().get(purpose="delivery").street == "Rampe 3"
    assert survivor.addresses.filter(street="Doppelweg 2", is_current=False).exists()
    survivor.refresh_from_db()
    assert survivor.industry == "Logistik"  # filled from the duplicate
    record = survivor.history.first()
    assert record.history_user == anna
    assert duplicate.number in record.history_change_reason
    moved = person.history.first()
    assert moved.customer_id == survivor.pk
    assert duplicate.number in moved.history_change_reason
    assert CustomerUserObjectPermission.objects.filter(
        content_object=survivor, user=demo["ben"]
    ).exists()
    gone = Customer.history.filter(id=duplicate.pk, history_type="-").get()
    assert survivor.number in gone.history_change_reason
    history_page = client.get(reverse("crm:customer_history", args=[survivor.pk]))
    assert duplicate.number in history_page.content.decode()


def test_merge_needs_confirmation(client_as, demo):
    anna = demo["anna"]
    survivor = make_customer(anna, "Nord")
    duplicate = make_customer(anna, "Nord")
    client = client_as("anna")
    response = client.post(
        reverse("crm:customer_merge", args=[survivor.pk]), {"duplicate": duplicate.pk}
    )
    assert response.status_code == 200
    assert response.context["counts"] == {
        "persons": 0,
        "addresses": 0,
        "interactions": 0,
    }
    assert Customer.objects.filter(pk=duplicate.pk).exists() is True
