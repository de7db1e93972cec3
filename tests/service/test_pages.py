"""The SLA and warranty calculators as pages: the company's calendar, bad input
next to the field."""

from __future__ import annotations

from django.urls import reverse

SLA = reverse("service:sla_calculator")
WARRANTY = reverse("service:warranty_calculator")


def test_the_sla_page_counts_the_company_s_business_hours(client_as, demo):
    client = client_as("anna")
    assert client.get(SLA).status_code == 200
    page = client.get(SLA, {"opened": "2025-12-19T16:30", "hours": "4"})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'datetime="2025-12-22T11:30:00+01:00"' in body
    assert "Mo 22.12.2025 08:00\u201311:30: 3 Std. 30 Min." in body

    from tests.support.companies import set_company

    set_company(demo["anna"], business_days=[1, 2, 3, 4, 5, 6])  # Saturdays too
    saturday = client.get(SLA, {"opened": "2025-12-19T16:30", "hours": "4"})
    assert 'datetime="2025-12-20T11:30:00+01:00"' in saturday.content.decode()


def test_the_sla_page_with_waiting_for_the_customer(client_as, demo):
    client = client_as("ben")
    moved = client.get(
        SLA,
        {
            "opened": "2026-12-07T09:00",
            "hours": "8",
            "pause_start": "2026-12-07T12:00",
            "pause_end": "2026-12-08T10:00",
        },
    )
    assert 'datetime="2026-12-08T15:00:00+01:00"' in moved.content.decode()
    stands = client.get(
        SLA,
        {"opened": "2026-12-07T09:00", "hours": "8", "pause_start": "2026-12-07T12:00"},
    )
    assert "Die Uhr steht" in stands.content.decode()


def test_bad_sla_input_stands_next_to_the_field(client_as, demo):
    client = client_as("anna")
    for params, field in (
        ({"opened": "morgen", "hours": "4"}, "opened"),
        ({"opened": "2026-12-07T09:00", "hours": "-1"}, "hours"),
        ({"opened": "2026-12-07T09:00", "hours": "vier"}, "hours"),
        ({"opened": "1900-01-01T09:00", "hours": "1"}, "opened"),
        (
            {
                "opened": "2026-12-07T09:00",
                "hours": "1",
                "pause_start": "2026-12-07T12:00",
                "pause_end": "2026-12-07T11:00",
            },
            "pause_end",
        ),
        (
            {
                "opened": "2026-12-07T09:00",
                "hours": "1",
                "pause_end": "2026-12-07T11:00",
            },
            "pause_start",
        ),
    ):
        response = client.get(SLA, params)
        assert response.status_code == 200
        assert field in response.context["form"].errors, params
        assert "result" not in response.context


def test_the_warranty_page(client_as, demo):
    client = client_as("maria")
    page = client.get(
        WARRANTY, {"delivered": "2024-02-29", "consumer": "on", "today": "2026-03-01"}
    )
    body = page.content.decode()
    assert "Verjährung bis 02.03.2026" in body
    assert "läuft noch" in body
    assert "Vermutung eines Mangels bei Ablieferung bis 28.02.2025" in body
    barred = client.get(WARRANTY, {"delivered": "2024-02-29", "today": "2026-03-03"})
    assert "verjährt" in barred.content.decode()
    bad = client.get(WARRANTY, {"delivered": "2024-02-30"})
    assert "delivered" in bad.context["form"].errors
    bad = client.get(WARRANTY, {"delivered": "2024-02-01", "agreed_months": "0"})
    assert "agreed_months" in bad.context["form"].errors
