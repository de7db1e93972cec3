"""The timeline (added in place, paged, filtered) and the History tab."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from core.history import EMPTY
from crm import services
from tests.support.versions import current

from .conftest import log_interactions


def subjects(html: str) -> list[str]:
    return re.findall(r'<div class="fw-semibold">([^<]*)</div>', html)


def test_an_interaction_is_added_in_place_with_htmx(client_as, nord):
    client = client_as("anna")
    person = nord.persons.get()
    response = client.post(
        reverse("crm:customer_timeline", args=[nord.pk]),
        {
            "kind": "call",
            "direction": "in",
            "occurred_at": "2026-11-20T09:30",
            "subject": "Rückruf erbeten",
            "text": "Kunde fragt nach Lieferung",
            "persons": [person.pk],
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # only the timeline partial
    assert 'id="timeline"' in body
    assert "Rückruf erbeten" in body
    assert "Nina Nordmann" in body
    interaction = nord.interactions.get()
    assert interaction.user.username == "anna"
    assert list(interaction.persons.all()) == [person]


def test_a_bad_interaction_shows_the_error_and_saves_nothing(client_as, nord):
    client = client_as("anna")
    response = client.post(
        reverse("crm:customer_timeline", args=[nord.pk]),
        {"kind": "fax", "direction": "in", "occurred_at": "", "subject": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    for field in ("kind", "occurred_at", "subject"):
        assert f'id="id_{field}_error"' in body
    assert nord.interactions.exists() is False


def test_timeline_is_newest_first_paged_and_filtered(client_as, demo, nord):
    log_interactions(nord, demo["anna"], 25, kind="call")
    log_interactions(
        nord, demo["anna"], 3, kind="meeting", start=timezone.now() - timedelta(days=1)
    )
    client = client_as("anna")
    page = client.get(nord.get_absolute_url()).context["timeline"]
    assert [i.subject for i in page.rows[:2]] == ["call 0", "call 1"]
    assert len(page.rows) == 20
    more = client.get(
        reverse("crm:customer_timeline", args=[nord.pk]),
        {"before": page.next_before},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert subjects(more) == [f"call {n}" for n in range(20, 25)] + [
        "meeting 0",
        "meeting 1",
        "meeting 2",
    ]
    assert 'data-testid="timeline-more"' not in more
    meetings = client.get(
        reverse("crm:customer_timeline", args=[nord.pk]), {"kind": "meeting"}
    ).content.decode()
    assert subjects(meetings) == ["meeting 0", "meeting 1", "meeting 2"]


def test_history_tab_shows_who_changed_which_field_from_what_to_what(
    client_as, demo, nord
):
    person = nord.persons.get()
    client = client_as("anna")
    response = client.post(
        reverse("crm:person_edit", args=[nord.pk, person.pk]),
        {
            "last_name": "Nordmann",
            "first_name": "Nina",
            "email": "nina@nordlicht.example",
            "phone": "040 1234567",
            "preferred_language": "de",
            "version": current(person),
        },
    )
    assert response.status_code == 302
    history = client.get(reverse("crm:customer_history", args=[nord.pk]))
    entries = history.context["entries"]
    newest = entries[0]
    assert newest.who == "Anna Albers"
    changes = {change.label: (change.old, change.new) for change in newest.changes}
    assert changes["Telefon"] == (EMPTY, "040 1234567")  # national, as on the page
    assert changes["E-Mail"] == ("kontakt@example.com", "nina@nordlicht.example")
    assert {entry.what for entry in entries} >= {"Kunde", "Person", "Adresse"}


def test_history_of_a_customer_shows_owner_names_and_tag_changes(client_as, demo, nord):
    services.customer_update(
        customer=nord,
        actor=demo["maria"],
        version=nord.version,
        fields={"owner": demo["ben"]},
        tags=["VIP"],
    )
    client = client_as("maria")
    entries = client.get(reverse("crm:customer_history", args=[nord.pk])).context[
        "entries"
    ]
    changes = [
        (c.label, c.old, c.new) for e in entries if e.what == "Kunde" for c in e.changes
    ]
    assert ("Kundenbetreuer", "Anna Albers", "Ben Brandt") in changes
    assert ("Schlagwörter", EMPTY, "VIP") in changes


def test_a_person_page_shows_their_interactions_filterable_by_channel(
    client_as, demo, nord
):
    person = nord.persons.get()
    for kind in ("call", "meeting"):
        log_interactions(
            nord, demo["anna"], kind=kind, subject=f"mit Nina: {kind}", persons=[person]
        )
    log_interactions(nord, demo["anna"], 2)  # without Nina
    client = client_as("anna")
    page = client.get(person.get_absolute_url()).content.decode()
    assert subjects(page) == ["mit Nina: meeting", "mit Nina: call"]
    calls = client.get(
        person.get_absolute_url(), {"kind": "call"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert subjects(calls) == ["mit Nina: call"]


def test_removing_a_contact_person_keeps_it_in_history(client_as, demo, nord):
    person = nord.persons.get()
    client = client_as("anna")
    response = client.post(reverse("crm:person_delete", args=[nord.pk, person.pk]))
    assert response.status_code == 302
    assert nord.persons.exists() is False
    gone = person.history.model.objects.get(id=person.pk, history_type="-")
    assert gone.history_user == demo["anna"]


def test_sharing_appears_in_history_with_who_shared_it(client_as, demo, nord):
    services.customer_share(
        customer=nord, actor=demo["anna"], user=demo["ben"], can_edit=True
    )
    services.customer_unshare(customer=nord, actor=demo["maria"], user=demo["ben"])
    entries = (
        client_as("anna")
        .get(reverse("crm:customer_history", args=[nord.pk]))
        .context["entries"]
    )
    shares = [e for e in entries if e.what == "Freigabe für einen Benutzer"]
    assert {(e.who, e.record, e.action) for e in shares} == {
        ("Anna Albers", "Ben Brandt", "created"),
        ("Maria Meier", "Ben Brandt", "deleted"),
    }
    created = [e for e in shares if e.action == "created"]
    accesses = {c.new for e in created for c in e.changes if c.label == "Zugriff"}
    assert accesses == {"darf lesen", "darf bearbeiten"}
