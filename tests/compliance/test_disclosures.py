"""Disclosures (Art. 19): staff note who got a customer's data; the DPO tells them."""

from django.urls import reverse

from compliance.models import Disclosure

from .conftest import open_request


def disclose(client, person, **data):
    return client.post(
        reverse("disclosures:customer", args=[person.customer_id]),
        {"recipient": "Inkasso Beispiel GmbH", "what": "Name, Anschrift, Forderung",
         "disclosed_on": "2026-01-15", "person": person.pk, **data},
    )  # fmt: skip


def test_staff_record_a_disclosure_and_the_dpo_sees_whom_to_tell(
    client_as, demo, erika
):
    anna = client_as("anna")
    response = disclose(anna, erika, headers={"HX-Request": "true"})
    assert response.status_code == 200
    disclosure = Disclosure.objects.get()
    assert (disclosure.recorded_by, disclosure.person) == (demo["anna"], erika)
    page = anna.get(reverse("disclosures:customer", args=[erika.customer_id]))
    assert "Inkasso Beispiel GmbH" in page.content.decode()
    request = open_request(demo["dora"], person=erika, kind="erasure")
    dora = client_as("dora")
    detail = dora.get(request.get_absolute_url()).content.decode()
    assert 'data-testid="recipients"' in detail and "Inkasso Beispiel GmbH" in detail
    plan = dora.get(reverse("compliance:request_erase", args=[request.pk]))
    assert "Inkasso Beispiel GmbH" in plan.content.decode()
    told = reverse("compliance:request_recipients_told", args=[request.pk])
    assert dora.post(told, {"version": 1}).status_code == 302
    request.refresh_from_db()
    assert request.recipients_told_at is not None
    assert request.history.latest().history_user == demo["dora"]


def test_bad_input_other_teams_and_read_only_roles(client_as, demo, erika):
    bad = disclose(client_as("anna"), erika, recipient="", disclosed_on="2999-01-01")
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"recipient", "disclosed_on"}
    assert disclose(client_as("ben"), erika).status_code == 404
    assert disclose(client_as("dora"), erika).status_code == 404  # reads only
    url = reverse("disclosures:customer", args=[erika.customer_id])
    assert client_as("ben").get(url).status_code == 404
    assert Disclosure.objects.exists() is False
    told = reverse(
        "compliance:request_recipients_told",
        args=[open_request(demo["dora"], person=erika, kind="erasure").pk],
    )
    assert client_as("maria").post(told, {"version": 1}).status_code == 403
