"""Only the DPO and Admin use the compliance pages; everyone else gets 403."""

import pytest
from django.urls import reverse

from .conftest import open_request


@pytest.fixture
def urls(demo):
    from compliance.services import activity_create

    request = open_request(demo["dora"])
    activity = activity_create(
        actor=demo["dora"],
        fields={"name": "Kundenbetreuung", "purpose": "Verträge erfüllen",
                "legal_basis": "contract", "data_categories": ["contact_data"],
                "retention": "6 Jahre nach Vertragsende"},
    )  # fmt: skip
    pk = request.pk
    return [
        ("get", reverse("compliance:index")),
        ("get", reverse("compliance:request_list")),
        ("get", reverse("compliance:request_new")),
        ("get", reverse("compliance:request_detail", args=[pk])),
        ("post", reverse("compliance:request_update", args=[pk])),
        ("post", reverse("compliance:request_extend", args=[pk])),
        ("post", reverse("compliance:request_close", args=[pk])),
        ("post", reverse("compliance:report_new", args=[pk])),
        ("get", reverse("compliance:activity_list")),
        ("get", reverse("compliance:activity_new")),
        ("get", reverse("compliance:activity_edit", args=[activity.pk])),
        ("get", reverse("compliance:access_log")),
        ("get", reverse("compliance:retention_rules")),
        ("post", reverse("compliance:request_action", args=[pk, "restrict"])),
    ]


@pytest.mark.parametrize("username", ["anna", "ben", "maria"])
def test_staff_and_managers_get_403_everywhere(client_as, urls, username):
    client = client_as(username)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, url


@pytest.mark.parametrize("username", ["dora", "admin"])
def test_the_dpo_and_admin_open_every_page(client_as, urls, username):
    client = client_as(username)
    for method, url in urls:
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_the_login(client, urls):
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_register_asks_for_the_legitimate_interest_and_refuses_stale_saves(
    client_as,
):
    from compliance.models import ProcessingActivity

    client = client_as("dora")
    data = {
        "name": "Direktwerbung Bestandskunden", "purpose": "Werbung per Post",
        "legal_basis": "legitimate_interests", "legitimate_interest": "",
        "data_categories": ["contact_data", "address"],
        "retention": "bis Widerspruch", "active": "on",
    }  # fmt: skip
    new = reverse("compliance:activity_new")
    refused = client.post(new, data)
    assert refused.status_code == 400
    assert "legitimate_interest" in refused.context["form"].errors
    assert ProcessingActivity.objects.exists() is False
    data["legitimate_interest"] = "Bestandskundenwerbung (ErwGr. 47)"
    assert client.post(new, data).status_code == 302
    activity = ProcessingActivity.objects.get()
    assert activity.data_categories == ["contact_data", "address"]
    edit = reverse("compliance:activity_edit", args=[activity.pk])
    assert client.post(edit, {**data, "version": 1, "purpose": "A"}).status_code == 302
    stale = client.post(edit, {**data, "version": 1, "purpose": "B"})
    assert stale.status_code == 409
    activity.refresh_from_db()
    assert activity.purpose == "A"
    assert len(client.get(edit).context["history"]) == 2
