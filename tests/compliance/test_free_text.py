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


def _trigram_indexed() -> set[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE "
            "'%%gin_trgm_ops%%'"
        )
        found = set()
        for table, definition in cursor.fetchall():
            column = definition.split("(", 1)[1].split(" gin_trgm_ops", 1)[0]
            found.add((table, column.strip()))
    return found


def test_every_registered_free_text_field_has_a_trigram_index(db):
    """The scan reads each field with case-insensitive regexes: without its pg_trgm
    index a table of a million rows is read whole for every erasure plan."""
    from compliance.registry import person_entries

    wanted = {
        (entry.model._meta.db_table, entry.model._meta.get_field(name).column)
        for entry in person_entries()
        for name in freetext._fields(entry)
    }
    assert len(wanted) >= 8
    assert wanted - _trigram_indexed() == set()


def test_the_scan_of_a_name_is_served_by_the_index(demo, zora):
    """The scan's queries run with sequential scans off (the planner cannot
    estimate a regex; `make bench` has the figures): the name's regex is then
    answered from the field's trigram index."""
    from compliance.registry import entry

    names = [n for n in freetext.needles(zora) if n.kind == "name"]
    with freetext._index_scans():
        plan = freetext.scan(
            entry("crm.Interaction"), "text", names, company_id=zora.company_id
        ).explain()
    assert "crm_interaction_text_trgm" in plan
    assert "Seq Scan" not in plan


def test_erasure_waits_until_every_free_text_match_is_decided(demo, zora):
    """After the erasure the name is gone from the person's rows, so the scan
    could not find the passages again: every match is decided first."""
    from django.utils import timezone

    from compliance import services
    from compliance.models import DataSubjectRequest
    from crm.models import Person
    from tests.support.versions import current

    dora = demo["dora"]
    request = open_request(dora, person=zora, kind="erasure")
    services.request_identity_check(
        request=request, actor=dora, version=current(request),
        method="Rückruf unter bekannter Nummer", now=timezone.now(),
    )  # fmt: skip
    request = DataSubjectRequest.objects.get(pk=request.pk)
    with pytest.raises(services.RequestRefused) as refused:
        services.request_erase(
            request=request, actor=dora, version=current(request),
            today=date(2025, 4, 1),
        )  # fmt: skip
    assert refused.value.code == "free_text_undecided"
    assert refused.value.params == {"count": 2}
    assert Person.objects.filter(pk=zora.pk, last_name="Zwetschgenbaum").exists()
    contract = Contract.objects.get(title=TITLE)
    note = Interaction.objects.get(subject="Rückruf")
    services.request_free_text_clear(
        request=request, actor=dora, key=f"contracts.Contract:{contract.pk}:title"
    )
    services.request_free_text_keep(
        request=request, actor=dora, key=f"crm.Interaction:{note.pk}:text",
        reason="Beweis im laufenden Rechtsstreit",
    )  # fmt: skip
    services.request_erase(
        request=request, actor=dora, version=current(request), today=date(2025, 4, 1)
    )
    assert not Person.objects.filter(last_name="Zwetschgenbaum").exists()
