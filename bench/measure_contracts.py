"""One size of the contracts benchmark (run by bench/contracts.py); prints JSON."""

from __future__ import annotations

import json
import os
import sys

import django

from bench.db import timed

RUNS = 10
ORGANIZATIONS = 10_000
DUE = 2_000


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Min
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from contracts import services
    from contracts.models import Contract
    from contracts.reminders import reminders_plan
    from crm.models import Customer

    size = int(os.environ["BENCH_SIZE"])
    if not Customer.objects.exists():
        call_command(
            "seed_bench",
            organizations=ORGANIZATIONS,
            interactions_per_organization=2,
            hot_interactions=10,
            stdout=sys.stderr,
        )
    if not Contract.objects.exists():
        call_command("seed_bench_contracts", contracts=size, due=DUE, stdout=sys.stderr)
    # The day the data were made: what is due was laid out for it.
    seeded = timezone.localdate(Contract.objects.aggregate(at=Min("created_at"))["at"])
    results = []

    def scan() -> tuple[int, int]:
        with transaction.atomic():
            services.contracts_roll_over(today=seeded)
            plan = reminders_plan(today=seeded)
            transaction.set_rollback(True)  # every run finds and writes them anew
        return plan.contracts, plan.written

    scan()
    with CaptureQueriesContext(connection) as queries:
        due, written = scan()
    results.append(
        {
            "size": size,
            "page": "reminder scan (roll-over + plan)",
            "detail": f"{due:,} contracts due, {written:,} reminder rows written",
            "median_ms": timed(scan, RUNS),
            "queries": len(queries),
        }
    )

    def page(
        label: str, detail: str, user: User, url: str, data: dict | None = None
    ) -> None:
        client = Client()
        client.force_login(user)

        def get():
            response = client.get(url, data or {})
            assert response.status_code == 200, response.status_code
            return response

        for _ in range(3):
            get()
        median = timed(get, RUNS * 2)
        with CaptureQueriesContext(connection) as queries:
            response = get()
        events = response.content.count(b"BEGIN:VEVENT")
        results.append(
            {
                "size": size,
                "page": label,
                "detail": detail.format(events=events),
                "median_ms": median,
                "queries": len(queries),
            }
        )

    staff = User.objects.get(username="bench_staff")
    visible = Contract.objects.visible_to(staff).count()
    page(
        "contract list, notice within 30 days",
        f"{visible:,} contracts visible to bench_staff",
        staff,
        "/contracts/",
        {"within_days": 30},
    )
    feed_user = User.objects.get(username="bench_feed")
    token = services.calendar_feed_for(user=feed_user).token
    page("calendar feed", "{events:,} events of 5,000 visible contracts",
         feed_user, f"/contracts/feed/{token}.ics")  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
