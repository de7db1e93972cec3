"""make bench: customer pages at 10k and 100k organizations.

For each size a database crm_bench_<size> on the resolved PostgreSQL server is
seeded once with `seed_bench` (reused afterwards), then each page is requested
in-process with Django's test client as `bench_staff` (team 1 of 4: a quarter of
all customers, plus personal grants) and as `bench_dpo` (all of the company):
warm-up, then 20 timed runs; the median is reported with the page's SQL query
count. Each size runs twice: one company, and two companies of that size in one
database (crm_bench_2x<size>; the pages are the first company's). Set
BENCH_SIZES=10000 for a quick run.
"""

from __future__ import annotations

import os
import sys

from bench.db import measure, print_table, server_url

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]


def main() -> None:
    url = server_url()
    rows = []
    for size in SIZES:
        print(f"… {size} organizations", file=sys.stderr, flush=True)
        rows.extend(measure(url, f"crm_bench_{size}", "bench.measure_customers", size))
        # The same pages with a second company of the same size in the database.
        print(f"… 2 companies of {size} organizations", file=sys.stderr, flush=True)
        rows.extend(
            measure(
                url,
                f"crm_bench_2x{size}",
                "bench.measure_customers",
                size,
                env={"BENCH_COMPANIES": "2"},
            )
        )
    print_table(rows, "organizations")


if __name__ == "__main__":
    main()
