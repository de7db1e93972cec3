"""The month calendar of deadlines: the right days, only visible contracts."""

from django.urls import reverse


def test_the_month_shows_notice_day_and_term_end_of_visible_contracts(
    client_as, nord_contract, sud_contract
):
    client = client_as("anna")
    url = reverse("contracts:deadline_calendar")
    september = client.get(url, {"month": "2025-09"})
    days = {
        day: [contract.pk for _kind, contract in items]
        for week in september.context["weeks"]
        for day, items in week
        if items
    }
    assert {day.isoformat() for day in days} == {"2025-09-30"}
    assert days[nord_contract.last_notice_day] == [nord_contract.pk]
    december = client.get(url, {"month": "2025-12"}).context["weeks"]
    ends = [
        c
        for week in december
        for day, items in week
        for kind, c in items
        if kind == "end"
    ]
    assert ends == [nord_contract]  # ben's contract ends the same day, not shown


def test_a_bad_month_falls_back_to_this_month(client_as, nord_contract):
    response = client_as("anna").get(
        reverse("contracts:deadline_calendar"), {"month": "2025-13"}
    )
    assert response.status_code == 200
