"""Public holidays and the company's working calendar: plumbing for deadlines
(contracts), GDPR due dates (compliance) and, later, SLA business hours."""

from __future__ import annotations

import functools
from datetime import date

import holidays
from django.conf import settings


@functools.lru_cache(maxsize=64)
def public_holidays(year: int, land: str | None = None) -> frozenset[date]:
    """German public holidays (nationwide, or a state's) around `year`, cached.

    Raises NotImplementedError for an unknown state (the `holidays` package's way).
    """
    days = holidays.country_holidays("DE", subdiv=land, years=range(year - 1, year + 6))
    return frozenset(days)


def company_holidays(year: int) -> frozenset[date]:
    """Public holidays of the company's Land (settings.COMPANY_LAND) around `year`."""
    return public_holidays(year, settings.COMPANY_LAND or None)


def holiday_names(start: date, end: date, *, language: str) -> dict[date, str]:
    """Public holidays of the company's Land between start and end, by name."""
    days = holidays.country_holidays(
        "DE",
        subdiv=settings.COMPANY_LAND or None,
        years=range(start.year, end.year + 1),
        language="de" if language == "de" else "en_US",
    )
    return {day: name for day, name in sorted(days.items()) if start <= day <= end}
