"""Erasure: free text in rows not linked to the person that still names them."""

from datetime import date

import pytest
from django.urls import reverse

from compliance import freetext
from compliance.models import FreeTextDecision
from contracts.models import Contract
from crm.models import Interaction

from .conftest import add_person, make_customer, open_request

TITLE = "Wartung (Ansprechpartner Zwetschgenbaum)"


@pytest.fixture
def zora(demo):
    from contracts import services as contract_services
    from crm import services

    anna = demo["anna"]
    org = make_customer(anna, "Nord", name="Nordlicht Logistik GmbH")
    zora = add_person(
        org, anna, first_name="Zora", last_name="Zwetschgenbaum",
        email="zora@example.com", mobile="+491719876543",
    )  # fmt: skip
    contract_services.contract_create(
        customer=org,
        actor=anna,
        today=date(2025, 2, 1),
        fields={
            "title": TITLE,
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
    for subject, text in [
        ("Rückruf", "Frau Zwetschgenbaum bittet um Rückruf, mobil 0171 9876543"),
        ("Lieferung", "Tor klemmt; nichts Persönliches"),
    ]:
        services.interaction_create(
            customer=org,
            actor=anna,
            fields={
                "kind": "note",
                "direction": "internal",
                "occurred_at": "2025-03-01T10:00+01:00",
                "subject": subject,
                "text": text,
            },
            persons=[],
        )
    return zora


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("full name", "Gespräch mit Zora Zwetschgenbaum"),
        ("last name, other case", "ZWETSCHGENBAUM ruft an"),
        ("e-mail", "schreibt von ZORA@example.com"),
        ("national, spaces", "mobil 0171 9876543"),
        ("international", "Handy +49 171 9876543"),
        ("slash", "0171/9876543"),
        ("digits only", "01719876543"),
    ],
)
def test_the_scan_finds_the_person_in_any_notation(demo, zora, case, text):
    note = Interaction.objects.filter(subject="Lieferung")
    note.update(text=text)
    found = {(m.label, m.field) for m in freetext.matches(zora)}
    assert ("crm.Interaction", "text") in found, case
    assert note.get().pk in {m.object_id for m in freetext.matches(zora)}


def test_a_longer_word_with_the_name_inside_is_no_match(demo, zora):
    Interaction.objects.filter(subject="Lieferung").update(text="Zwetschgenbaumschule")
    ids = {m.object_id for m in freetext.matches(zora) if m.label == "crm.Interaction"}
    assert Interaction.objects.get(subject="Lieferung").pk not in ids


def test_the_erasure_plan_lists_free_text_and_clears_it_live_and_in_history(
    client_as, demo, zora
):
    request = open_request(demo["dora"], person=zora, kind="erasure")
    dora = client_as("dora")
    url = reverse("compliance:request_erase", args=[request.pk])
    page = dora.get(url)
    rows = page.context["free_text"]
    keys = {(r["match"].label, r["match"].field) for r in rows}
    assert keys == {("contracts.Contract", "title"), ("crm.Interaction", "text")}
    contract = Contract.objects.get(title=TITLE)
    key = f"contracts.Contract:{contract.pk}:title"
    assert dora.post(url, {"step": "free_text_clear", "key": key}).status_code == 302
    contract.refresh_from_db()
    assert contract.title == "Wartung (Ansprechpartner [gelöscht])"
    titles = set(
        Contract.history.filter(id=contract.pk).values_list("title", flat=True)
    )
    assert titles == {"Wartung (Ansprechpartner [gelöscht])"}
    decision = FreeTextDecision.objects.get()
    assert (decision.action, decision.decided_by) == ("cleared", demo["dora"])
    note = Interaction.objects.get(subject="Rückruf")
    dora.post(
        url, {"step": "free_text_clear", "key": f"crm.Interaction:{note.pk}:text"}
    )
    note.refresh_from_db()
    assert note.text == "Frau [gelöscht] bittet um Rückruf, mobil [gelöscht]"
    assert "9876543" not in str(list(note.history.values_list("text", flat=True)))
    assert dora.get(url).context["free_text"] == []


def test_keeping_a_match_needs_a_reason(client_as, demo, zora):
    request = open_request(demo["dora"], person=zora, kind="erasure")
    dora = client_as("dora")
    url = reverse("compliance:request_erase", args=[request.pk])
    note = Interaction.objects.get(subject="Rückruf")
    key = f"crm.Interaction:{note.pk}:text"
    refused = dora.post(url, {"step": "free_text_keep", "key": key, "reason": " "})
    assert refused.status_code == 400
    assert 'data-testid="free-text-error"' in refused.content.decode()
    assert FreeTextDecision.objects.exists() is False
    reason = "Beweis im laufenden Rechtsstreit"
    kept = dora.post(url, {"step": "free_text_keep", "key": key, "reason": reason})
    assert kept.status_code == 302
    decision = FreeTextDecision.objects.get()
    assert (decision.action, decision.reason) == ("kept", reason)
    note.refresh_from_db()
    assert "Zwetschgenbaum" in note.text
    assert reason in dora.get(url).content.decode()


def test_a_forged_key_changes_nothing(client_as, demo, zora):
    request = open_request(demo["dora"], person=zora, kind="erasure")
    other = Interaction.objects.get(subject="Lieferung")
    url = reverse("compliance:request_erase", args=[request.pk])
    response = client_as("dora").post(
        url, {"step": "free_text_clear", "key": f"crm.Interaction:{other.pk}:text"}
    )
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.text == "Tor klemmt; nichts Persönliches"
    assert FreeTextDecision.objects.exists() is False
