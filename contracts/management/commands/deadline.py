"""Support staff's deadline calculator on the command line, JSON out.

    python manage.py deadline --start 2025-01-01 --months 12 --renewal months \\
        --renewal-months 12 --notice "3 months" --today 2025-02-01
"""

from __future__ import annotations

import json
import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from contracts import deadlines as engine
from contracts.selectors import deadline_report

NOTICE = re.compile(r"\s*(\d+)\s*(day|days|week|weeks|month|months)\s*", re.I)


def parse_notice(text: str) -> engine.Period:
    match = NOTICE.fullmatch(text)
    if not match:
        raise CommandError(
            f'--notice: write e.g. "3 months", "6 weeks" or "14 days", not "{text}"'
        )
    unit = match.group(2).lower().rstrip("s") + "s"
    return engine.Period(int(match.group(1)), engine.Unit(unit))


def parse_day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{name}: a date as YYYY-MM-DD, not {text!r}") from error


def iso(value):
    return value.isoformat() if isinstance(value, date) else value


class Command(BaseCommand):
    help = "Compute a contract's deadlines (BGB §§ 186-193, § 309 Nr. 9) as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument(
            "--months", type=int, help="initial term in months (omit: indefinite)"
        )
        parser.add_argument(
            "--renewal", choices=[r.value for r in engine.Renewal], default="none"
        )
        parser.add_argument("--renewal-months", type=int)
        parser.add_argument("--notice", required=True, help='e.g. "3 months"')
        parser.add_argument(
            "--anchor", choices=[a.value for a in engine.Anchor], default="term_end"
        )
        parser.add_argument("--b2c", action="store_true", help="consumer contract")
        parser.add_argument(
            "--individual", action="store_true", help="not standard terms (AGB)"
        )
        parser.add_argument("--concluded", help="date concluded (default: start)")
        parser.add_argument("--today", help="compute for this day (default: today)")
        parser.add_argument("--received", help="end date for a notice received then")
        parser.add_argument("--language", choices=["de", "en"], default="de")
        parser.add_argument(
            "--land",
            help="German state for its public holidays (BY, NW, ...); "
            "default: nationwide holidays only",
        )

    def handle(self, *args, **options) -> None:
        terms = engine.Terms(
            start=parse_day(options["start"], "--start"),
            initial_months=options["months"],
            renewal=engine.Renewal(options["renewal"]),
            renewal_months=options["renewal_months"],
            notice=parse_notice(options["notice"]),
            anchor=engine.Anchor(options["anchor"]),
            consumer=options["b2c"],
            standard_terms=not options["individual"],
            concluded=parse_day(options["concluded"], "--concluded"),
        )
        today = parse_day(options["today"], "--today") or date.today()
        try:
            report = deadline_report(
                terms,
                today=today,
                language=options["language"],
                land=options["land"],
                received=parse_day(options["received"], "--received"),
            )
        except NotImplementedError as error:
            raise CommandError(
                f"--land: unknown German state {options['land']!r}"
            ) from error
        result = report.result
        out = {
            "today": iso(today),
            "phase": result.phase,
            "term": {
                "number": result.term.number,
                "start": iso(result.term.start),
                "end": iso(result.term.end),
            }
            if result.term
            else None,
            "last_notice_day": iso(result.last_notice_day),
            "recommended_send_by": iso(result.recommended_send_by),
            "next_renewal": iso(result.next_renewal),
            "end_if_notice_today": iso(result.end_if_notice_today),
            "contested_start": result.contested_start,
            "explanation": report.explanation,
            "consumer_problems": report.problems,
        }
        if report.received:
            out["end_for_notice_received"] = {
                "received": iso(report.received),
                "end": iso(report.end_for_received),
            }
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
