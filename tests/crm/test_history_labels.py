"""History entries name records and values the way a reader knows them, in the
reader's language: the same labels go into the access report a person receives."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from compliance import services as compliance_services
from contracts import services as contract_services
from contracts.models import Contract
from core.history import EMPTY, history_page
from crm import services
from crm.models import Interaction, Person
from tests.contracts.conftest import make_contract
from tests.support.versions import current


def entries_in(language: str, *sources):
    with translation.override(language):
        entries, _more = history_page(list(sources))
        return [(entry, entry.heading) for entry in entries]


@pytest.fixture
def call(demo, nord):
    return services.interaction_create(
        customer=nord,
        actor=demo["anna"],
        persons=[nord.persons.get()],
        fields={
            "kind": "call",
            "direction": "in",
            "occurred_at": datetime(2025, 5, 2, 10, tzinfo=UTC),
            "subject": "Rückfrage Tarif",
        },
    )


def test_a_logged_call_is_named_by_its_subject_and_day_not_by_its_recorder(call):
    [(created, heading), _persons] = entries_in(
        "de", Interaction.history.filter(id=call.pk)
    )[::-1]
    assert created.record == "Rückfrage Tarif (02.05.2025)"
    assert "Anna Albers" not in heading
    assert heading == "Kontakt „Rückfrage Tarif (02.05.2025)“"
    labels = [change.label for change in created.changes]
    assert "Erfasst von" in labels  # the recorder is a field of the entry, not its name


def test_quotes_and_field_names_follow_the_reader_s_language(call):
    headings = {
        language: [
            (heading, [c.label for c in e.changes])
            for e, heading in entries_in(
                language, Interaction.history.filter(id=call.pk)
            )
        ]
        for language in ("de", "en")
    }
    created_en = headings["en"][-1]
    assert created_en[0] == "Interaction “Rückfrage Tarif (2 May 2025)”"
    assert {"Channel", "Direction", "Subject", "Recorded by"} <= set(created_en[1])
    assert all(label[0].isupper() for label in created_en[1])
    assert headings["de"][-1][0] == "Kontakt „Rückfrage Tarif (02.05.2025)“"


def test_the_history_tab_shows_the_label_with_the_language_s_quotes(
    client_as, demo, call, nord
):
    client = client_as("anna")
    page = client.get(reverse("crm:customer_history", args=[nord.pk]))
    assert "Kontakt „Rückfrage Tarif (02.05.2025)“" in page.content.decode()
    type(demo["anna"]).objects.filter(pk=demo["anna"].pk).update(language="en")
    page = client.get(reverse("crm:customer_history", args=[nord.pk]))
    assert "Interaction “Rückfrage Tarif (2 May 2025)”" in page.content.decode()


def test_a_contract_is_named_by_number_and_title_and_its_value_is_money(demo, nord):
    anna = demo["anna"]
    contract = make_contract(nord, anna, title="Wartung Halle 3")
    contract_services.contract_update(
        contract=contract,
        actor=anna,
        version=contract.version,
        fields={"value_amount": Decimal("1234.56"), "currency": "EUR"},
        today=date(2025, 2, 1),
    )
    source = Contract.history.filter(id=contract.pk)
    de = {e.action: (e, h) for e, h in entries_in("de", source)}
    entry, heading = de["changed"]
    assert heading == f"Vertrag „{contract.number} Wartung Halle 3“"
    assert "#" not in heading
    changes = {c.label: (c.old, c.new) for c in entry.changes}
    assert changes["Wert"] == (EMPTY, "1.234,56\xa0€")
    en = {e.action: e for e, _h in entries_in("en", source)}
    changes = {c.label: (c.old, c.new) for c in en["changed"].changes}
    assert changes["Value"] == (EMPTY, "€1,234.56")


def test_a_request_is_named_by_its_number_and_kind(demo, nord):
    person = nord.persons.get()
    request = compliance_services.request_create(
        actor=demo["dora"],
        fields={
            "kind": "erasure",
            "person": person,
            "subject_name": person.full_name,
            "received_on": date(2025, 1, 31),
            "channel": "email",
        },
    )
    [(entry, heading)] = entries_in("de", request.history.all())
    assert entry.record == f"{request.number} Löschung (Art. 17)"
    assert heading.startswith("Betroffenenanfrage „DS-")


def test_phone_numbers_show_the_national_way_in_the_history(demo, nord):
    person = nord.persons.get()
    services.person_update(
        person=person,
        actor=demo["anna"],
        version=current(person),
        fields={"mobile": "+4915112345678"},
    )
    entries = entries_in("de", Person.history.filter(id=person.pk))
    changes = {c.label: c.new for e, _h in entries for c in e.changes}
    assert changes["Mobil"] == "01511 2345678"  # as the person page shows it


def test_an_iban_shows_in_groups_of_four_as_on_the_customer_page(demo, nord):
    services.customer_update(
        customer=nord, actor=demo["anna"], version=nord.version,
        fields={"iban": "DE89370400440532013000"},
    )  # fmt: skip
    entries = entries_in("de", nord.history.all())
    changes = {c.label: c.new for e, _h in entries for c in e.changes}
    assert changes["IBAN"] == "DE89 3704 0044 0532 0130 00"
