"""Calendar arithmetic shared by the apps: pure functions, no Django."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta


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


def lead_window(deadline: date, leads: Iterable[int], today: date) -> int | None:
    """The reminder window today falls in: the smallest lead time (days before
    `deadline`) already reached; None before the first. A day missed is so
    caught up by the next run, in the window it belongs to."""
    reached = [lead for lead in leads if deadline - timedelta(days=lead) <= today]
    return min(reached) if reached else None
