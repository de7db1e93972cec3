"""The deadline calculator page: any terms in, dates and explanation out."""

import pytest
from django.urls import reverse

URL = reverse("contracts:deadline_calculator")
EXAMPLE_1 = {
    "start": "2025-01-01",
    "initial_months": "12",
    "renewal": "months",
    "renewal_months": "12",
    "notice_amount": "3",
    "notice_unit": "months",
    "anchor": "term_end",
    "standard_terms": "on",
    "today": "2025-02-01",
    "received": "2025-10-01",
}


@pytest.mark.parametrize("username", ["anna", "maria", "dora", "admin"])
def test_every_role_with_contracts_can_use_it(client_as, username):
    response = client_as(username).get(URL)
    assert response.status_code == 200
    assert "result" not in response.context


def test_anonymous_is_sent_to_the_login(client, db):
    assert client.get(URL).status_code == 302


def test_example_1_shows_dates_and_explanation_in_german(client_as):
    response = client_as("anna").get(URL, EXAMPLE_1)
    body = response.content.decode()
    assert response.context["result"].last_notice_day.isoformat() == "2025-09-30"
    assert "30.09.2025" in body
    assert "Letzter Tag für den Eingang der Kündigung: Di 30.09.2025" in body
    assert response.context["end_for_received"].isoformat() == "2026-12-31"


def test_in_english_the_explanation_is_english(client_as, demo):
    from accounts import services

    services.user_set_language(user=demo["anna"], language="en")
    response = client_as("anna").get(URL, EXAMPLE_1)
    assert "Last day for the notice to be received: Tue 30 Sep 2025" in (
        response.content.decode()
    )


def test_invalid_consumer_terms_are_shown(client_as):
    data = {
        **EXAMPLE_1,
        "start": "2023-03-10",
        "initial_months": "25",
        "consumer": "on",
        "today": "2023-04-01",
    }
    response = client_as("anna").get(URL, data)
    assert len(response.context["problems"]) == 3
    assert 'data-testid="consumer-problems"' in response.content.decode()


def test_bad_input_is_shown_next_to_the_field(client_as):
    data = {**EXAMPLE_1, "renewal_months": "", "notice_amount": "-1", "start": "x"}
    response = client_as("anna").get(URL, data)
    body = response.content.decode()
    for field in ("renewal_months", "notice_amount", "start"):
        assert f'id="id_{field}_error"' in body
    assert "result" not in response.context


@pytest.mark.parametrize(
    ("case", "field", "value", "message"),
    [
        ("year 9999", "start", "9999-12-01", "zwischen 01.01.1900 und 31.12.2199"),
        ("absurd term", "initial_months", "2000000000", "kleiner oder gleich 600"),
        ("absurd renewal", "renewal_months", "2000000000", "kleiner oder gleich 600"),
        ("absurd notice", "notice_amount", "2000000000", "kleiner oder gleich 3650"),
        ("day far ahead", "today", "9999-12-31", "zwischen 01.01.1900"),
    ],
)
def test_terms_outside_sane_bounds_are_refused_next_to_the_field(
    client_as, case, field, value, message
):
    response = client_as("anna").get(URL, {**EXAMPLE_1, field: value})
    assert response.status_code == 200
    assert "result" not in response.context
    assert message in str(response.context["form"].errors[field])


def test_a_notice_of_more_than_ten_years_in_its_unit_is_refused(client_as):
    response = client_as("anna").get(
        URL, {**EXAMPLE_1, "notice_amount": "121", "notice_unit": "months"}
    )
    assert response.context["form"].errors["notice_amount"] == ["Höchstens 120 Monate."]
    weeks = client_as("anna").get(
        URL, {**EXAMPLE_1, "notice_amount": "520", "notice_unit": "weeks"}
    )
    assert "result" in weeks.context
