"""Support staff's SLA calculator on the command line, JSON out.

    python manage.py sla --opened 2026-12-23T16:30 --hours 8 --land BY \\
        --pause 2026-12-28T09:00 2026-12-29T12:00
"""

from __future__ import annotations

import json
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Company
from service import sla
from service.calendars import calendar_for


def parse_moment(text: str, name: str) -> datetime:
    """An ISO 8601 moment; without an offset it is Berlin's wall-clock time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"{name}: a moment as YYYY-MM-DDTHH:MM[+01:00], not {text!r}"
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=sla.BERLIN)
    return moment


def parse_time(text: str, name: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{name}: a time as HH:MM, not {text!r}") from error


def parse_days(text: str) -> list[int]:
    try:
        days = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise CommandError(
            f"--days: ISO weekdays like 1,2,3,4,5, not {text!r}"
        ) from error
    if not days or not set(days) <= set(range(1, 8)):
        raise CommandError(f"--days: ISO weekdays 1 (Monday) to 7, not {text!r}")
    return days


class Command(BaseCommand):
    help = "When an SLA target of N business hours is due, as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--opened",
            required=True,
            help="YYYY-MM-DDTHH:MM (Berlin time) or with offset",
        )
        parser.add_argument(
            "--hours", required=True, help="target in business hours, e.g. 8 or 0.5"
        )
        parser.add_argument(
            "--land", help="German state for its public holidays (BY, NW, ...)"
        )
        parser.add_argument("--country", default=None, choices=["DE", "AT", "CH"])
        parser.add_argument("--start", help="business hours from (default 08:00)")
        parser.add_argument("--end", help="business hours until (default 17:00)")
        parser.add_argument("--days", help="business days, ISO (default 1,2,3,4,5)")
        parser.add_argument(
            "--company", help="a company's short name: its hours, days, country, Land"
        )
        parser.add_argument(
            "--pause",
            nargs=2,
            action="append",
            default=[],
            metavar=("START", "END"),
            help="waiting for the customer from START to END ('open': still waiting)",
        )
        parser.add_argument("--language", choices=["de", "en"], default="de")

    def handle(self, *args, **options) -> None:
        opened = parse_moment(options["opened"], "--opened")
        try:
            target = sla.hours(options["hours"])
        except ValueError as error:
            raise CommandError(
                f"--hours: a number, not {options['hours']!r}"
            ) from error
        if target.total_seconds() < 0:
            raise CommandError("--hours: not negative")
        settings = {
            "start": time(8, 0),
            "end": time(17, 0),
            "days": [1, 2, 3, 4, 5],
            "country": "DE",
            "land": None,
        }
        if options["company"]:
            company = Company.objects.filter(slug=options["company"]).first()
            if company is None:
                raise CommandError(f"--company: no company {options['company']!r}")
            settings = {
                "start": company.business_hours_start,
                "end": company.business_hours_end,
                "days": company.business_days,
                "country": company.country,
                "land": company.land or None,
            }
        if options["start"]:
            settings["start"] = parse_time(options["start"], "--start")
        if options["end"]:
            settings["end"] = parse_time(options["end"], "--end")
        if options["days"]:
            settings["days"] = parse_days(options["days"])
        if options["country"]:
            settings["country"] = options["country"]
        if options["land"]:
            settings["land"] = options["land"]
        if settings["start"] >= settings["end"]:
            raise CommandError("--end: business hours end after they begin")
        pauses = []
        for start, end in options["pause"]:
            until = None if end == "open" else parse_moment(end, "--pause END")
            begin = parse_moment(start, "--pause START")
            if until is not None and until <= begin:
                raise CommandError("--pause: END comes after START")
            pauses.append((begin, until))
        try:
            calendar = calendar_for(
                years=range(opened.year - 1, opened.year + 3),
                language=options["language"],
                **settings,
            )
        except NotImplementedError as error:
            raise CommandError(
                f"--land: unknown state {settings['land']!r} of {settings['country']}"
            ) from error
        result = sla.due(opened, target, calendar, pauses)
        out = {
            "opened": opened.astimezone(sla.BERLIN).isoformat(),
            "hours": target.total_seconds() / 3600,
            "due": result.due.isoformat() if result.due else None,
            "calendar": {
                "start": settings["start"].strftime("%H:%M"),
                "end": settings["end"].strftime("%H:%M"),
                "days": sorted(settings["days"]),
                "country": settings["country"],
                "land": settings["land"],
                "time_zone": str(sla.BERLIN),
            },
            "explanation": sla.explain(result, calendar, options["language"]),
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
