"""Two people edit the same customer: the second save is refused, nothing lost."""

import pytest
from django.urls import reverse


def form_data(customer, **changes):
    data = {
        "name": customer.name,
        "status": customer.status,
        "owner": customer.owner_id,
        "team": customer.team_id,
        "next_review_on": customer.next_review_on.isoformat(),
        "version": customer.version,
        **changes,
    }
    return data


# Outside a test transaction, as in production (no ATOMIC_REQUESTS).
@pytest.mark.django_db(transaction=True)
def test_a_stale_form_is_refused_with_what_changed_meanwhile(client_as, nord):
    anna = client_as("anna")
    stale = form_data(nord)  # anna opened the form at version 1
    maria = client_as("maria")
    assert (
        maria.post(
            reverse("crm:customer_edit", args=[nord.pk]),
            form_data(nord, industry="Logistik"),
        ).status_code
        == 302
    )
    anna = client_as("anna")
    response = anna.post(
        reverse("crm:customer_edit", args=[nord.pk]),
        {**stale, "notes": "Annas Notiz"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="conflict"' in body
    assert "Logistik" in body
    assert "Maria Meier" in body
    nord.refresh_from_db()
    assert nord.industry == "Logistik"  # maria's change stands
    assert nord.notes == ""  # anna's stale save wrote nothing
    assert nord.version == 2
    # anna's entries are still in the form
    assert response.context["form"]["notes"].value() == "Annas Notiz"


def test_saving_from_the_current_version_works_and_counts_up(client_as, nord):
    client = client_as("anna")
    response = client.post(
        reverse("crm:customer_edit", args=[nord.pk]), form_data(nord, notes="Neu")
    )
    assert response.status_code == 302
    nord.refresh_from_db()
    assert (nord.notes, nord.version) == ("Neu", 2)


def test_a_form_without_version_is_refused(client_as, nord):
    client = client_as("anna")
    data = form_data(nord, notes="ohne Version")
    del data["version"]
    response = client.post(reverse("crm:customer_edit", args=[nord.pk]), data)
    assert response.status_code == 400
    nord.refresh_from_db()
    assert nord.notes == ""
