"""The SLA clock: worked examples across weekends, holidays, daylight saving
and pauses, and its invariants (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.holidays import named_holidays
from service.sla import BERLIN, Calendar, business_time, due, explain, hours

YEARS = range(2024, 2029)
DE = Calendar(holidays=named_holidays(YEARS))
BY = Calendar(holidays=named_holidays(YEARS, land="BY"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def test_friday_afternoon_to_monday_morning():
    result = due(at("2025-12-19T16:30"), hours(4), DE)
    assert result.due.isoformat() == "2025-12-22T11:30:00+01:00"
    assert explain(result, DE) == [
        "Eröffnet Fr 19.12.2025 16:30; Ziel: 4 Std. Geschäftszeit.",
        "Fr 19.12.2025 16:30\u201317:00: 30 Min.",
        "Mo 22.12.2025 08:00\u201311:30: 3 Std. 30 Min.",
        "Fällig: Mo 22.12.2025 11:30.",
    ]
    assert explain(result, DE, "en")[1] == "Fri 19 Dec 2025 16:30\u201317:00: 30 min"


def test_good_friday_and_easter_monday_do_not_count():
    result = due(at("2026-04-02T15:00"), hours(4), DE)
    assert result.due.isoformat() == "2026-04-07T10:00:00+02:00"
    lines = explain(result, DE)
    assert "Fr 03.04.2026: Feiertag (Karfreitag), zählt nicht." in lines
    assert "Mo 06.04.2026: Feiertag (Ostermontag), zählt nicht." in lines


def test_the_day_of_german_unity():
    result = due(at("2025-10-02T16:00"), hours(2), DE)
    assert result.due.isoformat() == "2025-10-06T09:00:00+02:00"


def test_christmas_eve_counts_christmas_does_not():
    assert due(at("2026-12-23T16:30"), hours(8), DE).due == at("2026-12-24T15:30")
    assert due(at("2026-12-24T16:00"), hours(2), DE).due == at("2026-12-28T09:00")


def test_the_land_s_holidays_count_epiphany_in_bavaria():
    opened = at("2027-01-05T16:00")
    assert due(opened, hours(2), BY).due == at("2027-01-07T09:00")
    assert due(opened, hours(2), DE).due == at("2027-01-06T09:00")


def test_opened_at_night_or_on_a_weekend_starts_with_the_next_business_hours():
    assert due(at("2026-12-05T11:00"), hours(1), DE).due == at("2026-12-07T09:00")
    assert due(at("2026-12-07T06:00"), hours(1), DE).due == at("2026-12-07T09:00")
    assert due(at("2026-12-07T18:00"), hours(1), DE).due == at("2026-12-08T09:00")
    # a target of nothing: the first business moment
    assert due(at("2026-12-05T11:00"), hours(0), DE).due == at("2026-12-07T08:00")


def test_spring_forward_weekend_is_no_hour_off():
    result = due(at("2026-03-27T16:00"), hours(2), DE)
    assert result.due.isoformat() == "2026-03-30T09:00:00+02:00"
    assert result.due.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_a_day_of_the_change_counts_its_real_hours():
    # Round the clock every day: the night of the change to summer time has an
    # hour less, the night back an hour more (a naive count is an hour off).
    always = Calendar(start=time(0, 0), end=time(23, 59), days=frozenset(range(1, 8)))
    spring = due(at("2026-03-29T00:00"), hours(3), always)
    assert spring.due.isoformat() == "2026-03-29T04:00:00+02:00"
    autumn = due(at("2026-10-25T00:00"), hours(3), always)
    assert autumn.due.isoformat() == "2026-10-25T02:00:00+01:00"
    assert business_time(at("2026-10-25T00:00"), autumn.due, always) == hours(3)


def test_waiting_for_the_customer_stops_the_clock():
    pause = (at("2026-12-07T12:00"), at("2026-12-08T10:00"))
    result = due(at("2026-12-07T09:00"), hours(8), DE, [pause])
    assert result.due == at("2026-12-08T15:00")
    lines = explain(result, DE)
    assert lines[1] == (
        "Uhr steht, solange auf den Kunden gewartet wird: "
        "Mo 07.12.2026 12:00 bis Di 08.12.2026 10:00."
    )
    assert "Mo 07.12.2026 09:00\u201312:00: 3 Std." in lines
    assert "Di 08.12.2026 10:00\u201315:00: 5 Std." in lines
    # the due time moves by exactly the business time of the pause
    without = due(at("2026-12-07T09:00"), hours(8), DE).due
    assert business_time(without, result.due, DE) == business_time(*pause, DE)


def test_a_pause_that_has_not_ended_stops_the_clock_and_says_how_much_is_left():
    pause = (at("2026-12-07T12:00"), None)
    result = due(at("2026-12-07T09:00"), hours(8), DE, [pause])
    assert result.due is None
    assert explain(result, DE)[-1] == "Noch 5 Std. offen, sobald der Kunde sich meldet."
    # reached before the pause: due all the same
    assert due(at("2026-12-07T09:00"), hours(2), DE, [pause]).due == at(
        "2026-12-07T11:00"
    )


def test_overlapping_pauses_count_once():
    pauses = [
        (at("2026-12-07T10:00"), at("2026-12-07T12:00")),
        (at("2026-12-07T11:00"), at("2026-12-07T13:00")),
    ]
    assert due(at("2026-12-07T09:00"), hours(2), DE, pauses).due == at(
        "2026-12-07T14:00"
    )


def test_a_calendar_of_other_hours_and_days():
    shop = Calendar(start=time(10), end=time(14), days=frozenset({2, 3, 4, 5, 6}))
    # Friday 13:00 + 3h: 1h Friday, Saturday 10:00-12:00
    assert due(at("2026-12-04T13:00"), hours(3), shop).due == at("2026-12-05T12:00")


def test_bad_calendars_and_moments_are_refused():
    with pytest.raises(ValueError):
        Calendar(start=time(17), end=time(8))
    with pytest.raises(ValueError):
        Calendar(days=frozenset())
    with pytest.raises(ValueError):
        due(datetime(2026, 12, 7, 9), hours(1), DE)  # no time zone
    with pytest.raises(ValueError):
        due(at("2026-12-07T09:00"), hours(-1), DE)


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)
).map(lambda m: m.replace(tzinfo=BERLIN, second=0, microsecond=0))
targets = st.integers(min_value=0, max_value=60 * 60).map(
    lambda minutes: timedelta(minutes=minutes)
)


def _in_business_time(moment: datetime, calendar: Calendar) -> bool:
    local = moment.astimezone(calendar.tz)
    return (
        calendar.is_business_day(local.date())
        and calendar.start <= local.time() <= calendar.end
    )


@settings(max_examples=300, deadline=None)
@given(opened=moments, target=targets)
def test_due_is_never_outside_business_time(opened, target):
    assert _in_business_time(due(opened, target, BY).due, BY)


@settings(max_examples=300, deadline=None)
@given(opened=moments, first=targets, more=targets)
def test_more_hours_never_move_the_due_time_back(opened, first, more):
    assert due(opened, first + more, BY).due >= due(opened, first, BY).due


@settings(max_examples=200, deadline=None)
@given(opened=moments, target=targets)
def test_the_business_time_until_due_is_the_target(opened, target):
    result = due(opened, target, BY).due
    assert business_time(opened, result, BY) == target


@settings(max_examples=200, deadline=None)
@given(opened=moments, target=targets, start=moments, length=targets)
def test_a_pause_never_brings_the_due_time_forward(opened, target, start, length):
    pause = (start, start + length + timedelta(minutes=1))
    assert due(opened, target, BY, [pause]).due >= due(opened, target, BY).due


def test_every_window_of_three_years_is_nine_real_hours():
    # the calendar's windows around both changes of every year are 9 hours long
    day = date(2025, 1, 1)
    while day < date(2028, 1, 1):
        start, end = DE.window(day)
        assert end - start == timedelta(hours=9)
        day += timedelta(days=1)
