"""The confidentiality commitment: accepted in its current version before any
page with personal data; a new version asks again; the DPO sees who accepted
which version when."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import CommitmentAcceptance, Company, User

COMMITMENT = reverse("accounts:commitment")


@pytest.fixture
def newcomer(demo):
    """A Staff member of the first company who has not committed yet."""
    company = Company.objects.get(pk=demo["anna"].company_id)
    return services.user_create(
        username="neu", password=None, roles=["Staff"], company=company, actor=None
    )


def _client(client, user):
    client.force_login(user)
    return client


def test_until_accepted_every_page_leads_to_the_commitment(client, demo, newcomer):
    client = _client(client, newcomer)
    for url in (
        reverse("accounts:dashboard"),
        reverse("crm:customer_list"),
        reverse("contracts:contract_list"),
        reverse("search") + "?q=Müller",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(COMMITMENT + "?next=")
    htmx = client.get(reverse("crm:customer_list"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(COMMITMENT)
    page = client.get(COMMITMENT)
    assert page.status_code == 200
    assert "Verpflichtung auf die Vertraulichkeit" in page.content.decode()
    version = Company.objects.get(pk=newcomer.company_id).commitment_version
    accepted = client.post(
        COMMITMENT, {"version": version, "next": reverse("crm:customer_list")}
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("crm:customer_list")
    assert client.get(reverse("crm:customer_list")).status_code == 200
    record = CommitmentAcceptance.objects.get(user=newcomer)
    assert (record.text.version, record.company_id) == (version, newcomer.company_id)


def test_a_new_version_asks_everyone_again(demo):
    from django.test import Client

    from tests.support.otp import sign_in

    dora, anna = sign_in(Client(), demo["dora"]), sign_in(Client(), demo["anna"])
    assert anna.get(reverse("crm:customer_list")).status_code == 200
    published = dora.post(
        reverse("accounts:commitment_admin"), {"text": "Neue Fassung: vertraulich."}
    )
    assert published.status_code == 302
    response = anna.get(reverse("crm:customer_list"))
    assert response.status_code == 302 and response["Location"].startswith(COMMITMENT)
    # The DPO's page lists who accepted which version when.
    table = dora.get(reverse("accounts:commitment_admin"))
    assert table.status_code == 302  # the DPO too accepts the new version first
    version = Company.objects.get(pk=demo["dora"].company_id).commitment_version
    assert dora.post(COMMITMENT, {"version": version}).status_code == 302
    page = dora.get(reverse("accounts:commitment_admin")).content.decode()
    assert (
        page.count('data-testid="commitment-row"')
        == User.objects.filter(groups__company_role__company_id=demo["dora"].company_id)
        .distinct()
        .count()
    )
    assert "nicht die aktuelle" in page  # anna's is version 1, not the current


def test_an_outdated_version_is_not_recorded(client, demo, newcomer):
    client = _client(client, newcomer)
    company = Company.objects.get(pk=newcomer.company_id)
    old = company.commitment_version
    services.commitment_publish(actor=demo["dora"], text="Fassung zwei")
    response = client.post(COMMITMENT, {"version": old}, follow=True)
    assert "neue Fassung" in response.content.decode()
    assert not CommitmentAcceptance.objects.filter(user=newcomer).exists()
    assert client.get(reverse("crm:customer_list")).status_code == 302


def test_only_the_dpo_or_admin_words_it(client_as, demo):
    from core.errors import PermissionRefused

    for name in ("anna", "maria"):
        response = client_as(name).post(
            reverse("accounts:commitment_admin"), {"text": "Gekapert"}
        )
        assert response.status_code == 403
        with pytest.raises(PermissionRefused):
            services.commitment_publish(actor=demo[name], text="Gekapert")
    before = Company.objects.get(pk=demo["anna"].company_id).commitment_version
    empty = client_as("dora").post(reverse("accounts:commitment_admin"), {"text": " "})
    assert empty.status_code == 400
    assert Company.objects.get(pk=demo["anna"].company_id).commitment_version == before


def test_each_company_has_its_own_commitment(client_as, demo):
    """A new version in the first company leaves the second's staff alone."""
    services.commitment_publish(actor=demo["dora"], text="Nur für die erste Firma")
    assert client_as("carla").get(reverse("crm:customer_list")).status_code == 200
    assert client_as("anna").get(reverse("crm:customer_list")).status_code == 302


def test_the_calendar_feed_pauses_until_the_new_version_is_accepted(client, demo):
    from contracts import services as contracts

    feed = contracts.calendar_feed_for(user=demo["anna"])
    url = reverse("contracts:calendar_feed", args=[feed.token])
    assert client.get(url).status_code == 200
    services.commitment_publish(actor=demo["dora"], text="Fassung zwei")
    assert client.get(url).status_code == 404
    version = Company.objects.get(pk=demo["anna"].company_id).commitment_version
    services.commitment_accept(user=demo["anna"], version=version)
    assert client.get(url).status_code == 200
