"""The free-text scan of one person over BENCH_SIZE interactions and contracts
(run by bench/freetext.py): rows are written once with SQL (no history: the scan
reads live rows), then the scan is timed with the trigram indexes and, in one
transaction that is rolled back, without them."""

from __future__ import annotations

import importlib
import json
import os
import sys
from datetime import date, timedelta

import django

RUNS = 5


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Team, User
    from bench.db import timed
    from compliance import freetext
    from contracts.models import Contract
    from crm import services as crm_services
    from crm.models import Interaction, Person

    size = int(os.environ["BENCH_SIZE"])
    if not User.objects.filter(username="anna").exists():
        call_command("seed_demo", "--users-only", stdout=sys.stderr)
    anna = User.objects.get(username="anna")
    person = Person.objects.filter(last_name="Zwetschgenbaum").first()
    if person is None:
        customer = crm_services.customer_create(
            actor=anna, kind="organization",
            fields={"name": "Obsthof GmbH", "owner": anna,
                    "team": Team.objects.get(name="Nord")},
        )  # fmt: skip
        person = crm_services.person_create(
            customer=customer, actor=anna,
            fields={"first_name": "Zora", "last_name": "Zwetschgenbaum",
                    "email": "zora@obsthof.example", "mobile": "+491719876543"},
        )  # fmt: skip
        other = customer
        texts = (
            "Frau Zwetschgenbaum bittet um Rückruf, mobil 0171 9876543",
            "Kunde fragt nach Lieferzeiten und Preisen für Los {n}",
        )
        now = timezone.now()
        Interaction.objects.bulk_create(
            (
                Interaction(
                    customer=other, company_id=other.company_id, user=anna,
                    kind="call", direction="out",
                    occurred_at=now - timedelta(minutes=n),
                    subject=f"Rückruf wegen Angebot {n}",
                    text=texts[0] if n % 1000 == 0 else texts[1].format(n=n),
                )
                for n in range(size)
            ),
            batch_size=5000,
        )  # fmt: skip
        Contract.objects.bulk_create(
            (
                Contract(
                    customer=other, company_id=other.company_id, owner=anna,
                    number=f"B-{n}",
                    title=f"Wartungsvertrag Anlage {n}", concluded_on=date(2025, 1, 1),
                    start=date(2025, 1, 1), initial_months=12,
                )
                for n in range(size)
            ),
            batch_size=5000,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE crm_interaction; ANALYZE contracts_contract")
    rows = []

    def run(label: str) -> None:
        freetext.matches(person)  # warm
        with CaptureQueriesContext(connection) as queries:
            found = freetext.matches(person)
        rows.append(
            {
                "size": size,
                "page": f"free-text scan, {label}",
                "median_ms": timed(lambda: freetext.matches(person), RUNS),
                "queries": len(queries),
                "detail": f"{len(found)} matches",
            }
        )

    run("trigram indexes")
    migration = importlib.import_module(
        "compliance.migrations.0015_free_text_trigram_indexes"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table, column in migration.INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")
        run("sequential scans (no index)")
        transaction.set_rollback(True)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
