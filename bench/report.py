"""make bench: the access report of a person with 1,000 interactions.

The database crm_bench_report gets the demo users and one private customer
with 1,000 interactions (made through the services, so with history), once.
Three reports are made in one process (collect from the registry, JSON, PDF);
the median time and the process's peak resident memory are printed.
"""

from __future__ import annotations

import sys

from bench.db import measure, print_table, server_url


def main() -> None:
    print("… access report", file=sys.stderr, flush=True)
    rows = measure(server_url(), "crm_bench_report", "bench.measure_report", 1000)
    print_table(rows, "interactions")


if __name__ == "__main__":
    main()
