"""Cases for the benchmark, fast: PostgreSQL COPY on top of `seed_bench`.

    python manage.py seed_bench --organizations 10000
    python manage.py seed_bench_cases --cases 100000 --open 10000 --due 20

spreads the cases over the customers (each with its customer's owner and team):

- `--open` are open, opened within the last two weeks: one in ten still new
  (first response due), one in eight waiting for the customer (no resolution
  due: the clock stands), the rest in progress; their due times lie from three
  days ago to ten days ahead, and their escalation stage is what the scan every
  five minutes has already done (missed ones are at stage 2, out of the scan's
  partial indexes);
- exactly `--due` of them have a warning or due time within the last five
  minutes: what the next scan must find and send;
- the others are resolved or closed, opened over the last three years.

All are made "now" (created_at), the moment the benchmark scans at. Deliberately
no history rows (the benchmark reads none). The bench users get e-mail
addresses, so their alerts render. Meant for a database that `seed_bench` filled
and that has no cases yet.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat

from accounts.models import Company, NumberCounter, User
from crm.management.commands.seed_bench import _copy
from crm.models import Customer
from service.models import AlertStage, Case

SCAN_EVERY = timedelta(minutes=5)
SUBJECTS = [
    "Lieferung beschädigt",
    "Rechnung doppelt",
    "Rückruf erbeten",
    "Gerät defekt",
    "Termin verschoben",
    "Ersatzteil fehlt",
]
COLUMNS = [
    "number",
    "kind",
    "priority",
    "channel",
    "subject",
    "description",
    "order_reference",
    "status",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "root_cause",
    "resolution",
    "consumer",
    "used_goods",
    "building",
    "sold_before_2022",
    "response_due_at",
    "response_warn_at",
    "resolution_due_at",
    "resolution_warn_at",
    "response_alert",
    "resolution_alert",
    "cycle",
    "created_at",
    "version",
    "customer_id",
    "owner_id",
    "team_id",
]


def _stage(warn: datetime | None, due: datetime | None, last_scan: datetime) -> int:
    """How far the scans before `last_scan` have escalated a target."""
    if due is not None and due <= last_scan:
        return AlertStage.BREACHED
    if warn is not None and warn <= last_scan:
        return AlertStage.SOON
    return AlertStage.NONE


class Command(BaseCommand):
    help = "Generate benchmark cases with COPY (after seed_bench)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--open", type=int, default=10_000)
        parser.add_argument("--due", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options) -> None:
        if Case.objects.exists():
            raise CommandError("seed_bench_cases needs a database without cases.")
        customers = list(
            Customer.objects.order_by("pk").values_list("pk", "owner_id", "team_id")
        )
        if not customers:
            raise CommandError("Run seed_bench first.")
        started = time.monotonic()
        random.seed(options["seed"])
        total, open_count, due = options["cases"], options["open"], options["due"]
        now = datetime.now(UTC)
        last_scan = now - SCAN_EVERY
        due_every = max(1, open_count // max(1, due))

        def outside_window(moment: datetime) -> datetime:
            # Not due now unless chosen: out of (last scan, now].
            return moment - SCAN_EVERY if last_scan < moment <= now else moment

        def open_row(index: int) -> tuple:
            opened = now - timedelta(minutes=random.randint(10, 14 * 24 * 60))
            roll = random.random()
            status = (
                "new" if roll < 0.10 else "waiting" if roll < 0.22 else "in_progress"
            )
            first_response = None if status == "new" else opened + timedelta(hours=1)
            resolution_due = now + timedelta(
                minutes=random.randint(-3 * 1440, 10 * 1440)
            )
            resolution_warn = resolution_due - timedelta(hours=random.randint(2, 10))
            response_due = response_warn = None
            if status == "new":
                response_due = now + timedelta(minutes=random.randint(-600, 960))
                response_warn = response_due - timedelta(hours=2)
            if status == "waiting":
                resolution_due = resolution_warn = None
            # Nothing passed since the last scan, unless chosen to be due now.
            response_warn, response_due, resolution_warn, resolution_due = (
                moment and outside_window(moment)
                for moment in (
                    response_warn,
                    response_due,
                    resolution_warn,
                    resolution_due,
                )
            )
            if index % due_every == 0 and index // due_every < due:
                moment = now - timedelta(seconds=random.randint(1, 290))
                if response_warn is not None and random.random() < 0.5:
                    response_warn, response_due = moment, moment + timedelta(hours=2)
                else:
                    if status == "waiting":
                        status = "in_progress"
                    resolution_warn = moment
                    resolution_due = moment + timedelta(hours=random.randint(2, 10))
            return (
                status,
                opened,
                first_response,
                None,
                None,
                response_due,
                response_warn,
                resolution_due,
                resolution_warn,
                _stage(response_warn, response_due, last_scan),
                _stage(resolution_warn, resolution_due, last_scan),
            )

        def done_row() -> tuple:
            opened = now - timedelta(minutes=random.randint(15 * 1440, 3 * 365 * 1440))
            resolved = opened + timedelta(hours=random.randint(2, 200))
            closed = resolved + timedelta(days=14)
            status = "closed" if closed < now else "resolved"
            closed = closed if status == "closed" else None
            first = opened + timedelta(hours=1)
            no_clock = (None, None, None, None, AlertStage.NONE, AlertStage.NONE)
            return (status, opened, first, resolved, closed, *no_clock)

        def rows():
            for index in range(total):
                customer_id, owner_id, team_id = customers[index % len(customers)]
                is_open = index < open_count
                clock = open_row(index) if is_open else done_row()
                status, opened, first, resolved, closed, *times = clock
                yield (
                    f"R-{index + 1:06d}",
                    random.choice(["complaint", "warranty", "request"]),
                    random.choice(["low", "normal", "normal", "high", "urgent"]),
                    random.choice(["phone", "email", "web"]),
                    random.choice(SUBJECTS),
                    "",
                    "",
                    status,
                    opened,
                    first,
                    resolved,
                    closed,
                    "",
                    "" if is_open else "Erledigt",
                    False,
                    False,
                    False,
                    False,
                    *times,
                    1,
                    now,
                    1,
                    customer_id,
                    owner_id,
                    team_id,
                )

        company = Company.objects.order_by("pk").first()  # the bench's one
        with transaction.atomic():
            written = _copy("service_case", COLUMNS, rows(), company_id=company.pk)
            NumberCounter.objects.update_or_create(
                company=company, kind="case", defaults={"value": total + 1}
            )
            User.objects.filter(username__startswith="bench", email="").update(
                email=Concat("username", Value("@bench.example"))
            )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE service_case")
        self.stdout.write(
            f"seed_bench_cases: {written} cases ({open_count} open, {due} due now) "
            f"in {time.monotonic() - started:.0f} s"
        )
