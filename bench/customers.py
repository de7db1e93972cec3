"""make bench: customer pages at 10k and 100k organizations.

For each size a database crm_bench_<size> on the resolved PostgreSQL server is
seeded once with `seed_bench` (reused afterwards), then each page is requested
in-process with Django's test client as `bench_staff` (team 1 of 4: a quarter of
all customers, plus personal grants): warm-up, then 20 timed runs; the median is
reported with the page's SQL query count. Set BENCH_SIZES=10000 for a quick run.
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
    print_table(rows, "organizations")


if __name__ == "__main__":
    main()
