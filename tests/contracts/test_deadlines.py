"""The deadline engine against LEGAL.md section 3, and its invariants (hypothesis)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.deadlines import (
    Anchor,
    Period,
    Renewal,
    Terms,
    Unit,
    add_months,
    consumer_problems,
    deadlines,
    end_for_notice,
    explain,
    last_notice_day,
    period_end,
    term_at,
    term_end,
    upcoming,
)

MONTHS = Unit.MONTHS


def months(n: int) -> Period:
    return Period(n, MONTHS)


# --- LEGAL.md section 3, example by example ------------------------------------------


def test_example_1_b2b_renewing_yearly_with_three_months_to_term_end():
    terms = Terms(
        start=date(2025, 1, 1),
        initial_months=12,
        renewal=Renewal.MONTHS,
        renewal_months=12,
        notice=months(3),
    )
    result = deadlines(terms, today=date(2025, 2, 1))
    assert result.term.end == date(2025, 12, 31)
    assert result.last_notice_day == date(2025, 9, 30)
    assert term_at(terms, result.next_renewal).end == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("label", "notice", "expected"),
    [
        ("one month: a Saturday, not moved", months(1), date(2025, 6, 14)),
        ("three months", months(3), date(2025, 4, 14)),
    ],
)
def test_example_2_mid_month_start(label, notice, expected):
    terms = Terms(
        start=date(2024, 7, 15), initial_months=12, renewal=Renewal.NONE, notice=notice
    )
    result = deadlines(terms, today=date(2024, 8, 1))
    assert result.term.end == date(2025, 7, 14)
    assert result.last_notice_day == expected


def test_example_2_a_saturday_deadline_recommends_sending_on_friday():
    terms = Terms(
        start=date(2024, 7, 15),
        initial_months=12,
        renewal=Renewal.NONE,
        notice=months(1),
    )
    result = deadlines(terms, today=date(2024, 8, 1))
    assert result.last_notice_day.weekday() == 5  # Saturday, and it stays
    assert result.recommended_send_by == date(2025, 6, 13)
    assert "verschiebt sich nicht" in " ".join(explain(result.steps, "de"))


@pytest.mark.parametrize(
    ("label", "termination", "notice", "expected"),
    [
        (
            "example 3: month end, 3 months",
            date(2025, 6, 30),
            months(3),
            date(2025, 3, 31),
        ),
        (
            "example 4: February end, 1 month",
            date(2025, 2, 28),
            months(1),
            date(2025, 1, 31),
        ),
        ("leap February end", date(2024, 2, 29), months(1), date(2024, 1, 31)),
        ("mid month", date(2025, 7, 14), months(1), date(2025, 6, 14)),
        ("clamped day", date(2025, 5, 30), months(3), date(2025, 2, 28)),
        ("weeks", date(2025, 6, 30), Period(6, Unit.WEEKS), date(2025, 5, 19)),
        ("days", date(2025, 6, 30), Period(14, Unit.DAYS), date(2025, 6, 16)),
    ],
)
def test_last_notice_day(label, termination, notice, expected):
    assert last_notice_day(termination=termination, notice=notice) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2025, 3, 15), date(2025, 6, 30)),
        (date(2025, 3, 31), date(2025, 6, 30)),
        (date(2025, 4, 1), date(2025, 7, 31)),
    ],
)
def test_example_5_indefinite_three_months_to_month_end(received, expected):
    terms = Terms(
        start=date(2020, 1, 1),
        initial_months=None,
        renewal=Renewal.INDEFINITE,
        notice=months(3),
        anchor=Anchor.MONTH_END,
    )
    assert end_for_notice(terms, received=received) == expected


def b2c(**changes) -> Terms:
    values = {
        "start": date(2023, 3, 10),
        "concluded": date(2023, 3, 10),
        "initial_months": 24,
        "renewal": Renewal.INDEFINITE,
        "notice": months(1),
        "consumer": True,
        "standard_terms": True,
    }
    return Terms(**{**values, **changes})


def test_example_6_consumer_contract_then_indefinite():
    terms = b2c()
    result = deadlines(terms, today=date(2024, 5, 1))
    assert result.term.end == date(2025, 3, 9)
    assert result.last_notice_day == date(2025, 2, 9)
    assert result.last_notice_day.weekday() == 6  # Sunday, not moved
    assert end_for_notice(terms, received=date(2025, 4, 20)) == date(2025, 5, 20)
    assert deadlines(terms, today=date(2025, 4, 20)).phase == "indefinite"
    assert consumer_problems(terms) == []


@pytest.mark.parametrize(
    ("label", "changes", "problem"),
    [
        ("25 months", {"initial_months": 25}, "b2c_initial_too_long"),
        ("3 months' notice", {"notice": months(3)}, "b2c_notice_too_long"),
        (
            "renews by 12 months",
            {"renewal": Renewal.MONTHS, "renewal_months": 12},
            "b2c_renewal_must_be_indefinite",
        ),
        ("month-end anchor", {"anchor": Anchor.MONTH_END}, "b2c_no_anchor"),
        ("five weeks", {"notice": Period(5, Unit.WEEKS)}, "b2c_notice_too_long"),
    ],
)
def test_example_6_invalid_consumer_terms(label, changes, problem):
    assert problem in [step.key for step in consumer_problems(b2c(**changes))]


@pytest.mark.parametrize(
    ("label", "changes", "problems"),
    [
        ("old law allows 12 months' renewal", {"renewal": Renewal.MONTHS,
         "renewal_months": 12, "notice": months(3)}, []),
        ("old law: 13 months' renewal", {"renewal": Renewal.MONTHS,
         "renewal_months": 13}, ["b2c_renewal_too_long"]),
        ("old law: 4 months' notice", {"notice": months(4)}, ["b2c_notice_too_long"]),
        ("B2B is not limited", {"consumer": False, "initial_months": 60,
         "notice": months(6)}, []),
        ("individual terms are not AGB", {"standard_terms": False,
         "initial_months": 36}, []),
    ],
)  # fmt: skip
def test_consumer_rules_by_date_concluded(label, changes, problems):
    terms = b2c(concluded=date(2022, 2, 28), start=date(2022, 2, 28), **changes)
    assert [step.key for step in consumer_problems(terms)] == problems


def test_a_new_consumer_contract_that_says_it_renews_by_a_year_runs_on_indefinitely():
    terms = b2c(renewal=Renewal.MONTHS, renewal_months=12)
    assert deadlines(terms, today=date(2025, 4, 1)).phase == "indefinite"
    assert end_for_notice(terms, received=date(2025, 4, 1)) == date(2025, 5, 1)


def test_renewed_terms_get_deadlines_from_the_new_end_not_the_original():
    terms = Terms(
        start=date(2025, 1, 1),
        initial_months=12,
        renewal=Renewal.MONTHS,
        renewal_months=12,
        notice=months(3),
    )
    second = deadlines(terms, today=date(2026, 2, 1))
    assert second.term.number == 2
    assert second.last_notice_day == date(2026, 9, 30)


def test_late_notice_ends_the_next_term():
    terms = Terms(
        start=date(2025, 1, 1),
        initial_months=12,
        renewal=Renewal.MONTHS,
        renewal_months=12,
        notice=months(3),
    )
    assert end_for_notice(terms, received=date(2025, 9, 30)) == date(2025, 12, 31)
    assert end_for_notice(terms, received=date(2025, 10, 1)) == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("start", "expected_end"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 30), date(2024, 2, 29)),
        (date(2024, 1, 29), date(2024, 2, 28)),
    ],
)
def test_starts_on_the_29th_to_31st_are_computed_and_flagged(start, expected_end):
    assert term_end(start=start, months=1) == expected_end
    terms = Terms(
        start=start, initial_months=1, renewal=Renewal.NONE, notice=Period(7, Unit.DAYS)
    )
    result = deadlines(terms, today=start)
    assert result.contested_start is True
    assert result.steps[0].key == "contested_start"


@pytest.mark.parametrize(
    ("anchor", "received", "expected"),
    [
        (Anchor.QUARTER_END, date(2025, 5, 10), date(2025, 6, 30)),
        (Anchor.QUARTER_END, date(2025, 6, 1), date(2025, 9, 30)),
        (Anchor.QUARTER_END, date(2025, 3, 31), date(2025, 6, 30)),
        (Anchor.MID_OR_MONTH_END, date(2025, 5, 10), date(2025, 6, 15)),
        (Anchor.MID_OR_MONTH_END, date(2025, 5, 16), date(2025, 6, 30)),
        (Anchor.NONE, date(2025, 5, 16), date(2025, 6, 16)),
    ],
)
def test_anchors(anchor, received, expected):
    terms = Terms(
        start=date(2020, 1, 1),
        initial_months=None,
        renewal=Renewal.INDEFINITE,
        notice=months(1),
        anchor=anchor,
    )
    assert end_for_notice(terms, received=received) == expected


def test_explanations_exist_in_german_and_english_for_every_step():
    terms = Terms(
        start=date(2024, 7, 15), initial_months=12, renewal=Renewal.MONTHS,
        renewal_months=12, notice=months(1),
    )  # fmt: skip
    result = deadlines(terms, today=date(2024, 8, 1))
    german, english = explain(result.steps, "de"), explain(result.steps, "en")
    assert len(german) == len(english) == len(result.steps)
    assert "Sa 14.06.2025" in german[1]
    assert "Sat 14 Jun 2025" in english[1]


# --- Invariants (hypothesis) ---------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
notices = st.builds(
    Period,
    st.integers(min_value=1, max_value=12),
    st.sampled_from([Unit.DAYS, Unit.WEEKS, Unit.MONTHS]),
)


@given(termination=days, notice=notices)
def test_notice_on_the_last_day_is_in_time_and_a_day_later_is_not(termination, notice):
    deadline = last_notice_day(termination=termination, notice=notice)
    assert period_end(received=deadline, period=notice) <= termination
    assert (
        period_end(received=deadline + timedelta(days=1), period=notice) > termination
    )


def test_every_day_of_four_years_with_month_notices():
    """Exhaustive for month periods, the ones naive arithmetic gets wrong."""
    day = date(2024, 1, 1)
    while day <= date(2027, 12, 31):
        for amount in (1, 3, 6):
            deadline = last_notice_day(termination=day, notice=months(amount))
            assert period_end(received=deadline, period=months(amount)) <= day
            assert (
                period_end(received=deadline + timedelta(1), period=months(amount))
                > day
            )
        day += timedelta(days=1)


@given(
    start=days,
    initial=st.integers(min_value=1, max_value=60),
    notice=notices,
    today=days,
)
def test_the_deadline_never_falls_after_the_term_end(start, initial, notice, today):
    terms = Terms(
        start=start,
        initial_months=initial,
        renewal=Renewal.MONTHS,
        renewal_months=12,
        notice=notice,
    )
    result = deadlines(terms, today=today)
    assert result.last_notice_day <= result.term.end
    assert result.recommended_send_by <= result.last_notice_day
    assert result.term.start <= result.term.end


@given(
    start=days,
    initial=st.integers(min_value=1, max_value=36),
    renewal=st.integers(min_value=1, max_value=24),
    notice=notices,
)
def test_a_renewal_moves_every_date_forward(start, initial, renewal, notice):
    terms = Terms(
        start=start,
        initial_months=initial,
        renewal=Renewal.MONTHS,
        renewal_months=renewal,
        notice=notice,
    )
    first = deadlines(terms, today=start)
    second = deadlines(terms, today=first.next_renewal)
    assert second.term.number == first.term.number + 1
    assert second.term.start == first.term.end + timedelta(days=1)
    assert second.term.end > first.term.end
    assert second.last_notice_day > first.last_notice_day


@given(received=days, notice=notices, anchor=st.sampled_from(list(Anchor)))
def test_an_indefinite_contract_ends_on_an_anchor_after_the_period(
    received, notice, anchor
):
    terms = Terms(
        start=date(2019, 1, 1),
        initial_months=None,
        renewal=Renewal.INDEFINITE,
        notice=notice,
        anchor=anchor,
    )
    end = end_for_notice(terms, received=received)
    assert end >= period_end(received=received, period=notice)
    assert end - period_end(received=received, period=notice) < timedelta(days=93)


@given(day=days, amount=st.integers(min_value=-30, max_value=30))
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(day, amount):
    moved = add_months(day, amount)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == amount
    assert moved.day == day.day or moved.day < day.day


def test_upcoming_skips_to_the_next_term_once_the_deadline_has_passed():
    terms = Terms(
        start=date(2025, 1, 1),
        initial_months=12,
        renewal=Renewal.MONTHS,
        renewal_months=12,
        notice=months(3),
    )
    assert upcoming(terms, today=date(2025, 9, 30)).last_notice_day == date(2025, 9, 30)
    later = upcoming(terms, today=date(2025, 10, 1))
    assert later.last_notice_day == date(2026, 9, 30)
    assert later.term.end == date(2026, 12, 31)
    fixed = Terms(
        start=date(2025, 1, 1),
        initial_months=12,
        renewal=Renewal.NONE,
        notice=months(3),
    )
    assert upcoming(fixed, today=date(2025, 10, 1)).last_notice_day == date(2025, 9, 30)
