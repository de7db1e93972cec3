"""The personal iCalendar feed: valid RFC 5545, only visible contracts, revocable."""

from datetime import timedelta

import icalendar
from django.urls import reverse
from django.utils import timezone

from contracts.models import CalendarFeed

from .conftest import make_contract


def feed_url(client) -> str:
    page = client.get(reverse("contracts:calendar_feed_settings"))
    return page.context["feed_url"].removeprefix("http://testserver")


def test_the_feed_parses_and_holds_only_what_the_user_sees(
    client_as, client, demo, nord_contract, sud_contract
):
    today = timezone.localdate()
    soon = make_contract(
        nord_contract.customer, demo["anna"], today=today, title="Bald",
        start=today - timedelta(days=240), concluded_on=today - timedelta(days=240),
    )  # fmt: skip
    make_contract(
        sud_contract.customer, demo["ben"], today=today, title="Fremd",
        start=today - timedelta(days=240), concluded_on=today - timedelta(days=240),
    )  # fmt: skip
    url = feed_url(client_as("anna"))
    client.logout()
    response = client.get(url)  # calendar apps send no session
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    events = list(calendar.walk("VEVENT"))
    summaries = [str(event["SUMMARY"]) for event in events]
    assert any("Bald" in summary for summary in summaries)
    assert not any("Fremd" in summary for summary in summaries)
    notice = next(
        e
        for e in events
        if "Bald" in str(e["SUMMARY"]) and "Kündigung" in str(e["SUMMARY"])
    )
    assert notice.decoded("DTSTART") == soon.last_notice_day
    assert len({str(event["UID"]) for event in events}) == len(events)


def test_a_renewed_address_revokes_the_old_one(client_as, client, demo):
    anna = client_as("anna")
    old = feed_url(anna)
    anna.post(reverse("contracts:calendar_feed_settings"))
    new = feed_url(anna)
    assert old != new
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/contracts/feed/not-a-token.ics").status_code == 404


def test_a_deactivated_user_s_feed_is_gone(client_as, client, demo):
    url = feed_url(client_as("anna"))
    demo["anna"].is_active = False
    demo["anna"].save()
    client.logout()
    assert client.get(url).status_code == 404
    assert CalendarFeed.objects.count() == 1


def test_the_writer_escapes_and_folds_as_rfc_5545_says():
    from datetime import date

    from contracts.calendar import FeedContract, feed

    title = "Wartung; Prüfstände, Öfen \\ Kühlräume\nHalle 3 " + "ä" * 60
    body = feed(
        [
            FeedContract(
                7,
                title,
                date(2026, 3, 31),
                None,
                "organization",
                "Müller, Söhne GmbH",
                "K-000001",
            ),
            FeedContract(
                8,
                "Strom",
                None,
                date(2026, 12, 31),
                "person",
                "Erika Mustermann",
                "K-000002",
            ),
        ],
        url="https://crm.example/contracts/{pk}/",
        domain="crm.example",
    )
    lines = body.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    body.decode()  # folding never split a UTF-8 character
    events = list(icalendar.Calendar.from_ical(body).walk("VEVENT"))
    assert len(events) == 2
    first, second = events
    assert str(first["SUMMARY"]).endswith(f"{title} (Müller, Söhne GmbH)")
    assert first.decoded("DTSTART") == date(2026, 3, 31)
    assert first.decoded("DTEND") == date(2026, 4, 1)
    assert str(first["URL"]) == "https://crm.example/contracts/7/"
    assert str(first["UID"]) == "contract-7-notice-20260331@crm.example"
    assert "Erika" not in body.decode()  # a private customer shows by number
    assert "K-000002" in str(second["SUMMARY"])
