"""make bench: contracts at 200,000 and 2,000,000.

Each size gets its database crm_bench_contracts_<size> (seeded once, reused):
10,000 organizations from `seed_bench`, then `seed_bench_contracts` with the
same 2,000 contracts due (1 % of 200,000; 0.1 % of 2,000,000) so that the
reminder scan's cost can be compared against the number of contracts, and 5,000
contracts for `bench_feed`. Measured, median of warm runs:

- the daily reminder scan (roll-over + plan: find what is due, write the
  reminder rows; no SMTP), rolled back after each run so every run writes them;
- the contract list filtered to "last notice day within 30 days" as bench_staff;
- the calendar feed of bench_feed (5,000 visible contracts).

BENCH_CONTRACTS=200000 for a quick run.
"""

from __future__ import annotations

import os
import sys

from bench.db import measure, print_table, server_url

SIZES = [int(s) for s in os.environ.get("BENCH_CONTRACTS", "200000,2000000").split(",")]


def main() -> None:
    url = server_url()
    rows = []
    for size in SIZES:
        print(f"… {size} contracts", file=sys.stderr, flush=True)
        rows.extend(
            measure(url, f"crm_bench_contracts_{size}", "bench.measure_contracts", size)
        )
    print_table(rows, "contracts")


if __name__ == "__main__":
    main()
