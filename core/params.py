"""One way to read query-string and other loose parameters: a value or None, never 500.

``str.isdigit()`` is true for "²" and other digits that ``int()`` refuses, and
``parse_datetime`` raises for well-formed nonsense such as 2024-13-45; every loose
parameter of a view goes through these instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils.dateparse import parse_date, parse_datetime

_ASCII_INT = re.compile(r"[0-9]{1,18}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")

# Dates the application works with: far enough for any contract, near enough that
# adding decades of terms never leaves Python's calendar (year 9999).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def int_param(
    value: object, *, minimum: int = 0, maximum: int | None = None
) -> int | None:
    """A whole number written in ASCII digits within the bounds, else None."""
    text = str(value if value is not None else "").strip()
    if not _ASCII_INT.fullmatch(text):
        return None
    number = int(text)
    if number < minimum or (maximum is not None and number > maximum):
        return None
    return number


def version_param(value: object) -> int:
    """An edit form's version; -1 (never a row's) when missing or malformed."""
    number = int_param(value, minimum=1)
    return -1 if number is None else number


def date_param(value: object) -> date | None:
    """An ISO date (2026-12-31) within the application's range, else None."""
    try:
        day = parse_date(str(value or "").strip())
    except ValueError:  # well-formed but no day: 2024-13-45
        return None
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


def datetime_param(value: object) -> datetime | None:
    """An ISO date-time within the application's range, else None."""
    try:
        moment = parse_datetime(str(value or "").strip())
    except ValueError:
        return None
    if moment is None or not FIRST_DAY <= moment.date() <= LAST_DAY:
        return None
    return moment


def month_param(value: object) -> date | None:
    """The first day of a month written 2026-12, within the application's range."""
    match = _MONTH.fullmatch(str(value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    first = date(year, month, 1)
    return first if FIRST_DAY <= first <= LAST_DAY.replace(day=1) else None
