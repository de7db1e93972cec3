"""Public holidays and the company's working calendar: plumbing for deadlines
(contracts), GDPR due dates (compliance) and, later, SLA business hours."""

from __future__ import annotations

import functools
from datetime import date

import holidays


@functools.lru_cache(maxsize=64)
def public_holidays(
    year: int, land: str | None = None, country: str = "DE"
) -> frozenset[date]:
    """Public holidays of a country (nationwide, or a state's) around `year`, cached.

    Raises NotImplementedError for an unknown state (the `holidays` package's way).
    """
    days = holidays.country_holidays(
        country, subdiv=land or None, years=range(year - 1, year + 6)
    )
    return frozenset(days)


def company_holidays(year: int, company) -> frozenset[date]:
    """Public holidays of the company's country and Land (Company.country,
    Company.land) around `year`."""
    return public_holidays(year, company.land or None, company.country)


def named_holidays(
    years: range, *, country: str = "DE", land: str | None = None, language: str = "de"
) -> dict[date, str]:
    """Public holidays of a country (and state) in `years`, named in the language.

    Raises NotImplementedError for an unknown state (the `holidays` package's way).
    """
    days = holidays.country_holidays(
        country,
        subdiv=land or None,
        years=years,
        language="de" if language == "de" else "en_US",
    )
    return dict(sorted(days.items()))


def holiday_names(start: date, end: date, *, language: str, company) -> dict[date, str]:
    """Public holidays of the company's country and Land between start and end."""
    days = named_holidays(
        range(start.year, end.year + 1),
        country=company.country,
        land=company.land or None,
        language=language,
    )
    return {day: name for day, name in days.items() if start <= day <= end}
