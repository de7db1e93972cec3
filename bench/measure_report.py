"""The access report of a person with 1,000 interactions (run by bench/report.py)."""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

import django

RUNS = 3
INTERACTIONS = 1_000


def main() -> None:
    # The reports' files go to a throw-away directory, not the app's media.
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-report-")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from compliance import services
    from compliance.models import AccessReport
    from crm import services as crm_services
    from crm.models import Customer, Interaction

    if not User.objects.filter(username="dora").exists():
        call_command("seed_demo", "--users-only", stdout=sys.stderr)
    anna, dora = User.objects.get(username="anna"), User.objects.get(username="dora")
    customer = Customer.objects.filter(name="Erika Viel").first()
    if customer is None:
        from accounts.models import Team

        customer = crm_services.customer_create(
            actor=anna, kind="private",
            fields={"owner": anna, "team": Team.objects.get(name="Nord")},
            person_fields={"first_name": "Erika", "last_name": "Viel",
                           "salutation": "ms", "email": "erika.viel@example.org"},
        )  # fmt: skip
        crm_services.address_create(
            customer=customer, actor=anna,
            fields={"purpose": "postal", "street": "Lindenweg 5", "postcode": "50667",
                    "city": "Köln", "country": "DE"},
        )  # fmt: skip
        person = customer.persons.get()
        start = datetime(2023, 1, 2, 9, tzinfo=UTC)
        for number in range(INTERACTIONS):  # through the service: with history
            crm_services.interaction_create(
                customer=customer, actor=anna, persons=[person],
                fields={"kind": ["call", "email", "meeting", "note"][number % 4],
                        "direction": "in",
                        "occurred_at": start + timedelta(hours=number),
                        "subject": f"Gespräch {number} über den Tarif",
                        "text": "Frau Viel fragt nach dem Stand ihres Vertrags. " * 3},
            )  # fmt: skip
    person = customer.persons.get()
    assert Interaction.objects.filter(customer=customer).count() == INTERACTIONS
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings, last = [], None
    for _ in range(RUNS):
        report = AccessReport.objects.create(person=person, requested_by=dora)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            last = services.access_report_build(report_id=report.pk)
        timings.append((time.perf_counter() - started) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            [
                {
                    "size": INTERACTIONS,
                    "page": "access report (collect, JSON, PDF)",
                    "median_ms": statistics.median(timings),
                    "queries": len(queries),
                    "detail": f"{last.pages} pages, {last.pdf.size / 1024:.0f} KiB, "
                    f"peak RSS {peak:.0f} MiB (Django loaded: {baseline:.0f} MiB)",
                }
            ]
        )
    )


if __name__ == "__main__":
    main()
