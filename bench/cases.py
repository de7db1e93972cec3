"""make bench: the SLA escalation scan and the case list at 10,000 and 100,000 cases.

Each size gets its database crm_bench_cases_<size> (seeded once, reused): 10,000
organizations from `seed_bench`, then `seed_bench_cases` with one case in ten
open (1,000 and 10,000) and the same 20 alerts due at the moment of seeding, so
that the scan's cost can be compared against the number of open cases.
Measured, median of warm runs:

- the escalation scan at that moment (find, write the alerts and their outbox
  rows, render and send the 20 e-mails to the in-memory backend), rolled back
  after each run so every run finds them again; and its find + write alone;
- the case list's first page as bench_staff (open cases of the customers they
  may see, newest first: the count and 50 rows).

BENCH_CASES=10000 for a quick run.
"""

from __future__ import annotations

import os
import sys

from bench.db import measure, print_table, server_url

SIZES = [int(s) for s in os.environ.get("BENCH_CASES", "10000,100000").split(",")]


def main() -> None:
    url = server_url()
    rows = []
    for size in SIZES:
        print(f"… {size} cases", file=sys.stderr, flush=True)
        rows.extend(
            measure(url, f"crm_bench_cases_{size}", "bench.measure_cases", size)
        )
    print_table(rows, "cases")


if __name__ == "__main__":
    main()
