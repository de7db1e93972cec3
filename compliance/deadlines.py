"""GDPR and retention dates: pure functions, no Django (LEGAL.md sections 4 and 6).

Art. 12(3) GDPR periods are counted by Regulation 1182/71: the day of receipt
does not count (Art. 3(1)); a period in months ends on the same date of the
last month, or that month's last day when the date does not exist (Art. 3(2)(c));
a period ending on a Saturday, Sunday or public holiday ends on the next working
day (Art. 3(4)) - the opposite of German notice periods, which never move.
Statutory retention (§ 257 HGB, § 147 AO) starts at the end of the calendar year
of the document.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta
from enum import StrEnum

from core.dates import add_months

ANSWER_MONTHS = 1  # Art. 12(3) sentence 1
EXTENDED_MONTHS = 3  # "two further months", counted from receipt (the safe reading)


def next_working_day(day: date, holidays: Container[date] = ()) -> date:
    """`day`, or the next day that is neither a weekend day nor a public holiday."""
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def period_end(received: date, months: int, holidays: Container[date] = ()) -> date:
    """The last day of a period of `months` months from receipt (Reg. 1182/71)."""
    return next_working_day(add_months(received, months), holidays)


def answer_due(received: date, holidays: Container[date] = ()) -> date:
    """When a data-subject request must be answered (one month)."""
    return period_end(received, ANSWER_MONTHS, holidays)


def extended_due(received: date, holidays: Container[date] = ()) -> date:
    """The due date after an extension by two further months (Art. 12(3) s. 2)."""
    return period_end(received, EXTENDED_MONTHS, holidays)


class Record(StrEnum):
    """What a retained record is, for its statutory retention period."""

    BOOKS = "books"  # books, annual accounts, inventories
    VOUCHER = "voucher"  # accounting vouchers, invoices
    BUSINESS_LETTER = "business_letter"  # contracts, offers, relevant e-mails


# Years by country: Germany after the Bürokratieentlastungsgesetz IV (from
# 01.01.2025: vouchers 8 instead of 10), Austria (§ 212 UGB, § 132 BAO: 7),
# Switzerland (Art. 958f OR: 10).
RETENTION_YEARS: dict[str, dict[Record, int]] = {
    "DE": {Record.BOOKS: 10, Record.VOUCHER: 8, Record.BUSINESS_LETTER: 6},
    "AT": {Record.BOOKS: 7, Record.VOUCHER: 7, Record.BUSINESS_LETTER: 7},
    "CH": {Record.BOOKS: 10, Record.VOUCHER: 10, Record.BUSINESS_LETTER: 10},
}


def retention_ends(document: date, record: Record, country: str = "DE") -> date:
    """The first day the record may be erased.

    The period starts at the end of the document's calendar year: an invoice of
    15.03.2025 is kept for 8 years from 31.12.2025 and may go from 01.01.2034.
    """
    years = RETENTION_YEARS[country][record]
    return date(document.year + years + 1, 1, 1)
