"""A company's working calendar for the SLA clock (Company's business hours,
days and Land; core.holidays), and the same from command-line values."""

from __future__ import annotations

from datetime import time

from core.holidays import named_holidays
from service.sla import BERLIN, Calendar


def calendar_for(
    *,
    start: time,
    end: time,
    days,
    country: str = "DE",
    land: str | None = None,
    years: range,
    language: str = "de",
) -> Calendar:
    """A Calendar with the named public holidays of the country and Land."""
    return Calendar(
        start=start,
        end=end,
        days=frozenset(days),
        tz=BERLIN,
        holidays=named_holidays(years, country=country, land=land, language=language),
    )


def company_calendar(company, *, years: range, language: str = "de") -> Calendar:
    """The company's calendar: its business hours and days, its Land's holidays."""
    return calendar_for(
        start=company.business_hours_start,
        end=company.business_hours_end,
        days=company.business_days,
        country=company.country,
        land=company.land or None,
        years=years,
        language=language,
    )
