"""Calendar arithmetic shared by the apps: pure functions, no Django."""

from __future__ import annotations

import calendar
from datetime import date


def last_day_of_month(year: int, month: int) -> date:
    """The last day of a month (§ 192 BGB: "end of the month")."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """The day with the same number `months` later, else that month's last
    (§ 188(3) BGB; Art. 3(2)(c) Reg. 1182/71 says the same)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
