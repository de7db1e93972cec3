"""Support staff's warranty calculator on the command line, JSON out.

python manage.py warranty --delivered 2025-03-15 --consumer
python manage.py warranty --delivered 2025-03-15 --consumer --used --agreed-months 12
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.holidays import public_holidays
from service import warranty as engine


def parse_day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{name}: a date as YYYY-MM-DD, not {text!r}") from error


class Command(BaseCommand):
    help = "Whether a warranty claim (BGB §§ 438, 476, 477) still runs, as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delivered", required=True, help="YYYY-MM-DD")
        parser.add_argument("--consumer", action="store_true", help="consumer purchase")
        parser.add_argument("--used", action="store_true", help="used goods")
        parser.add_argument("--agreed-months", type=int, help="agreed period, months")
        parser.add_argument(
            "--building", action="store_true", help="a building or a thing used for one"
        )
        parser.add_argument(
            "--sold-before-2022",
            action="store_true",
            help="purchase concluded before 01.01.2022 (six-month presumption)",
        )
        parser.add_argument("--today", help="say whether it runs on this day")
        parser.add_argument(
            "--land", help="German state for the public holidays of § 193 (BY, NW, ...)"
        )
        parser.add_argument("--language", choices=["de", "en"], default="de")

    def handle(self, *args, **options) -> None:
        delivered = parse_day(options["delivered"], "--delivered")
        if options["agreed_months"] is not None and options["agreed_months"] < 1:
            raise CommandError("--agreed-months: at least 1")
        claim = engine.Claim(
            delivered=delivered,
            consumer=options["consumer"],
            used=options["used"],
            building=options["building"],
            agreed_months=options["agreed_months"],
            sold_before_2022=options["sold_before_2022"],
        )
        try:
            # the holidays around the period's last day (§ 193 may move it)
            holidays = public_holidays(engine.last_day(claim).year, options["land"])
        except NotImplementedError as error:
            raise CommandError(
                f"--land: unknown German state {options['land']!r}"
            ) from error
        result = engine.warranty(claim, holidays)
        out = {
            "delivered": delivered.isoformat(),
            "months": result.months,
            "last_day": result.last_day.isoformat(),
            "ends": result.ends.isoformat(),
            "presumption_until": result.presumption_until.isoformat()
            if result.presumption_until
            else None,
            "explanation": engine.explain(result, options["language"]),
        }
        today = parse_day(options["today"], "--today")
        if today is not None:
            out["today"] = today.isoformat()
            out["runs"] = result.runs_on(today)
            out["presumed"] = result.presumed_on(today)
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
