"""Art. 12(3) due dates (Reg. 1182/71) and retention ends (LEGAL.md sections 4, 6)."""

from datetime import date, timedelta

import holidays
from hypothesis import given
from hypothesis import strategies as st

from compliance.deadlines import (
    Record,
    answer_due,
    extended_due,
    next_working_day,
    retention_ends,
)
from core.dates import add_months

GERMANY = holidays.country_holidays("DE", years=range(2020, 2036))


def test_legal_examples():
    # received Wed 05.03.2025: 05.04. is a Saturday, so Monday
    assert answer_due(date(2025, 3, 5), GERMANY) == date(2025, 4, 7)
    # received Fri 31.01.2025: February has no 31st, so its last day (a Friday)
    assert answer_due(date(2025, 1, 31), GERMANY) == date(2025, 2, 28)


def test_month_ends_and_leap_years():
    assert answer_due(date(2024, 1, 31), GERMANY) == date(2024, 2, 29)  # Thursday
    assert answer_due(date(2025, 3, 31), GERMANY) == date(2025, 4, 30)
    # 30.05.2026 + 1 month = Tue 30.06.2026; 31.08.2025 -> 30.09.2025 (Tue)
    assert answer_due(date(2025, 8, 31), GERMANY) == date(2025, 9, 30)


def test_a_holiday_moves_the_end_to_the_next_working_day():
    # 01.04.2026 + 1 month = Fri 01.05.2026 (Labour Day) -> Mon 04.05.2026
    assert answer_due(date(2026, 4, 1), GERMANY) == date(2026, 5, 4)
    # 25.11.2025 + 1 month = Thu 25.12. (Christmas), 26.12. too -> Mon 29.12.
    assert answer_due(date(2025, 11, 25), GERMANY) == date(2025, 12, 29)
    # without the holidays only weekends move it
    assert answer_due(date(2026, 4, 1)) == date(2026, 5, 1)


def test_the_extension_counts_three_months_from_receipt():
    assert extended_due(date(2025, 1, 31), GERMANY) == date(2025, 4, 30)
    assert extended_due(date(2025, 3, 5), GERMANY) == date(2025, 6, 5)


def test_retention_starts_at_the_end_of_the_document_s_year():
    assert retention_ends(date(2025, 3, 15), Record.VOUCHER) == date(2034, 1, 1)
    assert retention_ends(date(2025, 6, 10), Record.BUSINESS_LETTER) == date(2032, 1, 1)
    assert retention_ends(date(2025, 12, 31), Record.BOOKS) == date(2036, 1, 1)
    assert retention_ends(date(2025, 1, 1), Record.BUSINESS_LETTER, "AT") == date(
        2033, 1, 1
    )
    assert retention_ends(date(2025, 1, 1), Record.VOUCHER, "CH") == date(2036, 1, 1)


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2034, 12, 31))


@given(days)
def test_the_due_date_is_a_working_day_at_most_four_days_after_the_month(received):
    due = answer_due(received, GERMANY)
    month = add_months(received, 1)
    assert due.weekday() < 5 and due not in GERMANY
    assert month <= due <= month + timedelta(days=4)  # Easter: Fri to Tue
    assert next_working_day(due, GERMANY) == due


@given(days)
def test_a_later_receipt_is_never_due_earlier(received):
    assert answer_due(received + timedelta(days=1), GERMANY) >= answer_due(
        received, GERMANY
    )
    assert extended_due(received, GERMANY) > answer_due(received, GERMANY)
