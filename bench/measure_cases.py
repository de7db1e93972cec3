"""One size of the cases benchmark (run by bench/cases.py); prints JSON."""

from __future__ import annotations

import json
import os
import sys

import django

from bench.db import timed

RUNS = 10
ORGANIZATIONS = 10_000
OPEN_SHARE = 10  # one case in ten is open
DUE = 20


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from crm.models import Customer
    from service import case_selectors
    from service.escalation import (
        TARGETS,
        due_for_alert,
        escalation_plan,
        escalation_scan,
    )
    from service.models import Case

    # The alerts are rendered and "sent", to memory (no SMTP in a benchmark).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    size = int(os.environ["BENCH_SIZE"])
    if not Customer.objects.exists():
        call_command(
            "seed_bench",
            organizations=ORGANIZATIONS,
            interactions_per_organization=2,
            hot_interactions=10,
            stdout=sys.stderr,
        )
    if not Case.objects.exists():
        call_command(
            "seed_bench_cases",
            cases=size,
            open=size // OPEN_SHARE,
            due=DUE,
            stdout=sys.stderr,
        )
    # The moment the data were made: what is due was laid out for it.
    moment = Case.objects.aggregate(at=Max("created_at"))["at"]
    open_cases = Case.objects.open().count()
    indexes = [
        name
        for target in TARGETS
        if (name := f"service_case_{target.kind}_scan")
        in due_for_alert(target, now=moment).explain()
    ]
    results = []

    def rolled_back(call):
        def run():
            with transaction.atomic():
                result = call(now=moment)
                transaction.set_rollback(True)  # every run finds them anew
            return result

        return run

    for label, call, what in [
        ("SLA escalation scan", escalation_scan, "e-mails sent"),
        ("SLA escalation scan: find + write", escalation_plan, "alerts written"),
    ]:
        run = rolled_back(call)
        run()
        with CaptureQueriesContext(connection) as queries:
            count = run()
        results.append(
            {
                "size": size,
                "page": label,
                "detail": f"{open_cases:,} open cases, {count} {what}; "
                f"index: {', '.join(indexes) or 'NONE'}",
                "median_ms": timed(run, RUNS),
                "queries": len(queries),
            }
        )

    staff = User.objects.get(username="bench_staff")

    def page():
        found = case_selectors.case_page(user=staff, filters={}, now=moment, number=1)
        list(found.object_list)
        return found

    for _ in range(3):
        page()
    median = timed(page, RUNS * 2)
    with CaptureQueriesContext(connection) as queries:
        found = page()
    visible = Case.objects.across_visible(staff).count()
    results.append(
        {
            "size": size,
            "page": "case list",
            "detail": f"{found.paginator.count:,} open of {visible:,} cases "
            "visible to bench_staff, page 1",
            "median_ms": median,
            "queries": len(queries),
        }
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
