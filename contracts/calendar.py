"""The deadline calendar as iCalendar (RFC 5545).

Written here rather than with the `icalendar` package: building its component
objects cost 270 µs per event (2.7 s for a user with 5,000 contracts, measured
with `make bench`), and a feed only needs one fixed shape of all-day event. The
few rules that matter are below: TEXT escaping (3.3.11), CRLF line ends and
folding at 75 octets without splitting a UTF-8 character (3.1). The tests parse
every feed with `icalendar` to keep this honest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext as _

PRODID = "-//Kundenbuch CRM//Vertragsfristen//DE"
CRLF = "\r\n"


@dataclass(frozen=True)
class FeedContract:
    """What the feed shows of a contract (read with values_list, no model objects)."""

    pk: int
    title: str
    last_notice_day: date | None
    term_end: date | None
    customer_kind: str
    customer_name: str
    customer_number: str


def escape(text: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """One content line, folded to at most 75 octets per physical line."""
    data = line.encode()
    if len(data) <= 75:
        return line + CRLF
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # never inside a multi-byte character
        parts.append(data[start:end].decode())
        start, limit = end, 74  # continuation lines start with a space
    return (CRLF + " ").join(parts) + CRLF


def feed(contracts: Iterable[FeedContract], *, url: str, domain: str) -> bytes:
    """One all-day event per last notice day and per term end.

    `url` is the contract page's address with "{pk}" for the contract's id.
    """
    return "".join(_lines(contracts, url=url, domain=domain)).encode()


def _lines(
    contracts: Iterable[FeedContract], *, url: str, domain: str
) -> Iterator[str]:
    calendar_name = _("Contract deadlines")  # not in an f-string: xgettext skips those
    yield from (
        "BEGIN:VCALENDAR" + CRLF,
        "VERSION:2.0" + CRLF,
        fold(f"PRODID:{PRODID}"),
        "CALSCALE:GREGORIAN" + CRLF,
        "METHOD:PUBLISH" + CRLF,
        fold("X-WR-CALNAME:" + escape(calendar_name)),
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    notice_text = _("Last notice day: %(title)s (%(customer)s)")
    end_text = _("Term ends: %(title)s (%(customer)s)")
    for contract in contracts:
        # The feed lands in outside calendars: a private customer shows by number.
        who = (
            contract.customer_name
            if contract.customer_kind == "organization"
            else contract.customer_number
        )
        names = {"title": contract.title, "customer": who}
        link = url.replace("{pk}", str(contract.pk))
        for kind, day, text in (
            ("notice", contract.last_notice_day, notice_text),
            ("end", contract.term_end, end_text),
        ):
            if day is None:
                continue
            yield from (
                "BEGIN:VEVENT" + CRLF,
                fold(f"UID:contract-{contract.pk}-{kind}-{day:%Y%m%d}@{domain}"),
                f"DTSTAMP:{stamp}" + CRLF,
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}" + CRLF,
                f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}" + CRLF,
                fold(f"SUMMARY:{escape(text % names)}"),
                fold(f"URL:{link}"),
                "TRANSP:TRANSPARENT" + CRLF,
                "END:VEVENT" + CRLF,
            )
    yield "END:VCALENDAR" + CRLF
