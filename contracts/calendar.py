"""The deadline calendar as iCalendar (RFC 5545), built with the `icalendar` package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from contracts.models import Contract

PRODID = "-//Kundenbuch CRM//Vertragsfristen//DE"


def feed(contracts: Iterable[Contract], *, base_url: str, domain: str) -> bytes:
    """One all-day event per last notice day and per term end."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Contract deadlines"))
    stamp = timezone.now()
    for contract in contracts:
        url = base_url + contract.get_absolute_url()
        # The feed lands in outside calendars: a private customer appears by number.
        customer = contract.customer
        who = customer.name if customer.kind == "organization" else customer.number
        if contract.last_notice_day:
            calendar.add_component(
                _event(
                    uid=f"contract-{contract.pk}-notice-{contract.last_notice_day:%Y%m%d}@{domain}",
                    day=contract.last_notice_day,
                    summary=_("Last notice day: %(title)s (%(customer)s)")
                    % {"title": contract.title, "customer": who},
                    url=url,
                    stamp=stamp,
                )
            )
        if contract.term_end:
            calendar.add_component(
                _event(
                    uid=f"contract-{contract.pk}-end-{contract.term_end:%Y%m%d}@{domain}",
                    day=contract.term_end,
                    summary=_("Term ends: %(title)s (%(customer)s)")
                    % {"title": contract.title, "customer": who},
                    url=url,
                    stamp=stamp,
                )
            )
    return calendar.to_ical()


def _event(*, uid: str, day: date, summary: str, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)  # a DATE: an all-day event
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event
