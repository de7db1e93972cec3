"""make bench: the erasure plan's free-text scan at 20k and 200k interactions and
contracts, with and without the trigram indexes (migration compliance/0015)."""

from __future__ import annotations

import sys

from bench.db import measure, print_table, server_url

SIZES = (20_000, 200_000)


def main() -> None:
    rows = []
    for size in SIZES:
        print(f"… free-text scan at {size:,} rows", file=sys.stderr, flush=True)
        rows += measure(
            server_url(), f"crm_bench_freetext_{size}", "bench.measure_freetext", size
        )
    print_table(rows, "rows per table")


if __name__ == "__main__":
    main()
