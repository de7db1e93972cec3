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
        for day, items, _holiday in week
        if items
    }
    assert {day.isoformat() for day in days} == {"2025-09-30"}
    assert days[nord_contract.last_notice_day] == [nord_contract.pk]
    december = client.get(url, {"month": "2025-12"}).context["weeks"]
    ends = [
        c
        for week in december
        for day, items, _holiday in week
        for kind, c in items
        if kind == "end"
    ]
    assert ends == [nord_contract]  # ben's contract ends the same day, not shown


def test_a_bad_month_falls_back_to_this_month(client_as, nord_contract):
    response = client_as("anna").get(
        reverse("contracts:deadline_calendar"), {"month": "2025-13"}
    )
    assert response.status_code == 200


def test_entries_name_contract_and_customer_whole_coloured_by_kind(
    client_as, nord_contract
):
    page = client_as("anna").get(
        reverse("contracts:deadline_calendar"), {"month": "2025-09"}
    )
    body = page.content.decode()
    entry = body.split('data-kind="notice"')[1].split("</a>")[0]
    assert "calendar-notice" in body.split('data-kind="notice"')[0].rsplit("<a", 1)[1]
    assert nord_contract.number in entry
    assert "Wartungsvertrag" in entry
    assert "Nordlicht Logistik GmbH" in entry
    assert "text-truncate" not in body
    # the phone's agenda lists the same entry with its day
    agenda = body.split('data-testid="calendar-agenda"')[1]
    assert "Di, 30.09.2025" in agenda and nord_contract.number in agenda


def test_public_holidays_are_marked_by_name(client_as, demo, nord_contract):
    from tests.support.companies import set_company

    set_company(demo["anna"], land="BY")
    december = client_as("anna").get(
        reverse("contracts:deadline_calendar"), {"month": "2025-12"}
    )
    holidays = {
        day.isoformat(): holiday
        for week in december.context["weeks"]
        for day, _items, holiday in week
        if holiday
    }
    assert holidays == {
        "2025-12-25": "Erster Weihnachtstag",
        "2025-12-26": "Zweiter Weihnachtstag",
        "2026-01-01": "Neujahr",  # the last row reaches into January
    }
    january = (
        client_as("anna")
        .get(reverse("contracts:deadline_calendar"), {"month": "2026-01"})
        .content.decode()
    )
    assert "Heilige Drei Könige" in january  # Bavaria's 6 January
    phone = january.split('data-testid="calendar-agenda"')[1]
    assert "Di, 06.01.2026" in phone  # the phone's list names holidays too
